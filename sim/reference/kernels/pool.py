"""Pooling kernels: MaxPool (with Indices), AveragePool, GlobalAveragePool, GlobalMaxPool (N-D)."""

from __future__ import annotations

import numpy as np

from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.window import (
    Window,
    fold_taps,
    int_attr,
    int_list,
    pad_input,
    window_of,
    windows,
)


def _windows(op: OnnxOp, x: np.ndarray, fill: float) -> tuple[np.ndarray, Window]:
    """The windows view (N, C, *out, *kernel) of `x` padded with `fill`, and its window."""
    window = window_of(op, tuple(x.shape[2:]), int_list(op, "kernel_shape", ()))
    return windows(pad_input(x, window, fill), window), window


@kernel("onnx.MaxPool")
def max_pool(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    view, window = _windows(op, x, fill)
    y = fold_taps(view, np.maximum, len(window.kernel))
    if len(op.results) < 2:
        return [y]
    return [y, _max_indices(view, window, x.shape, int_attr(op, "storage_order"))]


def _max_indices(
    view: np.ndarray, window: Window, shape: tuple[int, ...], storage_order: int
) -> np.ndarray:
    """Flat input indices of the maxima (first in window order on ties), padding excluded."""
    rank = len(window.kernel)
    flat = view.reshape(*view.shape[: 2 + rank], -1)
    tap = np.unravel_index(flat.argmax(axis=-1), window.kernel)
    coords = []
    for axis in range(rank):
        starts = np.arange(window.out[axis]) * window.strides[axis] - window.pads_begin[axis]
        starts = starts.reshape((-1,) + (1,) * (rank - 1 - axis))
        coords.append(starts + tap[axis] * window.dilations[axis])
    spatial = shape[2:]
    # storage_order 1 numbers the spatial positions column-major.
    order = "F" if storage_order == 1 else "C"
    position = np.ravel_multi_index(tuple(coords), spatial, order=order)
    channel = np.arange(shape[0] * shape[1]).reshape(shape[0], shape[1], *(1,) * rank)
    return (channel * int(np.prod(spatial)) + position).astype(np.int64)


@kernel("onnx.AveragePool")
def average_pool(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    view, window = _windows(op, x, 0.0)
    sums = fold_taps(view, np.add, len(window.kernel))
    counts = tap_counts(window, tuple(x.shape[2:]), int_attr(op, "count_include_pad") == 1)
    return [(sums / counts).astype(x.dtype, copy=False)]


def tap_counts(window: Window, spatial: tuple[int, ...], include_pad: bool) -> np.ndarray:
    """Taps counted per output position: the outer product of per-axis counts.

    Explicit (or auto) pads count when `include_pad`; the extension that ceil
    mode adds past the end pads never counts.
    """
    counts = np.ones((), dtype=np.float32)
    ends = window.padded_end(spatial)
    for axis, n in enumerate(spatial):
        pb, pe = window.pads_begin[axis], window.pads_end[axis]
        counted = np.zeros(pb + n + ends[axis], dtype=np.float32)
        counted[0 if include_pad else pb : pb + n + (pe if include_pad else 0)] = 1.0
        taps = np.lib.stride_tricks.sliding_window_view(counted, window.extents[axis])
        taps = taps[: (window.out[axis] - 1) * window.strides[axis] + 1 : window.strides[axis]]
        per_axis = taps[:, :: window.dilations[axis]].sum(axis=-1)
        counts = np.multiply.outer(counts, per_axis)
    return counts


@kernel("onnx.GlobalAveragePool")
def global_average_pool(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    axes = tuple(range(2, x.ndim))
    return [x.mean(axis=axes, keepdims=True, dtype=x.dtype)]


@kernel("onnx.GlobalMaxPool")
def global_max_pool(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x = inputs[0]
    assert x is not None
    return [x.max(axis=tuple(range(2, x.ndim)), keepdims=True)]
