"""Conv, Gemm, MatMul and BatchNormalization in `lower-onnx-to-kernel`.

Weights are re-laid out at compile time into new constant blobs: Conv W from
OIHW to HWIO (a per-channel quantized type's axis moves from 0 to 3), Gemm B to
[K, N]. Each op absorbs the activation after it (see `activation`).
A BatchNormalization left after `fuse-conv-bn` becomes `kernel.scale_shift` with
per-channel f32 `scale = gamma / sqrt(var + eps)`, `shift = beta - mean * scale`
(computed in float64 once; f32 parameters keep an f16 BN within its rounding).

Float operands computed at run time run too: Conv weights are moved into HWIO on
the device (a transpose), a Conv bias is added after the conv (the device reads a
conv bias as a constant, so the activation after it does not fuse), and
BatchNormalization's scale and shift are computed by elementwise ops in the
reference's order. A 1-D MatMul operand is a one-row (A) or one-column (B) matrix.
"""

from __future__ import annotations

from math import prod

import numpy as np
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, StringAttr, f32, f64
from xdsl.ir import Operation, SSAValue

from aicc.dialects import kernel
from aicc.dialects.elements import shape_of
from aicc.dialects.onnx_ops import BatchNormalizationOp, ConvOp, GemmOp, MatMulOp
from aicc.lowering.onnx_to_kernel.activation import emit_binary, f64_array, fused_activation
from aicc.lowering.onnx_to_kernel.builder import (
    Buffer,
    Lowering,
    element_of,
    lifted,
    moved_axis,
    names_of,
    permuted,
    quantized,
)
from aicc.lowering.onnx_to_kernel.registry import ANY, FLOAT, lowers
from aicc.sim.reference.kernels.window import window_of


def _weights(
    lw: Lowering,
    op: Operation,
    value: SSAValue,
    perm: tuple[int, ...],
    axis: int,
    shape: tuple[int, ...] | None = None,
) -> Buffer:
    """Constant weights (first reshaped to `shape` if given) transposed by `perm` into a
    new blob; `axis` is the output-channel axis after the transpose (where a
    per-channel quantized type must point)."""
    array = lw.constant_array(value)
    if array is None:
        return _runtime_weights(lw, op, value, perm, shape)
    if shape is not None:
        array = array.reshape(shape)
    element = element_of(value)
    q = quantized(value)
    if q is not None and q.is_per_axis and any(q.zero_points):
        raise lw.fail(op, "per-channel weights need zero point 0 on the device")
    hint = f"{getattr(op, 'first_output_name', 'w')}.w"
    return lw.const(array.transpose(perm), moved_axis(element, axis), hint)


def _runtime_weights(
    lw: Lowering,
    op: Operation,
    value: SSAValue,
    perm: tuple[int, ...],
    shape: tuple[int, ...] | None,
) -> Buffer:
    """Float weights computed at run time, moved into the kernel's layout on the device."""
    if quantized(value) is not None:
        raise lw.fail(op, "INT8 weights must be constants on the device")
    names = names_of(op)
    buffer = lw.operand(op, value)
    if shape is not None:
        buffer = lw.reshaped(buffer, shape, names)
    return permuted(lw, buffer, perm, names)


def _bias(lw: Lowering, op: Operation, value: SSAValue | None) -> list[SSAValue]:
    return [] if value is None else [lw.operand(op, value).value]


def _finish(lw: Lowering, op: Operation, fused: Operation | None, out: Buffer) -> None:
    lw.define(op.results[0], out)
    if fused is not None:
        lw.define(fused.results[0], out)
        lw.skip.add(fused)


