"""INT8 arithmetic: quantize, dequantize, fixed-point requantization and accumulator
biases, exactly as docs/integer-semantics.md specifies them.

This is the one definition of the integer semantics: the reference interpreter's
kernels, the device simulator and the device lowering's constant tables all compute
with these functions. Everything is vectorized numpy in int64 or float64.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


def quantized_range(dtype: np.dtype | type[np.integer]) -> tuple[int, int]:
    """The integer range used for parameters; int32 is narrowed to int30 like Glow's bias
    range, so that `q - offset` fits int32 and the scale computation stays accurate."""
    dtype = np.dtype(dtype)
    if dtype == np.int32:
        return -(1 << 29), (1 << 29) - 1
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def round_half_away(x: np.ndarray) -> np.ndarray:
    """C's `round`: halves go away from zero."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize(
    x: np.ndarray,
    scale: float | np.ndarray,
    zero_point: int | np.ndarray,
    dtype: np.dtype | type[np.integer],
    *,
    axis: int | None = None,
    storage_range: tuple[int, int] | None = None,
) -> np.ndarray:
    """`clamp(round_half_even(x / scale) + zero_point)` in float64; NaN -> zero point.

    Per-axis parameters (1-D arrays) apply along `axis`.
    """
    dtype = np.dtype(dtype)
    info = np.iinfo(dtype)
    qmin, qmax = storage_range or (int(info.min), int(info.max))
    scale_b, zp_b = _along(scale, x.ndim, axis), _along(zero_point, x.ndim, axis)
    wide = np.asarray(x, dtype=np.float64)
    q = np.rint(wide / scale_b) + zp_b
    q = np.where(np.isnan(q), zp_b, q)
    return np.clip(q, qmin, qmax).astype(dtype)


def dequantize(
    q: np.ndarray,
    scale: float | np.ndarray,
    zero_point: int | np.ndarray,
    *,
    axis: int | None = None,
    expressed: np.dtype | type[np.floating] = np.float32,
    dtype: np.dtype | type[np.floating] | None = None,
) -> np.ndarray:
    """`(q - zero_point) * scale`: exact integer difference, product in float64 rounded to
    the expressed type, then converted to `dtype` (as `quant.convert` would)."""
    scale_b, zp_b = _along(scale, q.ndim, axis), _along(zero_point, q.ndim, axis)
    real = (q.astype(np.int64) - zp_b) * scale_b
    value = real.astype(expressed)
    return value if dtype is None else value.astype(dtype)


def _along(param: float | int | np.ndarray, ndim: int, axis: int | None) -> np.ndarray:
    """A parameter shaped to broadcast along `axis` of an `ndim`-D tensor."""
    array = np.asarray(param)
    if axis is None or array.ndim == 0:
        return array
    shape = [1] * ndim
    shape[axis] = array.size
    return array.reshape(shape)


def quantize_multiplier(real_multiplier: float) -> tuple[int, int]:
    """`(multiplier, shift)` with `real ~= multiplier * 2^-(31 + shift)`, multiplier in
    [2^30, 2^31) (int32), or (0, 0) when `real < 2^-32` (then every int32 product rounds to 0).

    Multipliers >= 1 get negative shifts; the multiplier must stay below 2^29.
    """
    multipliers, shifts = quantize_multipliers(np.array([real_multiplier]))
    return int(multipliers[0]), int(shifts[0])


