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
