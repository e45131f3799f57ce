"""The precision an `onnx` op runs in, as the `annotate-precision` pass records it.

Every onnx op but `onnx.Constant` carries two discardable attributes,

    {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}

`aicc.precision` is one of `PRECISIONS`; `aicc.precision_reason` says which
resolution rule chose it (one of `REASONS`, see `docs/precision.md`). Later
passes (fusion, quantization, cast insertion) and the precision report read
them through `precision_of`.
"""

from __future__ import annotations

from typing import Literal, get_args

from xdsl.dialects.builtin import StringAttr
from xdsl.ir import Operation

PRECISION_ATTR = "aicc.precision"
REASON_ATTR = "aicc.precision_reason"

Precision = Literal["f32", "f16", "i8"]
Reason = Literal["base", "kept-kind", "fp16-list", "fp16-list-over-kept-kind", "no-int8-kernel"]
PRECISIONS: tuple[Precision, ...] = get_args(Precision)
REASONS: tuple[Reason, ...] = get_args(Reason)


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


def _string_attr(op: Operation, name: str) -> str | None:
    attr = op.attributes.get(name)
    return attr.data if isinstance(attr, StringAttr) else None