def quantize_multipliers(real_multipliers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`quantize_multiplier` elementwise (per-channel requantization): int64 arrays."""
    real = np.asarray(real_multipliers, dtype=np.float64)
    if np.any(real < 0) or np.any(~np.isfinite(real)) or np.any(real >= 2.0**29):
        raise ValueError("a requantization multiplier must be finite, >= 0 and < 2^29")
    mantissa, exponent = np.frexp(real)
    multiplier = np.floor(mantissa * 2.0**31 + 0.5).astype(np.int64)
    carry = multiplier == (1 << 31)
    multiplier = np.where(carry, multiplier >> 1, multiplier)
    exponent = np.where(carry, exponent + 1, exponent).astype(np.int64)
    negligible = (real == 0) | (exponent <= -32)
    return np.where(negligible, 0, multiplier), np.where(negligible, 0, -exponent)


def requantize(
    acc: np.ndarray,
    multiplier: int | np.ndarray,
    shift: int | np.ndarray,
    out_zero_point: int | np.ndarray,
    qmin: int,
    qmax: int,
) -> np.ndarray:
    """`clamp(round_half_away(acc * multiplier / 2^(31 + shift)) + zero_point, qmin, qmax)`.

    Exact in int64: |acc| <= 2^31 and multiplier < 2^31 keep the product below 2^62,
    and the rounding right shift adds at most 2^61. Parameters broadcast against `acc`.
    """
    bits = 31 + np.asarray(shift, dtype=np.int64)
    if bits.size and (bits.min() < 1 or bits.max() > 62):
        raise ValueError("requantization shift must be in [-30, 31]")
    wide, factor = np.asarray(acc, dtype=np.int64), np.asarray(multiplier, dtype=np.int64)
    zero_point = np.asarray(out_zero_point, dtype=np.int64)
    shape = np.broadcast_shapes(wide.shape, factor.shape, bits.shape, zero_point.shape)
    # One int64 array updated in place: requantization dominates the INT8 simulator.
    product = np.multiply(wide, factor, out=np.empty(shape, np.int64))
    # Halves away from zero as one floor shift: (p + 2^(b-1) - [p < 0]) >> b.
    negative = product < 0
    product += np.left_shift(1, bits - 1)
    product -= negative
    product >>= bits
    product += zero_point
    np.clip(product, qmin, qmax, out=product)
    return product if product.ndim else product[()]


def accumulator_bias(
    bias: np.ndarray,
    accumulator_scale: float | np.ndarray,
    *,
    bias_scale: float | np.ndarray | None = None,
    bias_zero_point: int | np.ndarray = 0,
    ratio: float = 1.0,
) -> np.ndarray:
    """`ratio` times a bias in accumulator units (int64; scales broadcast against `bias`).

    A float bias (`bias_scale` None) is quantized at the accumulator scale; a quantized
    one (storage integers) is moved there by `requantize(q - z, bias_scale * ratio /
    accumulator_scale)`, exactly `q` for the usual int32 bias at the accumulator scale.
    """
    if bias_scale is None:
        return quantize(bias * ratio, accumulator_scale, 0, np.int32).astype(np.int64)
    centered = bias.astype(np.int64) - np.asarray(bias_zero_point, np.int64)
    real = np.asarray(bias_scale, np.float64) * ratio / accumulator_scale
    multiplier, shift = quantize_multipliers(real)
    int32 = np.iinfo(np.int32)
    return requantize(centered, multiplier, shift, 0, int(int32.min), int(int32.max))


class PerTensor(Protocol):
    """Per-tensor quantization parameters (as a `!quant.uniform` type holds them)."""

    @property
    def scale(self) -> float: ...
    @property
    def zero_point(self) -> int: ...
    @property
    def qmin(self) -> int: ...
    @property
    def qmax(self) -> int: ...
    @property
    def storage_dtype(self) -> np.dtype: ...


def to_type(values: np.ndarray, source: PerTensor, target: PerTensor) -> np.ndarray:
    """Storage values at `source`'s parameters moved to `target`'s:
    `requantize(q - z_in, quantize_multiplier(s_in / s_out)) + z_out`, the identity when
    the parameters are equal (multiplier 2^30, shift -1)."""
    multiplier, shift = quantize_multiplier(source.scale / target.scale)
    centered = values.astype(np.int64) - source.zero_point
    moved = requantize(centered, multiplier, shift, target.zero_point, target.qmin, target.qmax)
    return moved.astype(target.storage_dtype)


ADD_LEFT_SHIFT = 20
"""Headroom bits of Add/Sub: (q - z) < 2^9 shifted by 20 stays below 2^29."""


def add_multipliers(scale_a: float, scale_b: float, scale_out: float) -> tuple[float, float, float]:
    """The real multipliers of an INT8 Add or Sub (TFLite's scheme): each input, shifted
    left by `ADD_LEFT_SHIFT`, moves to the common scale `2 * max(s_a, s_b)`; the sum or
    difference moves from there to the output."""
    common = 2 * max(scale_a, scale_b)
    return scale_a / common, scale_b / common, common / (1 << ADD_LEFT_SHIFT) / scale_out


def add_term(x: np.ndarray, zero_point: int, multiplier: int, shift: int) -> np.ndarray:
    """One input of an INT8 Add or Sub at the common scale (int64, exact to 2^-20 of a step)."""
    int32 = np.iinfo(np.int32)
    shifted = (x.astype(np.int64) - zero_point) << ADD_LEFT_SHIFT
    return requantize(shifted, multiplier, shift, 0, int(int32.min), int(int32.max))
