"""Normalization kernels: BatchNormalization (inference), LRN, Softmax, LogSoftmax."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import FloatAttr, IntegerAttr

from aicc.base.errors import UserError
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.window import int_attr


def _float(op: OnnxOp, name: str) -> float:
    attr = op.properties.get(name)
    assert isinstance(attr, FloatAttr), f"{op.describe()}: no float attribute '{name}'"
    return attr.value.data


@kernel("onnx.BatchNormalization")
def batch_normalization(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, scale, bias, mean, var = inputs[:5]
    assert x is not None and scale is not None and bias is not None
    assert mean is not None and var is not None
    if int_attr(op, "training_mode"):
        raise UserError(f"{op.describe()}: training_mode=1 is not supported (inference only)")
    channel = (-1,) + (1,) * (x.ndim - 2)
    # Folding the statistics into one scale and shift per channel, like onnxruntime.
    factor = scale / np.sqrt(var + var.dtype.type(_float(op, "epsilon")))
    shift = bias - mean * factor
    y = x * factor.reshape(channel)
    y += shift.reshape(channel)
    return [y]


@kernel("onnx.LRN")
def lrn(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    size_attr = op.properties.get("size")
    assert isinstance(size_attr, IntegerAttr)
    size = size_attr.value.data
    alpha, beta, bias = _float(op, "alpha"), _float(op, "beta"), _float(op, "bias")
    before, after = (size - 1) // 2, size // 2
    widths = [(0, 0), (before, after)] + [(0, 0)] * (x.ndim - 2)
    squares = np.pad(np.square(x), widths)
    square_sum = np.lib.stride_tricks.sliding_window_view(squares, size, axis=1).sum(axis=-1)
    t = x.dtype.type
    return [x / (t(bias) + t(alpha / size) * square_sum) ** t(beta)]


def _axis(op: OnnxOp, rank: int) -> int:
    axis = int_attr(op, "axis")
    if not -rank <= axis < rank:
        raise UserError(f"{op.describe()}: axis {axis} out of range for rank {rank}")
    return axis % rank


@kernel("onnx.Softmax")
def softmax(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(op, x.ndim)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return [e / e.sum(axis=axis, keepdims=True)]


@kernel("onnx.LogSoftmax")
def log_softmax(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axis = _axis(op, x.ndim)
    shifted = x - x.max(axis=axis, keepdims=True)
    return [shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))]