@lowers("onnx.Conv", precisions=ANY)
def lower_conv(lw: Lowering, op: Operation) -> None:
    """A 1-D Conv runs as a 2-D one with H = 1 (reshapes around it, weights lifted)."""
    assert isinstance(op, ConvOp)
    x_shape, w_shape = shape_of(op.X.type), shape_of(op.W.type)
    if len(x_shape) not in (3, 4):
        raise lw.fail(op, f"only 1-D and 2-D convolutions run on the device (rank {len(x_shape)})")
    window = window_of(op, x_shape[2:], w_shape[2:])
    lift = (1,) if len(x_shape) == 3 else ()
    names = names_of(op)
    x = lw.reshaped(lw.operand(op, op.X), lifted(x_shape), names)
    w = _weights(lw, op, op.W, (2, 3, 1, 0), 3, lifted(w_shape))
    # The device reads a bias as a constant; one computed at run time is added after.
    late_bias = op.B is not None and lw.constant_op(op.B) is None
    bias = [] if late_bias else _bias(lw, op, op.B)
    fused, activation = (None, kernel.NO_ACTIVATION) if late_bias else fused_activation(lw, op)
    result = (fused or op).results[0]
    y_shape = shape_of(result.type)
    out = lw.alloc_for(result, lifted(y_shape))
    # [top, left, bottom, right]; a lifted 1-D conv has no padding along H.
    begin = (*(0 for _ in lift), *window.pads_begin)
    end = (*(0 for _ in lift), *window.pads_end)
    lw.emit(
        kernel.ConvOp(
            [x.value, w.value, *bias],
            out.value,
            names_of(op, *([fused] if fused else [])),
            strides=kernel.i64_array((*lift, *window.strides)),
            dilations=kernel.i64_array((*lift, *window.dilations)),
            pads=kernel.i64_array((*begin, *end)),
            group=IntegerAttr(op.group.value.data, 64),
            activation=activation,
        )
    )
    if late_bias:
        assert op.B is not None
        b = lw.operand(op, op.B)
        out = emit_binary(lw, op, "add", out, b, lifted(y_shape), element_of(result))
    _finish(lw, op, fused, lw.reshaped(out, y_shape, names))


def _transposed(lw: Lowering, op: Operation, buffer: Buffer) -> Buffer:
    """The last two axes of a row-major operand swapped, by a `kernel.transpose`."""
    rank = len(buffer.shape)
    perm = (*range(rank - 2), rank - 1, rank - 2)
    shape = tuple(buffer.shape[p] for p in perm)
    out = lw.alloc(shape, buffer.element, "rowmajor")
    lw.emit(
        kernel.TransposeOp([buffer.value], out.value, names_of(op), perm=kernel.i64_array(perm))
    )
    return out


def _matrix(lw: Lowering, op: Operation, value: SSAValue, transpose: bool, axis: int) -> Buffer:
    """A matmul operand in ONNX order; constants transposed at compile time."""
    if lw.constant_op(value) is not None and len(shape_of(value.type)) == 2:
        return _weights(lw, op, value, (1, 0) if transpose else (0, 1), axis)
    buffer = lw.logical(lw.operand(op, value), names_of(op))
    return _transposed(lw, op, buffer) if transpose else buffer


def _emit_matmul(
    lw: Lowering,
    op: Operation,
    operands: list[SSAValue],
    alpha: float,
    beta: float,
    lifted_shape: tuple[int, ...] | None = None,
) -> None:
    """The matmul into a result of `lifted_shape` when given (a 1-D operand's unit axis
    kept), reshaped to the op's result shape."""
    fused, activation = fused_activation(lw, op)
    result = (fused or op).results[0]
    shape = lifted_shape or shape_of(result.type)
    out = lw.alloc(shape, element_of(result), "rowmajor")
    lw.emit(
        kernel.MatmulOp(
            operands,
            out.value,
            names_of(op, *([fused] if fused else [])),
            activation=activation,
            alpha=FloatAttr(alpha, f64),
            beta=FloatAttr(beta, f64),
        )
    )
    if lifted_shape is not None:
        out = lw.reshaped(out, shape_of(result.type), names_of(op))
    _finish(lw, op, fused, lw.store_logical(out, names_of(op)))


@lowers("onnx.Gemm", precisions=ANY)
def lower_gemm(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, GemmOp)
    a = _matrix(lw, op, op.A, op.transA.value.data == 1, 1)
    b = _matrix(lw, op, op.B, op.transB.value.data == 1, 1)
    beta = op.beta.value.data
    bias = [] if op.C is None or beta == 0.0 else [lw.operand(op, op.C).value]
    _emit_matmul(lw, op, [a.value, b.value, *bias], op.alpha.value.data, beta)


