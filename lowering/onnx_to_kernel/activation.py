"""Activations in `lower-onnx-to-kernel`: what fuses into a producer, and the
elementwise ops (unary activations, binary arithmetic, n-ary chains).

An activation fuses into the Conv / Gemm / MatMul / BatchNormalization before it
when it is that op's only user and, in i8, when its result type equals the
producer's (then the one requantization of the producer is exact, and Relu and
Clip reduce to clamps in the result's storage integers). Quantized Clip bounds are
computed here once, exactly as the reference does (`to_type` of each bound).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import DenseArrayBase, FloatAttr, StringAttr, f64
from xdsl.ir import Attribute, Operation

from aicc.base import int8
from aicc.dialects import kernel
from aicc.dialects.elements import shape_of
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ClipOp, LeakyReluOp, ReluOp
from aicc.dialects.quant import UniformQuantizedType
from aicc.lowering.onnx_to_kernel.builder import (
    Buffer,
    Lowering,
    Shape,
    element_of,
    names_of,
    quantized,
)
from aicc.lowering.onnx_to_kernel.registry import ANY, FLOAT, lowers

_F32_MAX = float(np.finfo(np.float32).max)

INT8_UNARY = {"onnx.Relu": "relu", "onnx.Clip": "clip"}
"""The unary ops with an INT8 lowering: clamps in the result's storage integers."""
FLOAT_UNARY = {
    "onnx.LeakyRelu": "leaky_relu",
    "onnx.Sigmoid": "sigmoid",
    "onnx.Tanh": "tanh",
    "onnx.Exp": "exp",
    "onnx.Log": "log",
    "onnx.Abs": "abs",
    "onnx.Neg": "neg",
    "onnx.Sqrt": "sqrt",
    "onnx.Reciprocal": "reciprocal",
    "onnx.Elu": "elu",
    "onnx.Selu": "selu",
    "onnx.Softplus": "softplus",
    "onnx.Softsign": "softsign",
    "onnx.HardSigmoid": "hard_sigmoid",
    "onnx.HardSwish": "hard_swish",
}
UNARY = INT8_UNARY | FLOAT_UNARY
_PARAMS = {
    "onnx.LeakyRelu": ("alpha",),
    "onnx.Elu": ("alpha",),
    "onnx.Selu": ("alpha", "gamma"),
    "onnx.HardSigmoid": ("alpha", "beta"),
}
INT8_BINARY = {"onnx.Add": "add", "onnx.Sub": "sub", "onnx.Mul": "mul"}
FLOAT_BINARY = {"onnx.Div": "div", "onnx.Pow": "pow", "onnx.PRelu": "prelu"}
BINARY = INT8_BINARY | FLOAT_BINARY
NARY = {"onnx.Sum": "add", "onnx.Max": "max", "onnx.Min": "min"}


def f64_array(values: list[float]) -> DenseArrayBase:
    return DenseArrayBase.from_list(f64, values)


def fused_activation(
    lw: Lowering, producer: Operation
) -> tuple[Operation | None, kernel.ActivationAttr]:
    """The activation that fuses into `producer`'s result, and the op it comes from."""
    result = producer.results[0]
    uses = list(result.uses)
    if len(uses) != 1:
        return None, kernel.NO_ACTIVATION
    user = uses[0].operation
    if not isinstance(user, ReluOp | ClipOp | LeakyReluOp) or user.operands[0] is not result:
        return None, kernel.NO_ACTIVATION
    if user.results[0].type != result.type:
        return None, kernel.NO_ACTIVATION
    out = quantized(result)
    if isinstance(user, LeakyReluOp):
        if out is not None:
            return None, kernel.NO_ACTIVATION
        return user, kernel.ActivationAttr.get("leaky_relu", [user.alpha.value.data])
    if isinstance(user, ReluOp):
        return user, kernel.ActivationAttr.get("relu")
    bounds = clip_bounds(lw, user, out)
    return (
        (None, kernel.NO_ACTIVATION)
        if bounds is None
        else (user, kernel.ActivationAttr.get("clip", bounds))
    )


