"""INT8 kernels of Conv, Gemm and MatMul: exact integer accumulation, per-channel requantize.

With activations `x` (s_x, z_x), weights `w` (s_w per tensor or per output channel,
z_w usually 0) and output (s_y, z_y):

    acc = sum((x - z_x) * (w - z_w)) + bias_acc
    y   = clamp(requantize(acc, quantize_multiplier(s_x * s_w / s_y)) + z_y)

The sum runs in float64 BLAS on the centered integers (through the FP32 kernels,
so Conv reuses their im2col): every product and partial sum is an integer below
K * 255^2 < 2^53, so the float64 result is exact whatever the summation order, and
padding with 0 is padding with the zero point. An accumulator outside int32 is an
error (docs/integer-semantics.md: the compiler guarantees it never happens).

`bias_acc` is the bias in accumulator units (scale `s_x * s_w`, per channel): a
quantized bias (q, s_b, z_b) is `requantize(q - z_b, quantize_multiplier(s_b / s_acc))`,
exactly `q` for the usual int32 bias at `s_acc` (ratio 1); a float bias is
quantized at `s_acc`. Gemm's `alpha` joins the output multiplier and `beta / alpha`
the bias ratio (alpha must be positive).
"""

from __future__ import annotations

import numpy as np

from aicc.base import int8 as q
from aicc.base.errors import UserError
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.quant import UniformQuantizedType, quantized_element
from aicc.sim.reference.kernels import quantized_kernel
from aicc.sim.reference.kernels.conv import conv
from aicc.sim.reference.kernels.linalg import _float
from aicc.sim.reference.kernels.quantized import (
    check_int32,
    input_type,
    operand_type,
    to_result,
)
from aicc.sim.reference.kernels.window import int_attr


def _weight_type(op: OnnxOp, slot: int, channel_axis: int) -> UniformQuantizedType:
    """The weights' type: per tensor, or per axis along the output channels."""
    element = quantized_element(operand_type(op, slot))
    if element is None or element.axis not in (None, channel_axis):
        raise UserError(
            f"{op.describe()}: the INT8 kernel needs quantized weights (input {slot}), "
            f"per tensor or per axis {channel_axis}"
        )
    return element


def _along(values: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    """A 1-D per-channel array shaped to broadcast along `axis` of an `ndim`-D tensor."""
    if values.size == 1:
        return values.reshape(())
    shape = [1] * ndim
    shape[axis] = values.size
    return values.reshape(shape)


def _centered(x: np.ndarray, t: UniformQuantizedType) -> np.ndarray:
    """`x - z` as float64 (exact), zero points along the type's axis."""
    zero_points = _along(t.zero_point_array(), x.ndim, t.axis or 0)
    return x.astype(np.float64) - zero_points


def _exact(acc: np.ndarray) -> np.ndarray:
    """A float64 accumulator holding integers, as int64."""
    return np.rint(acc).astype(np.int64)


def _bias_acc(
    op: OnnxOp, slot: int, bias: np.ndarray, s_acc: np.ndarray, ratio: float = 1.0
) -> np.ndarray:
    """`ratio` times the bias in accumulator units (`s_acc` broadcasts against `bias`)."""
    t = quantized_element(operand_type(op, slot))
    try:
        if t is None:
            return q.accumulator_bias(bias, s_acc, ratio=ratio)
        axis = t.axis or 0
        scales = _along(t.scale_array(), bias.ndim, axis)
        zero_points = _along(t.zero_point_array(), bias.ndim, axis)
        return q.accumulator_bias(
            bias, s_acc, bias_scale=scales, bias_zero_point=zero_points, ratio=ratio
        )
    except ValueError as e:
        raise UserError(f"{op.describe()}: {e}") from None


@quantized_kernel("onnx.Conv")
def conv_i8(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, w = inputs[0], inputs[1]
    bias = inputs[2] if len(inputs) > 2 else None
    assert x is not None and w is not None
    tx, tw = input_type(op), _weight_type(op, 1, 0)
    (acc_f,) = conv(op, [_centered(x, tx), _centered(w, tw), None])
    acc = _exact(acc_f)
    s_acc = tx.scale * tw.scale_array()
    channels = _along(s_acc, acc.ndim, 1)
    if bias is not None:
        acc += _along(_bias_acc(op, 2, bias, s_acc if s_acc.size > 1 else s_acc[0]), acc.ndim, 1)
    return [to_result(op, check_int32(op, acc), channels)]


@quantized_kernel("onnx.MatMul")
def matmul_i8(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    ta, tb = input_type(op), _weight_type(op, 1, max(b.ndim - 1, 0))
    if b.ndim == 1 and tb.is_per_axis:
        raise UserError(f"{op.describe()}: a 1-D per-axis B has no output channels")
    acc = _exact(np.matmul(_centered(a, ta), _centered(b, tb)))
    s_acc = ta.scale * tb.scale_array()
    return [to_result(op, check_int32(op, acc), s_acc if s_acc.size > 1 else s_acc[0])]


@quantized_kernel("onnx.Gemm")
def gemm_i8(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    c = inputs[2] if len(inputs) > 2 else None
    assert a is not None and b is not None
    alpha, beta = _float(op, "alpha"), _float(op, "beta")
    if alpha <= 0:
        raise UserError(f"{op.describe()}: the INT8 kernel needs alpha > 0, not {alpha}")
    trans_b = int_attr(op, "transB") == 1
    ta, tb = input_type(op), _weight_type(op, 1, 0 if trans_b else 1)
    a_c, b_c = _centered(a, ta), _centered(b, tb)
    acc = _exact(np.matmul(a_c.T if int_attr(op, "transA") else a_c, b_c.T if trans_b else b_c))
    s_acc = ta.scale * tb.scale_array()
    s_acc = s_acc if s_acc.size > 1 else s_acc[0]
    if c is not None and beta != 0.0:
        acc += _gemm_bias(op, c, acc.shape, s_acc, beta / alpha)
    return [to_result(op, check_int32(op, acc), s_acc * alpha)]


def _gemm_bias(
    op: OnnxOp, c: np.ndarray, shape: tuple[int, ...], s_acc: float | np.ndarray, ratio: float
) -> np.ndarray:
    """C in accumulator units, broadcast to the output; a negative ratio negates C."""
    sign = -1 if ratio < 0 else 1
    full = _bias_acc(op, 2, c, np.asarray(s_acc), abs(ratio))
    return sign * np.broadcast_to(full, shape)
