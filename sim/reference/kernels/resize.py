"""The Resize kernel, nearest mode only, following onnx's reference implementation.

Nearest resize is separable: each resized axis maps its output positions to input
indices on its own, and one outer-product gather builds the result.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import FloatAttr

from aicc.base.errors import UserError
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.tensor import ints_prop, positive_axes, str_prop

# Input coordinate of output positions `y` from (scale, input length, output length
# as a real number, output length, roi start, roi end).
Transform = Callable[[np.ndarray, float, int, float, int, float, float], np.ndarray]


def _half_pixel(y: np.ndarray, scale: float, *_: float) -> np.ndarray:
    return (y + 0.5) / scale - 0.5


def _half_pixel_symmetric(
    y: np.ndarray, scale: float, length: int, resized: float, resized_int: int, *_: float
) -> np.ndarray:
    offset = length / 2 * (1 - resized_int / resized)
    return offset + (y + 0.5) / scale - 0.5


def _pytorch_half_pixel(
    y: np.ndarray, scale: float, length: int, resized: float, *_: float
) -> np.ndarray:
    return (y + 0.5) / scale - 0.5 if resized != 1 else np.full(y.shape, -0.5)


def _align_corners(
    y: np.ndarray, scale: float, length: int, resized: float, *_: float
) -> np.ndarray:
    return y * (length - 1) / (resized - 1) if resized != 1 else np.zeros(y.shape)


def _asymmetric(y: np.ndarray, scale: float, *_: float) -> np.ndarray:
    return y / scale


def _tf_crop_and_resize(
    y: np.ndarray,
    scale: float,
    length: int,
    resized: float,
    resized_int: int,
    start: float,
    end: float,
) -> np.ndarray:
    if resized == 1:
        return np.full(y.shape, (end - start) * (length - 1) / 2 + start * (length - 1))
    return y * (end - start) * (length - 1) / (resized - 1) + start * (length - 1)


TRANSFORMS: dict[str, Transform] = {
    "half_pixel": _half_pixel,
    "half_pixel_symmetric": _half_pixel_symmetric,
    "pytorch_half_pixel": _pytorch_half_pixel,
    "align_corners": _align_corners,
    "asymmetric": _asymmetric,
    "tf_crop_and_resize": _tf_crop_and_resize,
}

ROUNDINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "round_prefer_floor": lambda x: np.ceil(x - 0.5),
    "round_prefer_ceil": lambda x: np.floor(x + 0.5),
    "floor": np.floor,
    "ceil": np.ceil,
}


@kernel("onnx.Resize")
def resize(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, roi, scales, sizes = (inputs + [None, None, None])[:4]
    assert x is not None
    index, outside = nearest_indices(op, x.shape, roi, scales, sizes)
    y_out = x[np.ix_(*index)]
    if str_prop(op, "coordinate_transformation_mode") == "tf_crop_and_resize":
        fill = op.properties["extrapolation_value"]
        assert isinstance(fill, FloatAttr)
        y_out = np.where(outside, fill.value.data, y_out).astype(x.dtype)
    return [y_out]


def nearest_indices(
    op: OnnxOp,
    shape: tuple[int, ...],
    roi: np.ndarray | None,
    scales: np.ndarray | None,
    sizes: np.ndarray | None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """The input index each output position reads along each axis, and where the
    output lies outside the input (broadcastable to the output; tf_crop_and_resize
    fills those positions with extrapolation_value)."""
    mode = str_prop(op, "mode")
    if mode != "nearest":
        raise UserError(f"{op.describe()}: Resize mode '{mode}' is not supported (only nearest)")
    rank = len(shape)
    axes = positive_axes(ints_prop(op, "axes") or list(range(rank)), rank)
    out_sizes, axis_scales = _sizes_and_scales(op, shape, axes, scales, sizes)
    transform = TRANSFORMS[str_prop(op, "coordinate_transformation_mode")]
    rounding = ROUNDINGS[str_prop(op, "nearest_mode")]
    bounds = _roi_bounds(roi, len(axes))
    index: list[np.ndarray] = []
    outside = np.zeros((), dtype=np.bool_)
    for axis in range(rank):
        length = shape[axis]
        if axis not in axes:
            index.append(np.arange(length))
            continue
        i = axes.index(axis)
        scale = axis_scales[i]
        start, end = bounds[i]
        y = np.arange(out_sizes[i], dtype=np.float64)
        coords = transform(y, scale, length, scale * length, out_sizes[i], start, end)
        index.append(np.clip(rounding(coords), 0, length - 1).astype(np.intp))
        # Only tf_crop_and_resize reads outside the input; those positions get a constant.
        off = (coords < 0) | (coords > length - 1)
        outside = outside | off.reshape([-1 if a == axis else 1 for a in range(rank)])
    return index, outside


def _roi_bounds(roi: np.ndarray | None, count: int) -> list[tuple[float, float]]:
    """(start, end) of the region of interest of each resized axis; all of it by default."""
    if roi is None or roi.size == 0:
        return [(0.0, 1.0)] * count
    return [(float(roi[i]), float(roi[count + i])) for i in range(count)]


def _sizes_and_scales(
    op: OnnxOp,
    shape: tuple[int, ...],
    axes: list[int],
    scales: np.ndarray | None,
    sizes: np.ndarray | None,
) -> tuple[list[int], list[float]]:
    """Output length and scale of each resized axis, from `sizes` or `scales`."""
    lengths = [shape[a] for a in axes]
    if sizes is None or sizes.size == 0:
        assert scales is not None and scales.size > 0, f"{op.describe()}: no scales nor sizes"
        factors = [float(s) for s in scales]
        return [int(f * n) for f, n in zip(factors, lengths, strict=True)], factors
    factors = [int(s) / n for s, n in zip(sizes, lengths, strict=True)]
    policy = str_prop(op, "keep_aspect_ratio_policy")
    if policy == "stretch":
        return [int(s) for s in sizes], factors
    scale = min(factors) if policy == "not_larger" else max(factors)
    # onnx rounds half up here.
    return [int(scale * n + 0.5) for n in lengths], [scale] * len(axes)
