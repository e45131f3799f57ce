"""Precision queries over `onnx` ops: what the model gave an op, and the report of what
`annotate-precision` decided (for `-print-precision-report` and the bundle manifest)."""

from __future__ import annotations

from typing import TypedDict

from xdsl.dialects.builtin import AnyFloat, Float16Type, ModuleOp, TensorType
from xdsl.ir import Attribute

from aicc.base.precision import Precision, precision_of, reason_of
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp


class PrecisionEntry(TypedDict):
    """One op of the precision report."""

    name: str
    """The op's first output name (how node-precision-info and profiles name it)."""
    kind: str
    """The ONNX op type, e.g. `Conv`."""
    precision: str
    reason: str


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


def _float_element(t: Attribute) -> Attribute | None:
    if not isinstance(t, TensorType):
        return None
    element = t.get_element_type()
    return element if isinstance(element, AnyFloat) else None
