"""The precision an `onnx` op runs in, as the `annotate-precision` pass records it.

Every onnx op but `onnx.Constant` carries two discardable attributes,

    {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}

`aicc.precision` is one of `PRECISIONS`; `aicc.precision_reason` says which
resolution rule chose it (one of `REASONS`, see `docs/precision.md`). Later
passes (fusion, quantization, cast insertion) and the precision report read
them through `precision_of`.
"""

from __future__ import annotations

from typing import Literal, TypedDict, get_args

from xdsl.dialects.builtin import AnyFloat, Float16Type, ModuleOp, StringAttr, TensorType
from xdsl.ir import Attribute, Operation

from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp

PRECISION_ATTR = "aicc.precision"
REASON_ATTR = "aicc.precision_reason"

Precision = Literal["f32", "f16", "i8"]
Reason = Literal["base", "kept-kind", "fp16-list", "fp16-list-over-kept-kind", "no-int8-kernel"]
PRECISIONS: tuple[Precision, ...] = get_args(Precision)
REASONS: tuple[Reason, ...] = get_args(Reason)


class PrecisionEntry(TypedDict):
    """One op of the precision report."""

    name: str
    """The op's first output name (how node-precision-info and profiles name it)."""
    kind: str
    """The ONNX op type, e.g. `Conv`."""
    precision: str
    reason: str


def precision_of(op: Operation) -> str | None:
    """The op's annotated precision, or None if `annotate-precision` did not reach it."""
    return _string_attr(op, PRECISION_ATTR)


def reason_of(op: Operation) -> str | None:
    """Why the op has its precision (a `REASONS` entry), or None if not annotated."""
    return _string_attr(op, REASON_ATTR)


def set_precision(op: Operation, precision: str, reason: str) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"precision '{precision}' is not one of {', '.join(PRECISIONS)}")
    if reason not in REASONS:
        raise ValueError(f"precision reason '{reason}' is not one of {', '.join(REASONS)}")
    op.attributes[PRECISION_ATTR] = StringAttr(precision)
    op.attributes[REASON_ATTR] = StringAttr(reason)


def original_precision(op: OnnxOp) -> Precision:
    """The float precision the model gave the op: that of its first float result or operand.

    An op with no float tensor (e.g. Shape) counts as f32, the model's float default.
    """
    for value in (*op.results, *op.operands):
        element = _float_element(value.type)
        if element is not None:
            return "f16" if isinstance(element, Float16Type) else "f32"
    return "f32"


def annotated_ops(module: ModuleOp) -> list[OnnxOp]:
    """The ops that carry a precision: every onnx op but onnx.Constant, in walk order."""
    return [op for op in module.walk() if isinstance(op, OnnxOp) and not isinstance(op, ConstantOp)]


def precision_report(module: ModuleOp) -> list[PrecisionEntry]:
    """Each op's final precision and the reason for it, in graph order.

    For the bundle manifest and `-print-precision-report`; the module must have been
    through `annotate-precision`.
    """
    report: list[PrecisionEntry] = []
    for op in annotated_ops(module):
        precision, reason = precision_of(op), reason_of(op)
        if precision is None or reason is None:
            raise ValueError(f"{op.describe()} has no precision: run annotate-precision first")
        report.append(
            PrecisionEntry(
                name=op.first_output_name, kind=op.ONNX_TYPE, precision=precision, reason=reason
            )
        )
    return report


def _string_attr(op: Operation, name: str) -> str | None:
    attr = op.attributes.get(name)
    return attr.data if isinstance(attr, StringAttr) else None


def _float_element(t: Attribute) -> Attribute | None:
    if not isinstance(t, TensorType):
        return None
    element = t.get_element_type()
    return element if isinstance(element, AnyFloat) else None
