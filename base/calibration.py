"""Quantization parameters and calibration: from a profiled range or histogram to a
scale and zero point (the arithmetic that uses them is `aicc.base.int8`).

Parameters follow Glow's `chooseQuantizationParams` (lib/Quantization/Base): a real
value is `scale * (q - offset)`; the profiled range is widened to contain 0, symmetric
schemas extend the shorter side, the zero point is computed from the end with the
smaller rounding error, forced to 0 for a symmetric range, then clamped and rounded
half away from zero. Like Glow, min/max are float32 and the scale is computed in
float64 and stored as a float32 value. One deliberate difference: a calibrated range
is widened to contain 0 again (Glow's asymmetric KL may cut 0 off and then shifts the
range by clamping the zero point).

Calibration picks a clipping range from a histogram of observed values over
[min, max]: `None` keeps min/max, `KLMinimization` is Glow's `optimizeKL` (window
search over 255 quantized bins minimizing KL(P || Q)), `Percentile` clips at a
percentile, `MSE` minimizes the expected squared quantization error (clipping error
plus `scale^2 / 12` rounding noise for each unclipped value).

Everything is vectorized numpy; the only Python loop is KL's search over windows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from aicc.base.int8 import quantized_range, round_half_away
from aicc.base.profile import TensorProfile

_F32 = np.finfo(np.float32)


class Schema(enum.Enum):
    """How the range maps onto integers (Glow's `quantization::Schema`)."""

    ASYMMETRIC = "asymmetric"
    SYMMETRIC = "symmetric"
    SYMMETRIC_WITH_UINT8 = "symmetric_with_uint8"
    SYMMETRIC_WITH_POWER2_SCALE = "symmetric_with_power2_scale"


class Calibration(enum.Enum):
    """How a clipping range is chosen from a profiled histogram (qaic's names)."""

    NONE = "None"
    KL_MINIMIZATION = "KLMinimization"
    PERCENTILE = "Percentile"
    MSE = "MSE"


class QuantParams(NamedTuple):
    """One `scale` and `offset` (zero point)."""

    scale: float
    offset: int


class ChannelParams(NamedTuple):
    """Per-channel scales and offsets (float64 and int64 arrays)."""

    scales: np.ndarray
    offsets: np.ndarray


@dataclass(frozen=True)
class Histogram:
    """Counts of observed values in equal-width bins over [min, max]."""

    counts: np.ndarray
    min: float
    max: float

    @staticmethod
    def of(values: np.ndarray, num_bins: int = 2048) -> Histogram:
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        low, high = float(values.min()), float(values.max())
        counts, _ = np.histogram(values, bins=num_bins, range=(low, high))
        return Histogram(counts.astype(np.float64), low, high)

    @property
    def edges(self) -> np.ndarray:
        return np.linspace(self.min, self.max, len(self.counts) + 1)

    @property
    def centers(self) -> np.ndarray:
        edges = self.edges
        return (edges[:-1] + edges[1:]) / 2


def _constrain_range(
    low: np.ndarray, high: np.ndarray, schema: Schema, qmin: int, qmax: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Widen to contain 0 and extend symmetric ranges; returns (low, high, symmetric mask)."""
    low = np.minimum(np.asarray(low, dtype=np.float32), np.float32(0))
    high = np.maximum(np.asarray(high, dtype=np.float32), np.float32(0))
    if schema is Schema.ASYMMETRIC:
        return low, high, np.zeros(low.shape, dtype=bool)
    # symmetric_with_uint8 keeps an all-positive range (zero maps to qmin) and falls
    # back to symmetric otherwise.
    symmetric = low < 0 if schema is Schema.SYMMETRIC_WITH_UINT8 else np.ones(low.shape, bool)
    if np.any(symmetric) and qmin >= 0:
        raise ValueError(f"schema {schema.value} needs a signed integer type")
    ratio_low = low.astype(np.float64) / qmin
    ratio_high = high.astype(np.float64) / qmax
    extend_high = symmetric & (ratio_low > ratio_high)
    extend_low = symmetric & ~(ratio_low > ratio_high)
    high = np.where(extend_high, (ratio_low * qmax).astype(np.float32), high)
    low = np.where(extend_low, (ratio_high * qmin).astype(np.float32), low)
    return low, high, symmetric


def _params_for_range(
    low: np.ndarray, high: np.ndarray, schema: Schema, qmin: int, qmax: int
) -> tuple[np.ndarray, np.ndarray]:
    """Glow's scale and nudged zero point for an already constrained range."""
    low = np.maximum(low, np.float32(_F32.min))
    high = np.minimum(high, np.float32(_F32.max))
    scale = (high.astype(np.float64) - low) / (qmax - qmin)
    scale = np.where(scale == 0, 0.1, scale)
    from_min, from_max = qmin - low / scale, qmax - high / scale
    error_min = abs(qmin) + np.abs(low / scale)
    error_max = abs(qmax) + np.abs(high / scale)
    zero_point = np.where(error_min < error_max, from_min, from_max)
    centered = np.abs(np.float32(high + low)) <= _F32.eps
    zero_point = np.where(centered, 0.0, zero_point)
    nudged = np.clip(round_half_away(zero_point), qmin, qmax).astype(np.int64)
    if schema is Schema.SYMMETRIC_WITH_POWER2_SCALE:
        scale = np.exp2(np.ceil(np.log2(scale)))
    return scale.astype(np.float32).astype(np.float64), nudged


def choose_params_array(
    low: np.ndarray, high: np.ndarray, schema: Schema, dtype: np.dtype | type[np.integer]
) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise `choose_params` over arrays of ranges: (scales, offsets)."""
    if np.any(np.asarray(low) > np.asarray(high)):
        raise ValueError("quantization range has min > max")
    qmin, qmax = quantized_range(dtype)
    low, high, _ = _constrain_range(np.asarray(low), np.asarray(high), schema, qmin, qmax)
    return _params_for_range(low, high, schema, qmin, qmax)


def choose_params(
    low: float, high: float, schema: Schema, dtype: np.dtype | type[np.integer]
) -> QuantParams:
    """Glow's parameters for the range [low, high] in integer type `dtype`."""
    scale, offset = choose_params_array(np.array(low), np.array(high), schema, dtype)
    return QuantParams(float(scale), int(offset))


def choose_channelwise_params(
    weights: np.ndarray, axis: int, schema: Schema, dtype: np.dtype | type[np.integer]
) -> ChannelParams:
    """Per-channel parameters (`-enable-channelwise`): one range per index of `axis`."""
    reduce_axes = tuple(i for i in range(weights.ndim) if i != axis % weights.ndim)
    low = np.min(weights, axis=reduce_axes)
    high = np.max(weights, axis=reduce_axes)
    return ChannelParams(*choose_params_array(low, high, schema, dtype))


def weight_params(
    weights: np.ndarray, axis: int | None, schema: Schema
) -> tuple[np.ndarray, np.ndarray]:
    """int8 weight (scales, offsets): one range for all of `weights`, or one per index of
    `axis` (`-enable-channelwise`)."""
    if axis is not None:
        return choose_channelwise_params(weights, axis, schema, np.int8)
    scale, offset = choose_params(float(weights.min()), float(weights.max()), schema, np.int8)
    return np.array(scale), np.array(offset)


def bias_params(input_scale: float, weight_scale: float) -> QuantParams:
    """int32 bias parameters: the accumulator's scale `s_in * s_w` (in float64), offset 0."""
    return QuantParams(input_scale * weight_scale, 0)


def channelwise_bias_params(input_scale: float, weight_scales: np.ndarray) -> ChannelParams:
    """int32 bias parameters for per-channel weights: one accumulator scale per channel."""
    scales = input_scale * np.asarray(weight_scales, dtype=np.float64)
    return ChannelParams(scales, np.zeros(scales.shape, dtype=np.int64))


def rescale_histogram(histogram: Histogram, low: float, high: float) -> Histogram:
    """Redistribute counts onto equal bins over [low, high], uniformly within old bins."""
    if histogram.max == histogram.min:
        counts = np.zeros_like(histogram.counts)
        index = np.searchsorted(np.linspace(low, high, len(counts) + 1), histogram.min) - 1
        counts[np.clip(index, 0, len(counts) - 1)] = histogram.counts.sum()
        return Histogram(counts, low, high)
    cumulative = np.concatenate([[0.0], np.cumsum(histogram.counts)])
    new_edges = np.linspace(low, high, len(histogram.counts) + 1)
    at_edges = np.interp(new_edges, histogram.edges, cumulative)
    if low <= histogram.min and high >= histogram.max:
        # Every value lies inside [low, high]; pin the ends so rounding loses no count.
        at_edges[0], at_edges[-1] = 0.0, cumulative[-1]
    return Histogram(np.diff(at_edges), low, high)


def profile_histogram(entry: TensorProfile) -> Histogram:
    """A profile entry's grid histogram as equal bins over exactly [Min, Max].

    The first used grid bin holds Min and the last one Max, so their counts lie in
    [Min, upper edge) and [lower edge, Max]: they are spread over those, not over the
    whole grid bins, and every count is kept (a lone extreme value, which is what a
    percentile looks for, would otherwise lose most of its count).
    """
    last = int(np.flatnonzero(entry.histogram)[-1])
    counts = entry.histogram[: last + 1].astype(np.float64)
    if entry.min == entry.max:
        return Histogram(counts[:1], entry.min, entry.max)
    edges = entry.bin_edges()[: last + 2]
    edges[0], edges[-1] = entry.min, entry.max
    cumulative = np.concatenate([[0.0], np.cumsum(counts)])
    at_edges = np.interp(np.linspace(entry.min, entry.max, last + 2), edges, cumulative)
    at_edges[0], at_edges[-1] = 0.0, cumulative[-1]
    return Histogram(np.diff(at_edges), entry.min, entry.max)


MIN_CALIBRATION_SAMPLES = 4096
"""Fewest values a histogram calibration trusts. Clipping a range from a sparse
histogram (a classifier's logits: 10 values per inference) throws away real
values: KL divergence on a few dozen samples picks a window around the bulk."""


def calibration_applies(histogram: Histogram, calibration: Calibration) -> bool:
    """Whether `calibration` clips this tensor's range (else min/max is kept)."""
    if calibration is Calibration.NONE:
        return False
    return float(histogram.counts.sum()) >= MIN_CALIBRATION_SAMPLES


def calibrated_params(
    histogram: Histogram,
    schema: Schema,
    dtype: np.dtype | type[np.integer],
    calibration: Calibration = Calibration.NONE,
    percentile: float = 99.99,
) -> QuantParams:
    """Parameters for a profiled tensor: constrain its range, calibrate, then choose."""
    qmin, qmax = quantized_range(dtype)
    low, high, symmetric = _constrain_range(
        np.array(histogram.min), np.array(histogram.max), schema, qmin, qmax
    )
    low_f, high_f = float(low), float(high)
    if not calibration_applies(histogram, calibration):
        return choose_params(low_f, high_f, schema, dtype)
    if histogram.min != histogram.max and low_f < high_f:
        rescaled = rescale_histogram(histogram, low_f, high_f)
        low_f, high_f = calibrate_range(
            rescaled, calibration, bool(symmetric), qmax - qmin, percentile
        )
    return choose_params(low_f, high_f, schema, dtype)


def calibrate_range(
    histogram: Histogram,
    calibration: Calibration,
    symmetric: bool,
    num_levels: int = 255,
    percentile: float = 99.99,
) -> tuple[float, float]:
    """The clipping range chosen by `calibration`; a symmetric range keeps its min/max ratio."""
    if calibration is Calibration.NONE:
        return histogram.min, histogram.max
    if calibration is Calibration.KL_MINIMIZATION:
        low, high = optimize_kl(histogram, symmetric)
    elif calibration is Calibration.PERCENTILE:
        low, high = _percentile_range(histogram, percentile)
    else:
        low, high = _mse_range(histogram, symmetric, num_levels)
    if not symmetric:
        return low, high
    return _keep_ratio(low, high, histogram.min, histogram.max)


def _keep_ratio(low: float, high: float, hist_min: float, hist_max: float) -> tuple[float, float]:
    """Extend the side that was clipped less so that zero still maps to offset 0."""
    ratio_low = low / hist_min if hist_min < 0 else 0.0
    ratio_high = high / hist_max if hist_max > 0 else 0.0
    ratio = max(ratio_low, ratio_high)
    return ratio * hist_min, ratio * hist_max


def _percentile_range(histogram: Histogram, percentile: float) -> tuple[float, float]:
    """The range [-T, T] cut to [min, max], T the `percentile`-th percentile of |x|.

    (100 - percentile)% of all values, zeros included, lie beyond it, counted over both
    tails together: onnxruntime's default (`symmetric=True`: a histogram of |x|) and
    TPU-MLIR's. A range on one side of 0 (a Relu's) spends the whole budget on its far end.
    """
    if not 50 < percentile <= 100:
        raise ValueError(f"percentile must be in (50, 100], got {percentile}")
    cumulative = np.concatenate([[0.0], np.cumsum(histogram.counts)])
    edges = histogram.edges
    # Count at or beyond |x| = t for each candidate t, the edges' magnitudes; it falls as t grows.
    candidates = np.unique(np.abs(edges))
    below = np.interp(-candidates, edges, cumulative)
    above = cumulative[-1] - np.interp(candidates, edges, cumulative)
    outside = below + above
    allowed = cumulative[-1] * (100 - percentile) / 100
    # `outside` is piecewise linear between candidates: interpolate where it meets `allowed`.
    index = int(np.searchsorted(-outside, -allowed, side="right"))
    if index == 0:
        threshold = candidates[0]
    elif index >= len(candidates):
        threshold = candidates[-1]
    else:
        t0, t1 = candidates[index - 1], candidates[index]
        o0, o1 = outside[index - 1], outside[index]
        threshold = t0 + (t1 - t0) * (o0 - allowed) / (o0 - o1) if o0 != o1 else t0
    return max(histogram.min, -float(threshold)), min(histogram.max, float(threshold))


def _condition(hist: np.ndarray, eps_zero: float = 1e-4) -> np.ndarray:
    """Glow's `conditionHistogram`: move a little mass onto empty bins before KL."""
    zero = hist == 0
    num_zeros = int(zero.sum())
    if num_zeros in (0, len(hist)):
        return hist
    eps_nonzero = eps_zero * num_zeros / (len(hist) - num_zeros)
    if eps_nonzero >= 1:
        return hist
    return np.where(zero, eps_zero, hist - eps_nonzero)


def _kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    sum_p, sum_q = p.sum(), q.sum()
    if sum_p == 0 or sum_q == 0:
        return 0.0
    p, q = p / sum_p, q / sum_q
    both = (p > 0) & (q > 0)
    return float(np.sum(p[both] * np.log(p[both] / q[both])))


def _expanded_quantized(window: np.ndarray, p: np.ndarray, num_quantized_bins: int) -> np.ndarray:
    """Q: merge the window into quantized bins (remainder into the last), spread each
    bin's mass evenly over its non-empty source bins where P is non-zero."""
    merged = len(window) // num_quantized_bins
    starts = np.arange(num_quantized_bins) * merged
    sums = np.add.reduceat(window, starts)
    nonzero = np.add.reduceat((window != 0).astype(np.float64), starts)
    per_bin = np.divide(sums, nonzero, out=np.zeros_like(sums), where=nonzero != 0)
    lengths = np.diff(np.append(starts, len(window)))
    return np.where(p != 0, np.repeat(per_bin, lengths), 0.0)


def optimize_kl(
    histogram: Histogram, symmetric: bool, num_quantized_bins: int = 255
) -> tuple[float, float]:
    """Glow's `optimizeKL`: shrink a window over the bins, saturating the clipped mass into
    its end bins (P), and keep the window whose 255-bin approximation Q is closest to P.

    Unlike Glow, the bin holding 0 takes no part in P or Q: zero is the zero point, which
    every window represents exactly, so its mass is no quantization error. A Relu's output
    puts most of its values there; merged with its neighbours into one quantized bin, that
    spike is spread over them in Q and dominates the divergence, which then only falls
    once the window is so narrow that no bins merge (a clip at about a quarter of the range).
    An end of the range at 0 stays there: the range is widened to contain 0 afterwards,
    so a window that leaves it would be scored for a range that is not the one chosen.
    """
    hist = histogram.counts.astype(np.float64)
    num_bins = len(hist)
    if num_bins < num_quantized_bins:
        return histogram.min, histogram.max
    width = (histogram.max - histogram.min) / num_bins
    zero = _zero_bin(histogram)
    if zero is not None:
        hist = hist.copy()
        hist[zero] = 0.0
    prefix = np.concatenate([[0.0], np.cumsum(hist)])
    best, best_range = np.inf, (histogram.min, histogram.max)
    start, stop = 0, num_bins - 1
    while stop - start + 1 >= num_quantized_bins:
        window = hist[start : stop + 1]
        p = window.copy()
        p[0] = prefix[start + 1]
        p[-1] = prefix[num_bins] - prefix[stop]
        q = _expanded_quantized(window, p, num_quantized_bins)
        divergence = _kl_divergence(_condition(p), _condition(q))
        if divergence < best:
            best = divergence
            best_range = (histogram.min + start * width, histogram.min + (stop + 1) * width)
        start, stop = _next_window(hist, start, stop, symmetric, zero)
    return best_range


def _zero_bin(histogram: Histogram) -> int | None:
    """The index of the bin holding 0, if 0 lies in [min, max]."""
    if not histogram.min <= 0 <= histogram.max or histogram.max == histogram.min:
        return None
    width = (histogram.max - histogram.min) / len(histogram.counts)
    return min(int(-histogram.min // width), len(histogram.counts) - 1)


def _next_window(
    hist: np.ndarray, start: int, stop: int, symmetric: bool, zero: int | None
) -> tuple[int, int]:
    """Shrink symmetrically, or for asymmetric ranges on the side that loses least mass
    (never past the bin holding 0)."""
    if symmetric:
        return start + 1, stop - 1
    if zero is not None and start == zero:
        return start, stop - 2
    if zero is not None and stop == zero:
        return start + 2, stop
    both = hist[start] + hist[stop]
    left = hist[start] + hist[start + 1]
    right = hist[stop] + hist[stop - 1]
    choice = int(np.argmin([both, left, right]))
    return [(start + 1, stop - 1), (start + 2, stop), (start, stop - 2)][choice]


def _mse_range(histogram: Histogram, symmetric: bool, num_levels: int) -> tuple[float, float]:
    """The range minimizing sum(count * clip error^2) + unclipped count * scale^2 / 12,
    over a grid of candidate ends (evaluated in closed form from prefix sums)."""
    centers, counts = histogram.centers, histogram.counts
    fractions = np.linspace(0, 1, 129)[1:]
    if symmetric:
        lows, highs = histogram.min * fractions, histogram.max * fractions
    else:
        lows = np.repeat(histogram.min * fractions, len(fractions))
        highs = np.tile(histogram.max * fractions, len(fractions))
    below = np.searchsorted(centers, lows)
    above = np.searchsorted(centers, highs, side="right")
    sums = [np.concatenate([[0.0], np.cumsum(counts * centers**k)]) for k in range(3)]
    total = [s[-1] for s in sums]
    low_err = lows**2 * sums[0][below] - 2 * lows * sums[1][below] + sums[2][below]
    high_n = [total[k] - sums[k][above] for k in range(3)]
    high_err = highs**2 * high_n[0] - 2 * highs * high_n[1] + high_n[2]
    inside = sums[0][above] - sums[0][below]
    scale = np.maximum(highs - lows, np.finfo(np.float64).tiny) / num_levels
    mse = low_err + high_err + inside * scale**2 / 12
    best = int(np.argmin(mse))
    return float(lows[best]), float(highs[best])