def clip_bounds(lw: Lowering, op: ClipOp, out: UniformQuantizedType | None) -> list[float] | None:
    """[lo, hi] of a Clip with constant (or absent) bounds: real values for a float
    result, the result's storage integers for a quantized one; None if not constant."""
    bounds: list[float] = []
    for value, is_low in ((op.min, True), (op.max, False)):
        array = None if value is None else lw.constant_array(value)
        if value is not None and array is None:
            return None
        if value is None or array is None or array.size == 0:
            open_end = (-_F32_MAX, _F32_MAX) if out is None else (out.qmin, out.qmax)
            bounds.append(float(open_end[0] if is_low else open_end[1]))
        elif out is None:
            bounds.append(float(array.reshape(())))
        else:
            source = quantized(value)
            if source is None or source.is_per_axis:
                raise lw.fail(op, "an INT8 Clip needs per-tensor quantized bounds")
            try:
                bounds.append(float(int8.to_type(array.reshape(()), source, out)))
            except ValueError as e:
                raise lw.fail(op, str(e)) from None
    return bounds


def _unary_params(lw: Lowering, op: OnnxOp) -> list[float]:
    if isinstance(op, ClipOp):
        bounds = clip_bounds(lw, op, quantized(op.results[0]))
        if bounds is None:
            raise lw.fail(op, "INT8 Clip bounds must be constants on the device")
        return bounds
    params: list[float] = []
    for name in _PARAMS.get(op.name, ()):
        attr = op.properties[name]
        assert isinstance(attr, FloatAttr)
        params.append(attr.value.data)
    return params


def _clip_by_tensors(lw: Lowering, op: ClipOp) -> None:
    """A float Clip with bounds computed at run time: max with min, then min with max
    (so min > max gives max everywhere, as ONNX defines)."""
    result = op.output
    shape = shape_of(result.type)
    acc = lw.operand(op, op.input)
    for bound, kind in ((op.min, "max"), (op.max, "min")):
        if bound is None or 0 in shape_of(bound.type):
            continue
        limit = lw.operand(op, bound, len(shape))
        acc = emit_binary(lw, op, kind, acc, limit, shape, element_of(result))
    lw.define(result, acc)


@lowers(*INT8_UNARY, precisions=ANY)
@lowers(*FLOAT_UNARY, precisions=FLOAT)
def lower_unary(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, OnnxOp)
    if (
        isinstance(op, ClipOp)
        and quantized(op.output) is None
        and clip_bounds(lw, op, None) is None
    ):
        _clip_by_tensors(lw, op)
        return
    x = lw.operand(op, op.operands[0])
    out = lw.alloc_for(op.results[0])
    params = _unary_params(lw, op)
    lw.emit(
        kernel.ElementwiseOp(
            [x.value],
            out.value,
            names_of(op),
            kind=StringAttr(UNARY[op.name]),
            params=f64_array(params),
        )
    )
    lw.define(op.results[0], out)


def emit_binary(
    lw: Lowering, op: Operation, kind: str, x: Buffer, y: Buffer, shape: Shape, element: Attribute
) -> Buffer:
    """A new buffer of logical `shape` holding `x <kind> y` (operands already at its rank)."""
    out = lw.alloc(shape, element)
    lw.emit(
        kernel.ElementwiseOp(
            [x.value, y.value],
            out.value,
            names_of(op),
            kind=StringAttr(kind),
            params=f64_array([]),
        )
    )
    return out


@lowers(*INT8_BINARY, precisions=ANY)
@lowers(*FLOAT_BINARY, precisions=FLOAT)
def lower_binary(lw: Lowering, op: Operation) -> None:
    result = op.results[0]
    shape = shape_of(result.type)
    x, y = (lw.operand(op, v, len(shape)) for v in op.operands[:2])
    lw.define(result, emit_binary(lw, op, BINARY[op.name], x, y, shape, element_of(result)))


@lowers(*NARY, precisions=FLOAT)
def lower_nary(lw: Lowering, op: Operation) -> None:
    """Sum / Max / Min as a chain of binary ops; the partial results are temporaries."""
    result = op.results[0]
    shape = shape_of(result.type)
    buffers = [lw.operand(op, v, len(shape)) for v in op.operands]
    acc = buffers[0]
    for index, buffer in enumerate(buffers[1:], 2):
        partial = shape if index == len(buffers) else np.broadcast_shapes(acc.shape, buffer.shape)
        acc = emit_binary(lw, op, NARY[op.name], acc, buffer, partial, element_of(result))
    lw.define(result, acc)
