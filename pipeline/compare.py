"""Per-tensor comparison of a compiled precision configuration against FP32.

`aicc-run MODEL --compare` runs the same inputs through the FP32 reference (the
canonicalized, unfused graph) and through the compiled module, observes every
tensor by name in both runs (quantized tensors as dequantized floats) and
compares them over all inferences: cosine similarity, SQNR in dB and max abs
error. A fused Conv carries its BatchNormalization's name, so it lines up with
the BN tensor of the FP32 run; the Conv tensor it absorbed has no compiled
counterpart and is reported as fused into it.

Which tensor to look at first: `aicc.base.accuracy.DEFAULT_THRESHOLD_DB` marks the first tensor (in
graph order) whose SQNR falls below it.

Which ops to move to FP16: `aicc.tune.sensitivity.rank_moves` predicts each i8
op's move from one noise measurement, without a compile per op. The per-tensor
figures alone do not tell this: an op moved to FP16 still has its output quantized
where an i8 consumer reads it, and averaging ops (GlobalAveragePool) attenuate noise
made upstream, so on tiny_cnn the ops with the lowest SQNR, or the largest SQNR drop
over their input, are the early Convs, and moving those to FP16 lowers the output SQNR.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, ModuleOp, StringAttr

from aicc.base.accuracy import Agreement, agreement
from aicc.base.precision import precision_of
from aicc.dialects.aicc import FUSED_FROM_ATTR
from aicc.dialects.graph import input_ports, main_func
from aicc.dialects.onnx_precision import annotated_ops
from aicc.pipeline.compiler import CompileConfig, compile_model, open_session
from aicc.runtime.inputs import Inference
from aicc.sim.reference.interpreter import Observer, run_module


@dataclass(frozen=True)
class TensorComparison:
    """One tensor of the FP32 graph against its compiled counterpart."""

    name: str
    kind: str
    """The producing ONNX op type, or `input` for a graph input."""
    precision: str
    """The compiled producer's `aicc.precision`; `f32` for graph inputs; empty when
    the tensor has no compiled counterpart."""
    agreement: Agreement | None
    """None when the compiled graph has no such tensor (see `fused_into`)."""
    fused_into: str | None = None
    """The compiled op that absorbed this tensor's producer (a Conv fused into its BN)."""


def compare_tensors(
    config: CompileConfig, inferences: Sequence[Inference]
) -> list[TensorComparison]:
    """Every tensor of the FP32 graph, in graph order, against the compiled configuration.

    Every observed tensor of every inference is kept until the end, so compare
    over a handful of inputs.
    """
    reference = open_session(config)
    compiled = compile_model(replace(config, input_list=None)).module
    ports = reference.inputs()
    want: dict[str, list[np.ndarray]] = {}
    got: dict[str, list[np.ndarray]] = {}
    for run in inferences:
        arrays = run.read(ports)
        run_module(reference.module, arrays, observer=_collector(want))
        run_module(compiled, arrays, observer=_collector(got))
    producers = {name: op for op in annotated_ops(compiled) for name in op.onnx_output_names}
    fused_into = _fused_into(compiled)
    comparisons: list[TensorComparison] = []
    for name, kind in _reference_tensors(reference.module):
        if name not in got:
            comparisons.append(TensorComparison(name, kind, "", None, fused_into.get(name)))
            continue
        measured = agreement(np.concatenate(want[name]), np.concatenate(got[name]))
        op = producers.get(name)
        precision = "f32" if op is None else precision_of(op) or ""
        comparisons.append(TensorComparison(name, kind, precision, measured))
    return comparisons


def first_below(
    comparisons: Sequence[TensorComparison], threshold_db: float
) -> TensorComparison | None:
    """The first tensor in graph order whose SQNR is below `threshold_db`."""
    for c in comparisons:
        if c.agreement is not None and c.agreement.sqnr_db < threshold_db:
            return c
    return None


def fp16_names(comparisons: Sequence[TensorComparison], name: str) -> list[str]:
    """What to list in FP16NodeInstanceNames to move `name`'s producer to FP16.

    A fused Conv needs its Conv and its BatchNormalization both listed, as the spec
    notes, so that they still fuse.
    """
    return [c.name for c in comparisons if c.fused_into == name] + [name]


def _collector(store: dict[str, list[np.ndarray]]) -> Observer:
    def observe(name: str, array: np.ndarray) -> None:
        store.setdefault(name, []).append(np.asarray(array, dtype=np.float32).reshape(-1))

    return observe


def _reference_tensors(module: ModuleOp) -> list[tuple[str, str]]:
    """(name, producing op kind) of every graph input and op output, in graph order."""
    tensors = [(port.name, "input") for port in input_ports(main_func(module))]
    for op in annotated_ops(module):
        tensors.extend((name, op.ONNX_TYPE) for name in op.onnx_output_names)
    return tensors


def _fused_into(module: ModuleOp) -> dict[str, str]:
    """Absorbed tensor name -> the name of the fused op that absorbed it."""
    absorbed: dict[str, str] = {}
    for op in annotated_ops(module):
        attr = op.attributes.get(FUSED_FROM_ATTR)
        if not isinstance(attr, ArrayAttr):
            continue
        for source in attr.data:
            if isinstance(source, StringAttr) and source.data != op.first_output_name:
                absorbed[source.data] = op.first_output_name
    return absorbed
