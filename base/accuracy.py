"""Accuracy metrics between a reference tensor and a compiled one."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD_DB = 30.0
"""An INT8 tensor quantized over its profiled range keeps about 40 dB (8 bits of a
Gaussian-like activation clipped near 4 sigma: 10 log10(12 * 32^2) = 40.9 dB), and
a few layers of accumulated noise cost a few dB more. Below 30 dB a tensor has lost
well over a bit beyond that: its range is badly calibrated or the op is sensitive."""


@dataclass(frozen=True)
class Agreement:
    """How closely `actual` follows `reference`."""

    cosine: float
    sqnr_db: float
    max_abs_error: float

    def text(self) -> str:
        return (
            f"cosine {self.cosine:.6f}  SQNR {self.sqnr_db:7.2f} dB  "
            f"max |err| {self.max_abs_error:.4g}"
        )


def agreement(reference: np.ndarray, actual: np.ndarray) -> Agreement:
    """Cosine similarity, SQNR (signal over error power, in dB) and max abs error.

    An exact match has infinite SQNR; two all-zero tensors have cosine 1.
    """
    ref = np.asarray(reference, dtype=np.float64).reshape(-1)
    got = np.asarray(actual, dtype=np.float64).reshape(-1)
    # NaN or Inf values (from a non-finite weight) give NaN figures, not numpy warnings.
    with np.errstate(all="ignore"):
        error = ref - got
        signal_power = float(np.dot(ref, ref))
        noise_power = float(np.dot(error, error))
        norms = math.sqrt(signal_power) * math.sqrt(float(np.dot(got, got)))
        cosine = float(np.dot(ref, got)) / norms if norms > 0 else float(noise_power == 0)
    if noise_power == 0:
        sqnr = math.inf
    elif signal_power == 0:
        sqnr = -math.inf
    else:
        sqnr = 10 * math.log10(signal_power / noise_power)
    return Agreement(cosine, sqnr, float(np.max(np.abs(error), initial=0.0)))


FP32_RTOL = 1e-5
FP32_ATOL = 1e-6
"""The FP32 device contract: the simulator against the reference interpreter, which
differ only in summation order."""


def mismatch(actual: np.ndarray, reference: np.ndarray, rtol: float, atol: float) -> str | None:
    """None if `actual` is within `atol + rtol * |reference|` everywhere (NaN and infinities
    must match), else one line saying how far it is not."""
    if actual.shape != reference.shape:
        return f"shape {actual.shape}, expected {reference.shape}"
    got = np.asarray(actual, dtype=np.float64)
    want = np.asarray(reference, dtype=np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    error = np.where(same, 0.0, np.abs(got - want))
    bad = ~same & ~(error <= atol + rtol * np.abs(want))
    if not bad.any():
        return None
    worst = int(np.argmax(np.where(bad, np.nan_to_num(error, nan=np.inf), -1.0)))
    return (
        f"{int(bad.sum())} of {bad.size} elements beyond rtol {rtol:.3g}/atol {atol:.3g}; "
        f"worst {got.flat[worst]:.9g} vs {want.flat[worst]:.9g}"
    )


FP16_ULPS = 2.0
"""Float16 ulps (of the output's largest magnitude) between the simulator and the
reference in FP16: each rounds every op's result once, so a result that sits at a
rounding boundary may come out one ulp apart, and one more layer may move it again."""
FALLBACK_STEPS = 2
"""Output quantization steps between the simulator and the reference when float
nodes feed quantized ones: a float result one ulp apart may round to the next step,
and that step may move the next rounding (as test/e2e/test_device.py)."""
DEVICE_ATOL = 1e-5
"""FP32 device against reference, per unit of the output's magnitude. The simulator sums
each dot product in HWIO order over tiles, the reference in im2col order: on a 5x5
Conv over 16 channels an output near zero differs by 1.7e-6 at magnitude 0.86, so the
tests' absolute 1e-6 does not hold for long reductions (as their light-model misses show)."""


def magnitude(array: np.ndarray) -> float:
    finite = np.abs(array[np.isfinite(array)])
    return float(finite.max(initial=0.0))


def within_mixed_bound(
    got: np.ndarray, want: np.ndarray, scale: float, step: float | None, fp16: bool
) -> str | None:
    """The bound of a graph mixing precisions: `FALLBACK_STEPS` steps of a quantized output,
    `FP16_ULPS` float16 ulps of a float one's magnitude where FP16 nodes may feed it
    (`fp16`), else the FP32 contract."""
    if step is not None:
        error = np.abs(got.astype(np.float64) - want.astype(np.float64))
        worst = float(error.max(initial=0.0))
        if worst <= FALLBACK_STEPS * step:
            return None
        return f"max |error| {worst:.6g} = {worst / step:.1f} output steps (bound {FALLBACK_STEPS})"
    if fp16:
        return fp16_problem(got, want, scale)
    return fp32_problem(got, want, scale)


def fp32_problem(got: np.ndarray, want: np.ndarray, scale: float) -> str | None:
    return mismatch(got, want, FP32_RTOL, DEVICE_ATOL * (max(magnitude(want), scale) or 1.0))


def fp16_problem(got: np.ndarray, want: np.ndarray, scale: float) -> str | None:
    # A float16 ulp is 2^-10 of the value's binade; in f32 outputs beyond float16's range
    # (kept kinds) the same relative bound applies.
    size = max(magnitude(want), scale) or 1.0
    return mismatch(got, want, 0.0, FP16_ULPS * 2.0**-10 * size)
