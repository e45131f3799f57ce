"""Kernels of the activation ops (elementwise, with their ONNX attributes)."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import FloatAttr

from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.elementwise import present, result_dtype


def float_prop(op: OnnxOp, name: str) -> float:
    attr = op.properties[name]
    assert isinstance(attr, FloatAttr), f"{op.describe()}: '{name}' is not a float"
    return float(attr.value.data)


def _done(op: OnnxOp, y: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(y).astype(result_dtype(op), copy=False)]


def _exp_minus_one(x: np.ndarray) -> np.ndarray:
    # Only the negative half of x is used; clamping keeps exp from overflowing.
    return np.expm1(np.minimum(x, 0))


@kernel("onnx.Relu")
def relu(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return _done(op, np.maximum(x, x.dtype.type(0)))


@kernel("onnx.LeakyRelu")
def leaky_relu(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return _done(op, np.where(x < 0, x * float_prop(op, "alpha"), x))


@kernel("onnx.PRelu")
def prelu(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, slope = present(inputs)
    return _done(op, np.where(x < 0, x * slope, x))


@kernel("onnx.Elu")
def elu(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return _done(op, np.where(x < 0, float_prop(op, "alpha") * _exp_minus_one(x), x))


@kernel("onnx.Selu")
def selu(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    alpha, gamma = float_prop(op, "alpha"), float_prop(op, "gamma")
    return _done(op, gamma * np.where(x <= 0, alpha * _exp_minus_one(x), x))


@kernel("onnx.Sigmoid")
def sigmoid(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    # exp(-logaddexp(0, -x)) = 1 / (1 + exp(-x)) without overflow for large |x|.
    return _done(op, np.exp(-np.logaddexp(0, -x)))


@kernel("onnx.HardSigmoid")
def hard_sigmoid(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    alpha, beta = float_prop(op, "alpha"), float_prop(op, "beta")
    return _done(op, np.clip(alpha * x + beta, 0, 1))


@kernel("onnx.HardSwish")
def hard_swish(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return _done(op, x * np.clip(x / 6 + 0.5, 0, 1))


@kernel("onnx.Tanh")
def tanh(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return _done(op, np.tanh(x))


@kernel("onnx.Softplus")
def softplus(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return _done(op, np.logaddexp(0, x))


@kernel("onnx.Softsign")
def softsign(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return _done(op, x / (1 + np.abs(x)))


@kernel("onnx.Clip")
def clip(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, low, high = (inputs + [None, None])[:3]
    assert x is not None
    # max(min) order: when min > max every element becomes max, as ONNX specifies.
    y = x if low is None else np.maximum(x, low)
    y = y if high is None else np.minimum(y, high)
    return _done(op, y)
