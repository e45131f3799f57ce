"""The op-support table that `-operators-supported` prints, read off the one
declaration of op support, `aicc.lowering.onnx_to_kernel.support`.

FP32, FP16 and INT8 are the precisions each op kind runs in; the Device column
lists those the device lowering runs it in (a compile refuses any other op,
naming the node).

`onnx.Constant` is not listed: constants run in no precision, they take the
type their users need.
"""

from __future__ import annotations

from aicc.base.precision import Precision
from aicc.dialects.onnx import OPS_BY_TYPE
from aicc.dialects.onnx_ops import ConstantOp
from aicc.lowering.onnx_to_kernel.support import claimed_precisions, device_precisions

_COLUMNS: tuple[tuple[Precision, str], ...] = (("f32", "FP32"), ("f16", "FP16"), ("i8", "INT8"))


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
        supported = claimed_precisions(kind)
        marks = [f"{'yes' if p in supported else '-':<{len(title)}}" for p, title in _COLUMNS]
        lines.append("  ".join([f"{kind:<{width}}", *marks, _device_mark(kind)]))
    return "\n".join(lines)
