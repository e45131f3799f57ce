"""`aicc-compile`: compile an ONNX model in mixed FP32/FP16/INT8, with qaic-compile's flags.

    aicc-compile -m=model.onnx -input-list-file=list.txt \\
        -node-precision-info=node_precision.yaml -dump-profile=pgq.yaml
    aicc-compile -m=model.onnx -input-list-file=list.txt \\
        -node-precision-info=node_precision.yaml -load-profile=pgq.yaml \\
        -aic-binary-dir=model-bundle [-target=FILE] [-aic-num-cores=N]

The bundle holds the program for the device (see aicc.runtime.bundle); an op the device
cannot run is refused here, naming the node.

Flags take one dash and `=` as qaic-compile's do, or two dashes and a separate
value (`--load-profile pgq.yaml`). A misspelt flag is an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from aicc.api import (
    CompileConfig,
    QuantizationConfig,
    compile,
    dump_profile,
    merge_profile_files,
    write_bundle,
)
from aicc.base.errors import UserError, user_errors_exit_2
from aicc.base.profile import DEFAULT_NUM_HISTOGRAM_BINS
from aicc.dialects.onnx_precision import precision_report
from aicc.pipeline.op_support import format_table
from aicc.tools.cli import (
    add_flag,
    add_input_list_flag,
    add_symbol_argument,
    parse_symbols,
    reject_unknown_flags,
    split_flag_values,
    strict_parser,
)

SCHEMAS = ("asymmetric", "symmetric", "symmetric_with_uint8", "symmetric_with_power2_scale")
CALIBRATIONS = ("None", "KLMinimization", "Percentile", "MSE")


def build_parser() -> argparse.ArgumentParser:
    parser = strict_parser("aicc-compile: compile an ONNX model in mixed FP32/FP16/INT8")
    parser.add_argument("-m", "--model", type=Path, metavar="PATH", help="the ONNX model")
    add_input_list_flag(parser)
    add_flag(
        parser,
        "node-precision-info",
        type=Path,
        metavar="YAML",
        help="YAML file with FP16NodeInstanceNames: op instances (first output names) in FP16",
    )
    add_flag(
        parser,
        "keep-original-precision-for-nodes",
        default="",
        metavar="K1,K2",
        help="op kinds whose every instance keeps the model's original precision",
    )
    given = parser.add_mutually_exclusive_group()
    add_flag(
        given,
        "dump-profile",
        type=Path,
        metavar="PATH",
        help="profile the model over the input list and write the quantization profile",
    )
    add_flag(
        given,
        "load-profile",
        type=Path,
        metavar="PATH",
        help="compile to INT8 with this quantization profile",
    )
    add_flag(
        parser,
        "merge-profiles",
        default="",
        metavar="A,B",
        help="merge profiles of calibration shards into -dump-profile's file",
    )
    add_flag(
        parser,
        "convert-to-fp16",
        action="store_true",
        help="run the whole graph in FP16 (except kept kinds); the INT8 fallback with a profile",
    )
    add_flag(parser, "quantization-schema", choices=SCHEMAS, default="asymmetric")
    add_flag(parser, "quantization-calibration", choices=CALIBRATIONS, default="None")
    add_flag(parser, "percentile-calibration-value", type=float, default=99.999, metavar="P")
    add_flag(parser, "quantization-precision-bias", choices=("Int32", "Int8"), default="Int32")
    add_flag(parser, "enable-channelwise", action="store_true", help="per-channel weight scales")
    add_flag(
        parser, "num-histogram-bins", type=int, default=DEFAULT_NUM_HISTOGRAM_BINS, metavar="N"
    )
    add_flag(
        parser,
        "target",
        type=Path,
        metavar="FILE",
        help="the device description (YAML; default: the shipped Cloud AI 100-class target)",
    )
    add_flag(
        parser,
        "aic-num-cores",
        type=int,
        metavar="N",
        help="use only N of the target's cores (default: all)",
    )
    add_flag(
        parser,
        "aic-binary-dir",
        type=Path,
        metavar="DIR",
        help="where the compiled bundle goes (default: <model stem>-bundle/)",
    )
    add_flag(
        parser,
        "operators-supported",
        action="store_true",
        help="print the op kinds and the precisions each runs in, then exit",
    )
    add_flag(parser, "print-ir-after-all", action="store_true", help="dump the IR after each pass")
    add_flag(
        parser,
        "print-precision-report",
        action="store_true",
        help="print each node's final precision and the reason for it",
    )
    add_symbol_argument(parser)
    return parser


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr)


def _config(args: argparse.Namespace) -> CompileConfig:
    if args.model is None:
        raise UserError("no model: give -m=PATH")
    kept = tuple(k.strip() for k in args.keep_original_precision_for_nodes.split(",") if k.strip())
    quantization = QuantizationConfig(
        node_precision_info=args.node_precision_info,
        keep_original_precision_for_nodes=kept,
        profile=args.load_profile,
        schema=args.quantization_schema,
        calibration=args.quantization_calibration,
        percentile=args.percentile_calibration_value,
        channelwise=args.enable_channelwise,
        precision_bias=args.quantization_precision_bias,
        num_histogram_bins=args.num_histogram_bins,
    )
    return CompileConfig(
        args.model,
        quantization,
        convert_to_fp16=args.convert_to_fp16,
        symbols=parse_symbols(args.onnx_define_symbol),
        input_list=args.input_list_file,
        print_ir_after_all=args.print_ir_after_all,
        target=args.target,
        num_cores=args.aic_num_cores,
    )


def _merge(args: argparse.Namespace) -> None:
    if args.dump_profile is None:
        raise UserError("-merge-profiles needs -dump-profile=PATH for the merged profile")
    paths = [Path(p.strip()) for p in args.merge_profiles.split(",") if p.strip()]
    merge_profile_files(paths, args.dump_profile)
    print(f"Merged {len(paths)} profiles into {args.dump_profile}")


def _dump(config: CompileConfig, output: Path) -> None:
    print("Quantization Profile is being generated.")
    result = dump_profile(config, output, _progress if sys.stderr.isatty() else None)
    print(f"Profiled {len(result.profile.tensors)} tensors over {result.inferences} inferences.")
    print(f"Quantization profile is dumped at {output}")


def _compile(args: argparse.Namespace, config: CompileConfig) -> None:
    compiled = compile(config)
    directory = args.aic_binary_dir or Path(f"{config.model.stem}-bundle")
    write_bundle(compiled, directory)  # lowers to the device first: a refusal ends here
    if config.quantization.profile is not None:
        print("Model is compiled with Int8 precision using PGQ.")
    elif config.convert_to_fp16:
        print("Model is compiled with FP16 precision.")
    else:
        print("Model is compiled with FP32 precision.")
    if args.print_precision_report:
        for entry in precision_report(compiled.module):
            print(
                f"  {entry['name']:<24} {entry['kind']:<20} "
                f"{entry['precision']:<4} {entry['reason']}"
            )
    for output in compiled.accuracy:
        print(f"  output '{output.name}' vs FP32: {output.agreement.text()}")
    print(f"Bundle written to {directory}")


@user_errors_exit_2("aicc-compile")
def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    reject_unknown_flags(parser, raw)
    args = parser.parse_args(split_flag_values(parser, raw))
    if args.operators_supported:
        print(format_table())
        return
    if args.merge_profiles:
        _merge(args)
        return
    config = _config(args)
    if args.dump_profile is not None:
        _dump(config, args.dump_profile)
        return
    _compile(args, config)


if __name__ == "__main__":
    main(sys.argv[1:])