@lowers("onnx.MatMul", precisions=ANY)
def lower_matmul(lw: Lowering, op: Operation) -> None:
    """A 1-D operand runs as a matrix of one row (A) or one column (B), as numpy does."""
    assert isinstance(op, MatMulOp)
    a_shape, b_shape = shape_of(op.A.type), shape_of(op.B.type)
    if min(len(a_shape), len(b_shape)) >= 2:
        a = _matrix(lw, op, op.A, False, 1)
        b = _matrix(lw, op, op.B, False, 1)
        _emit_matmul(lw, op, [a.value, b.value], 1.0, 1.0)
        return
    names = names_of(op)
    a_rows = (1, *a_shape) if len(a_shape) == 1 else a_shape
    b_cols = (*b_shape, 1) if len(b_shape) == 1 else b_shape
    a, b = (
        lw.logical(lw.operand(op, value), names)
        if len(shape) > 1
        else lw.reshaped(lw.operand(op, value), matrix, names)
        for value, shape, matrix in ((op.A, a_shape, a_rows), (op.B, b_shape, b_cols))
    )
    batch = np.broadcast_shapes(a_rows[:-2], b_cols[:-2])
    _emit_matmul(lw, op, [a.value, b.value], 1.0, 1.0, (*batch, a_rows[-2], b_cols[-1]))


def _runtime_scale_shift(lw: Lowering, op: BatchNormalizationOp) -> list[Buffer]:
    """Per-channel scale and shift computed on the device from parameters that are not
    constants, in the reference's order: scale / sqrt(var + eps), bias - mean * that."""
    gamma, beta, mean, var = (
        lw.operand(op, v) for v in (op.scale, op.B, op.input_mean, op.input_var)
    )
    element = element_of(op.scale)
    (channels,) = gamma.shape
    epsilon = np.array([op.epsilon.value.data], kernel.buffer_dtype(gamma.memref))
    eps = lw.const(epsilon, gamma.element, f"{op.first_output_name}.epsilon")

    def binary(kind: str, x: Buffer, y: Buffer) -> Buffer:
        return emit_binary(lw, op, kind, x, y, (channels,), element)

    deviation = lw.alloc((channels,), element)
    lw.emit(
        kernel.ElementwiseOp(
            [binary("add", var, eps).value],
            deviation.value,
            names_of(op),
            kind=StringAttr("sqrt"),
            params=f64_array([]),
        )
    )
    scale = binary("div", gamma, deviation)
    return [scale, binary("sub", beta, binary("mul", mean, scale))]


@lowers("onnx.BatchNormalization", precisions=FLOAT)
def lower_batch_norm(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, BatchNormalizationOp)
    if (
        op.training_mode.value.data != 0
        or op.running_mean is not None
        or op.running_var is not None
    ):
        raise lw.refuse_attribute(op, "training_mode", op.training_mode.value.data)
    shape = shape_of(op.X.type)
    if len(shape) < 2:
        raise lw.fail(op, f"BatchNormalization of rank {len(shape)} is not supported on the device")
    params = [lw.constant_array(v) for v in (op.scale, op.B, op.input_mean, op.input_var)]
    if any(p is None for p in params):
        consts = _runtime_scale_shift(lw, op)
    else:
        gamma, beta, mean, var = (np.asarray(p, np.float64) for p in params)
        scale = gamma / np.sqrt(var + op.epsilon.value.data)
        shift = beta - mean * scale
        name = op.first_output_name
        consts = [
            lw.const(v.astype(np.float32), f32, f"{name}.{role}")
            for v, role in ((scale, "scale"), (shift, "shift"))
        ]
    # Rank 5 and up: the spatial axes but the last one merged, as N, C, H, W.
    shape4 = lifted(shape) if len(shape) <= 4 else (*shape[:2], prod(shape[2:-1]), shape[-1])
    names = names_of(op)
    x = lw.reshaped(lw.operand(op, op.X), shape4, names)
    fused, activation = fused_activation(lw, op)
    result = (fused or op).results[0]
    out = lw.alloc_for(result, shape4)
    lw.emit(
        kernel.ScaleShiftOp(
            [x.value, *(c.value for c in consts)],
            out.value,
            names_of(op, *([fused] if fused else [])),
            activation=activation,
        )
    )
    _finish(lw, op, fused, lw.reshaped(out, shape, names))
