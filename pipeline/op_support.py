"""Which precisions each ONNX op kind can run in, read off the kernel registries.

The table is never written by hand, so it cannot disagree with what the
reference interpreter executes:
- f32: the op has an FP32 kernel (`aicc.sim.reference.kernels.KERNELS`);
- f16: likewise, because every FP16 kernel is an FP32 kernel run with the
  FP16 semantics of `aicc.sim.reference.fp16`;
- i8: the op has an integer kernel (`aicc.sim.reference.kernels.QUANTIZED_KERNELS`).

The Device column is what the device lowering implements, read off
`aicc.lowering.onnx_to_kernel.DEVICE_SUPPORT`; a compile refuses any other op,
naming the node.

`onnx.Constant` is not listed: constants run in no precision, they take the
type their users need.
"""

from __future__ import annotations

import aicc.sim.reference.interpreter  # noqa: F401  (imports every kernel module, filling the registries)
from aicc.base.precision import Precision
from aicc.dialects.onnx import OPS_BY_TYPE
from aicc.dialects.onnx_ops import ConstantOp
from aicc.lowering.onnx_to_kernel import DEVICE_SUPPORT
from aicc.sim.reference.kernels import KERNELS, QUANTIZED_KERNELS

_COLUMNS: tuple[tuple[Precision, str], ...] = (("f32", "FP32"), ("f16", "FP16"), ("i8", "INT8"))


def supported_precisions(op_type: str) -> frozenset[Precision]:
    """The precisions op kind `op_type` (e.g. `Conv`) has kernels for; empty if unknown."""
    op = OPS_BY_TYPE.get(op_type)
    if op is None:
        return frozenset()
    precisions: set[Precision] = set()
    if op.name in KERNELS:
        precisions |= {"f32", "f16"}
    if op.name in QUANTIZED_KERNELS:
        precisions.add("i8")
    return frozenset(precisions)


def device_precisions(op_type: str) -> frozenset[Precision]:
    """The precisions the device runs op kind `op_type` in; empty if it cannot."""
    op = OPS_BY_TYPE.get(op_type)
    return frozenset() if op is None else DEVICE_SUPPORT.get(op.name, frozenset())


def op_kinds() -> list[str]:
    """Every op kind that runs in a precision (all onnx ops but Constant), sorted."""
    return sorted(t for t, op in OPS_BY_TYPE.items() if op is not ConstantOp)


def _device_mark(op_type: str) -> str:
    device = device_precisions(op_type)
    return ",".join(title for p, title in _COLUMNS if p in device) or "-"


def format_table() -> str:
    """The op kind x {FP32, FP16, INT8, Device} table that `-operators-supported` prints.

    The Device column lists the precisions the device runs the kind in.
    """
    kinds = op_kinds()
    width = max(len("op kind"), *(len(k) for k in kinds))
    header = "  ".join([f"{'op kind':<{width}}", *(title for _, title in _COLUMNS), "Device"])
    lines = [header, "-" * len(header)]
    for kind in kinds:
        supported = supported_precisions(kind)
        marks = [f"{'yes' if p in supported else '-':<{len(title)}}" for p, title in _COLUMNS]
        lines.append("  ".join([f"{kind:<{width}}", *marks, _device_mark(kind)]))
    return "\n".join(lines)
