"""Lowerings of the row-split vector layers: elementwise ops, scale-shift, softmax, LRN.

Float layers run their vector opcode on tiles of the result's type. INT8 Add, Sub and
Mul use the fixed-point multipliers of `aicc.base.int8`; INT8 Relu and Clip are one
`requantize` with narrowed bounds. Softmax and LRN keep the axis they normalize along
whole in every tile.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aicc.base import int8 as q
from aicc.base.errors import UserError
from aicc.dialects import kernel as k
from aicc.dialects.aic import ParamValue, ViewAttr
from aicc.lowering.kernel_to_aic.epilogue import float_act_params
from aicc.lowering.kernel_to_aic.operands import (
    at_rank,
    memref,
    move_params,
    precision,
    quant,
    record_layer,
)
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.row_split import (
    Compute,
    RowSplitLayer,
    emit_row_split,
    vector_compute,
)
from aicc.lowering.kernel_to_aic.streams import CoreStream

_FLOAT_PARAMS = {
    "leaky_relu": ("alpha",),
    "elu": ("alpha",),
    "selu": ("alpha", "gamma"),
    "hard_sigmoid": ("alpha", "beta"),
    "clip": ("min", "max"),
}


def lower_elementwise(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.ElementwiseOp)
    y = builder.tensor(op.output)
    ins = tuple(at_rank(builder.tensor(v), len(y.shape)) for v in op.inputs)
    record_layer(builder, op, "elementwise", 0)
    kind = op.kind.data
    values = [float(v) for v in op.params.get_values()]
    if precision(op.out_type()) != "i8":
        params: dict[str, ParamValue] = {
            name: value
            for name, value in zip(_FLOAT_PARAMS.get(kind, ()), values, strict=True)
            if np.isfinite(value)
        }
        compute = vector_compute(kind, params)
    elif kind in ("add", "sub", "mul"):
        compute = vector_compute(f"q{kind}", _binary_params(op, node))
    else:
        compute = _quantized_unary(op, node, values)
    return emit_row_split(builder, node, RowSplitLayer(y, ins, compute, len(y.shape) - 1))


def _binary_params(op: k.ElementwiseOp, node: str) -> dict[str, ParamValue]:
    """qadd/qsub/qmul parameters: the multipliers of `aicc.base.int8`."""
    ta, tb = (quant(memref(v), node, "an input") for v in op.inputs)
    ty = quant(op.out_type(), node, "the result")
    try:
        if op.kind.data == "mul":
            multiplier, shift = q.quantize_multiplier(ta.scale * tb.scale / ty.scale)
            params: dict[str, ParamValue] = {
                "a_zero_point": ta.zero_point,
                "b_zero_point": tb.zero_point,
            }
        else:
            real_a, real_b, real_out = q.add_multipliers(ta.scale, tb.scale, ty.scale)
            params = {}
            for key, t, real in (("a", ta, real_a), ("b", tb, real_b)):
                m, s = q.quantize_multiplier(real)
                params |= {
                    f"{key}_zero_point": t.zero_point,
                    f"{key}_multiplier": m,
                    f"{key}_shift": s,
                }
            multiplier, shift = q.quantize_multiplier(real_out)
    except ValueError as e:
        raise UserError(f"node '{node}': {e}") from None
    return params | {
        "multiplier": multiplier,
        "shift": shift,
        "zero_point": ty.zero_point,
        "qmin": ty.qmin,
        "qmax": ty.qmax,
    }


def _quantized_unary(op: k.ElementwiseOp, node: str, values: list[float]) -> Compute:
    """i8 Relu and Clip as one `requantize` to the result type with narrowed bounds.

    Relu is `requantize(max(q - z_in, 0))`; requantization is monotone and maps 0 to
    the result's zero point, so that equals `max(requantize(q - z_in), z_out)`. Clip
    moves x to the result type, then clamps to its bounds (result storage integers).
    """
    source = quant(memref(op.inputs[0]), node, "the input")
    target = quant(op.out_type(), node, "the result")
    params = move_params(node, source, target)
    if op.kind.data == "clip":
        params["qmin"] = max(target.qmin, int(values[0]))
        params["qmax"] = min(target.qmax, int(values[1]))
    else:
        params["qmin"] = max(target.qmin, target.zero_point)
    return vector_compute("requantize", params)


def lower_scale_shift(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    """`act(x * scale + shift)` in f32 scratch, rounded once into the result."""
    assert isinstance(op, k.ScaleShiftOp)
    y = builder.tensor(op.output)
    rank = len(y.shape)
    x, scale, shift = (at_rank(builder.tensor(v), rank) for v in op.inputs)
    record_layer(builder, op, "scale_shift", 0)
    params = float_act_params(op.activation)

    def compute(
        stream: CoreStream, tiles: Sequence[ViewAttr], out: ViewAttr, scratch: Sequence[ViewAttr]
    ) -> None:
        stream.vector("mul", tiles[:2], [scratch[0]])
        stream.vector("add", [scratch[0], tiles[2]], [scratch[0]])
        stream.vector("bias_act", [scratch[0]], [out], params)

    layer = RowSplitLayer(y, (x, scale, shift), compute, rank - 1, (np.dtype(np.float32),))
    return emit_row_split(builder, node, layer)


def lower_softmax(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.SoftmaxOp)
    y = builder.tensor(op.output)
    record_layer(builder, op, "softmax", 0)
    # The vector unit normalizes along the last axis: the tiles see `axis` last.
    x = builder.tensor(op.inputs[0])
    axis, rank = op.axis.value.data, len(y.shape)
    if rank == 1:
        x, y, axis, rank = x.reshaped((1, *x.shape)), y.reshaped((1, *y.shape)), 1, 2
    perm = [*(a for a in range(rank) if a != axis), axis]
    x = x.permuted(perm)
    opcode = "log_softmax" if op.log.value.data else "softmax"
    layer = RowSplitLayer(y.permuted(perm), (x,), vector_compute(opcode), rank - 2)
    return emit_row_split(builder, node, layer)


def lower_lrn(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.LrnOp)
    y = builder.tensor(op.output)
    record_layer(builder, op, "lrn", 0)
    params: dict[str, ParamValue] = {
        "size": op.size.value.data,
        "alpha": op.alpha.value.data,
        "beta": op.beta.value.data,
        "bias": op.bias.value.data,
    }
    x = builder.tensor(op.inputs[0])
    layer = RowSplitLayer(y, (x,), vector_compute("lrn", params), len(y.shape) - 2)
    return emit_row_split(builder, node, layer)
