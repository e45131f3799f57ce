"""`aicc-run MODEL --compare`: every tensor of the compiled precisions against FP32, and
which i8 ops to move to FP16 (see `aicc.pipeline.compare`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from aicc.base.options import names
from aicc.pipeline.compare import compare_tensors, first_below, fp16_names
from aicc.pipeline.compiler import CompileConfig, QuantizationConfig
from aicc.runtime.inputs import Inference
from aicc.tools.cli import parse_symbols
from aicc.tune.sensitivity import rank_moves


def compare_config(args: argparse.Namespace, model: Path) -> CompileConfig:
    quantization = QuantizationConfig(
        node_precision_info=args.node_precision_info,
        keep_original_precision_for_nodes=names(args.keep_original_precision_for_nodes),
        profile=args.load_profile,
    )
    symbols = parse_symbols(args.onnx_define_symbol)
    return CompileConfig(model, quantization, convert_to_fp16=args.convert_to_fp16, symbols=symbols)


def print_comparison(config: CompileConfig, runs: list[Inference], threshold: float) -> None:
    comparisons = compare_tensors(config, runs)
    marked = first_below(comparisons, threshold)
    print(f"{'tensor':<24} {'kind':<20} {'prec':<5} agreement with FP32")
    for c in comparisons:
        if c.agreement is None:
            where = f"fused into {c.fused_into}" if c.fused_into else "not in the compiled graph"
            print(f"{c.name:<24} {c.kind:<20} {'':<5} ({where})")
            continue
        mark = "  <-- first below threshold" if c is marked else ""
        print(f"{c.name:<24} {c.kind:<20} {c.precision:<5} {c.agreement.text()}{mark}")
    if marked is None:
        print(f"every tensor is at or above {threshold:g} dB SQNR")
    if config.quantization.profile is None:
        return
    candidates = [
        (c.name, tuple(fp16_names(comparisons, c.name)))
        for c in comparisons
        if c.precision == "i8" and c.agreement is not None
    ]
    baseline, moves = rank_moves(config, candidates, runs)
    print(f"worst output SQNR as configured: {baseline:.2f} dB; each i8 op tried in FP16:")
    for listed, sqnr_db in moves:
        print(f"  {', '.join(listed):<32} {sqnr_db:7.2f} dB")
    top = [name for listed, _ in moves[:2] for name in listed]
    print(f"most sensitive i8 layers; add to FP16NodeInstanceNames: [{', '.join(top)}]")
