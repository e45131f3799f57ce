"""Kernels of the reductions with the opset-18 form: axes as an optional input."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.elementwise import result_dtype
from aicc.sim.reference.kernels.tensor import int_prop, positive_axes

Reduction = Callable[[np.ndarray, tuple[int, ...], bool], np.ndarray]


def _lowest(dtype: np.dtype) -> float | int | bool:
    """The identity of max: reducing an empty set gives it (ONNX: -inf)."""
    if dtype == np.bool_:
        return False
    return -np.inf if dtype.kind == "f" else int(np.iinfo(dtype).min)


def _max(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    return np.max(x, axis=axes, keepdims=keepdims, initial=_lowest(x.dtype))


def _mean(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    return np.mean(x, axis=axes, keepdims=keepdims)


def _sum(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    return np.sum(x, axis=axes, keepdims=keepdims)


def _reduce(fn: Reduction) -> Callable[[OnnxOp, list[np.ndarray | None]], list[np.ndarray]]:
    def run(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
        x, axes = (inputs + [None])[:2]
        assert x is not None
        if axes is None or axes.size == 0:
            if int_prop(op, "noop_with_empty_axes"):
                return [x]
            axes = np.arange(x.ndim)
        keepdims = bool(int_prop(op, "keepdims"))
        # An empty mean is nan (0/0), as in ONNX; do not let numpy warn about it.
        with np.errstate(invalid="ignore", divide="ignore"):
            y = fn(x, tuple(positive_axes(axes, x.ndim)), keepdims)
        return [np.asarray(y).astype(result_dtype(op), copy=False)]

    return run


REDUCE_MAX = kernel("onnx.ReduceMax")(_reduce(_max))
REDUCE_MEAN = kernel("onnx.ReduceMean")(_reduce(_mean))
REDUCE_SUM = kernel("onnx.ReduceSum")(_reduce(_sum))
