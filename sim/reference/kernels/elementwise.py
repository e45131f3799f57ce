"""Kernels of the arithmetic and math ops, with numpy (multidirectional) broadcasting.

Every kernel casts its result to the op's result element type, so integer ops
wrap like C and float ops stay in their own precision.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

import numpy as np

from aicc.dialects.elements import dtype_of
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel

Unary = Callable[[np.ndarray], np.ndarray]
Binary = Callable[[np.ndarray, np.ndarray], np.ndarray]


def result_dtype(op: OnnxOp, index: int = 0) -> np.dtype:
    return dtype_of(op.results[index].type)


def present(inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    """The inputs of an op whose inputs are all required."""
    arrays = [a for a in inputs if a is not None]
    assert len(arrays) == len(inputs), "a required input is absent"
    return arrays


def _unary(fn: Unary) -> Callable[[OnnxOp, list[np.ndarray | None]], list[np.ndarray]]:
    def run(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
        (x,) = present(inputs)
        # inf/nan are legitimate results (log(0), sqrt(-1)); numpy would only warn.
        with np.errstate(all="ignore"):
            return [np.asarray(fn(x)).astype(result_dtype(op), copy=False)]

    return run


def _variadic(fn: Binary) -> Callable[[OnnxOp, list[np.ndarray | None]], list[np.ndarray]]:
    def run(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
        with np.errstate(all="ignore"):
            out = reduce(fn, present(inputs))
        return [np.asarray(out).astype(result_dtype(op), copy=False)]

    return run


def divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Div: true division for floats, truncation toward zero for integers."""
    if a.dtype.kind not in "iu" or b.dtype.kind not in "iu":
        return np.true_divide(a, b)
    safe = np.where(b == 0, 1, b)
    quotient = a // safe
    # numpy floors; C truncates: step back toward zero when signs differ and there is a remainder.
    inexact = (a % safe != 0) & ((a < 0) != (safe < 0))
    return np.where(b == 0, 0, quotient + inexact)


def power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # numpy refuses integers to negative integer powers; go through float64 like C's pow.
    if x.dtype.kind in "iu" and y.dtype.kind in "iu":
        return np.power(x.astype(np.float64), y.astype(np.float64))
    return np.power(x, y)


ADD = kernel("onnx.Add")(_variadic(np.add))
SUB = kernel("onnx.Sub")(_variadic(np.subtract))
MUL = kernel("onnx.Mul")(_variadic(np.multiply))
DIV = kernel("onnx.Div")(_variadic(divide))
POW = kernel("onnx.Pow")(_variadic(power))
SUM = kernel("onnx.Sum")(_variadic(np.add))
MAX = kernel("onnx.Max")(_variadic(np.maximum))
MIN = kernel("onnx.Min")(_variadic(np.minimum))

SQRT = kernel("onnx.Sqrt")(_unary(np.sqrt))
EXP = kernel("onnx.Exp")(_unary(np.exp))
LOG = kernel("onnx.Log")(_unary(np.log))
NEG = kernel("onnx.Neg")(_unary(np.negative))
ABS = kernel("onnx.Abs")(_unary(np.abs))
RECIPROCAL = kernel("onnx.Reciprocal")(_unary(np.reciprocal))
