"""Peepholes of the `quant` dialect, applied by xDSL's `canonicalize` pass.

Every rewrite is exact under docs/integer-semantics.md, in particular:
- `quant.dequantize` to a float type other than the expressed type is defined as the
  expressed-type result followed by `quant.convert`; `quant.quantize` of an f16 value
  quantizes its exact f32 widening;
- `quant.requantize` is defined as `quantize(dequantize(x))` through the input's
  expressed type.

Never rewritten: `dequantize(quantize(x))` (rounding and saturation lose information,
so it is not the identity on floats) and `convert(convert(x))` through f16 from f32
(f32 -> f16 rounds). The ops are `Pure`, so producers left without users are erased
by the pass's dead code elimination.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import Float16Type
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from aicc.dialects.quant import (
    ConvertOp,
    DequantizeOp,
    QuantizeOp,
    RequantizeOp,
    UniformQuantizedType,
    float_element,
    quantized_element,
)


def _name(op: QuantizeOp | DequantizeOp | RequantizeOp | ConvertOp) -> str | None:
    return None if op.node_name is None else op.node_name.data


def dequantize_round_trips(t: UniformQuantizedType) -> bool:
    """Whether quantizing the dequantized (expressed-type) value of every `q` gives `q` back.

    With `k = q - zero_point`, the expressed value is `k * scale` rounded to a float
    with p significand bits; dividing by the scale again gives `k` within
    `|k| * 2^(1-p)`, below 1/2 when `|k| <= 2^(p-2)`, as long as `k * scale` stays a
    normal finite float (no underflow to subnormals, no overflow to infinity).
    """
    finfo = np.finfo(np.float16 if isinstance(t.expressed_type, Float16Type) else np.float32)
    zero_points = t.zero_point_array()
    max_k = int(np.max(np.maximum(zero_points - t.qmin, t.qmax - zero_points)))
    scales = t.scale_array()
    return (
        max_k <= 2 ** (finfo.nmant - 1)
        and bool(np.all(scales >= finfo.smallest_normal))
        and bool(np.all(scales * max_k < finfo.max))
    )


def _widening(value: SSAValue) -> ConvertOp | None:
    """The producer of `value` if it is an (exact) f16 -> f32 `quant.convert`."""
    op = value.owner
    if isinstance(op, ConvertOp) and isinstance(float_element(op.input.type), Float16Type):
        return op
    return None


def _dequantize_to_expressed(value: SSAValue) -> DequantizeOp | None:
    """The producer of `value` if it is a `quant.dequantize` to the expressed type."""
    op = value.owner
    if not isinstance(op, DequantizeOp):
        return None
    element = quantized_element(op.input.type)
    expressed = element is not None and float_element(op.output.type) == element.expressed_type
    return op if expressed else None


class QuantizeOfWidening(RewritePattern):
    """`quantize(convert f16->f32 (x))` -> `quantize(x)`: the widening is exact."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: QuantizeOp, rewriter: PatternRewriter) -> None:
        if (convert := _widening(op.input)) is not None:
            rewriter.replace_op(op, QuantizeOp(convert.input, op.output.type, _name(op)))


class QuantizeOfDequantize(RewritePattern):
    """`quantize(dequantize(x))` through the expressed type -> `x` or `requantize(x)`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: QuantizeOp, rewriter: PatternRewriter) -> None:
        if (dequantize := _dequantize_to_expressed(op.input)) is None:
            return
        source = dequantize.input
        if source.type != op.output.type:
            rewriter.replace_op(op, RequantizeOp(source, op.output.type, _name(op)))
            return
        element = quantized_element(source.type)
        if element is not None and dequantize_round_trips(element):
            rewriter.replace_op(op, [], [source])


class ConvertOfDequantize(RewritePattern):
    """`convert(dequantize(x))` from the expressed type -> `dequantize(x)` to the new type."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConvertOp, rewriter: PatternRewriter) -> None:
        if (dequantize := _dequantize_to_expressed(op.input)) is None:
            return
        name = _name(op) or _name(dequantize)
        rewriter.replace_op(op, DequantizeOp(dequantize.input, op.output.type, name))


class ConvertRoundTrip(RewritePattern):
    """`convert f32->f16 (convert f16->f32 (x))` -> `x`; the other order rounds and stays."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ConvertOp, rewriter: PatternRewriter) -> None:
        if (widening := _widening(op.input)) is not None:
            rewriter.replace_op(op, [], [widening.input])


class RequantizeToSameType(RewritePattern):
    """`requantize(x)` to the type of `x` -> `x`, when dequantizing round-trips exactly."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: RequantizeOp, rewriter: PatternRewriter) -> None:
        element = quantized_element(op.input.type)
        if op.input.type != op.output.type or element is None:
            return
        if dequantize_round_trips(element):
            rewriter.replace_op(op, [], [op.input])


PATTERNS_BY_OP: dict[type[Operation], tuple[RewritePattern, ...]] = {
    QuantizeOp: (QuantizeOfWidening(), QuantizeOfDequantize()),
    ConvertOp: (ConvertOfDequantize(), ConvertRoundTrip()),
    RequantizeOp: (RequantizeToSameType(),),
}
