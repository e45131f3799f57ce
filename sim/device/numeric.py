"""Fast exact conversions shared by the matrix and vector units."""

from __future__ import annotations

import numpy as np

_F16_TO_F32 = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)
"""Every float16 bit pattern widened by numpy's own cast: a lookup gives the same bits
as `astype(np.float32)` (NaN payloads included) at a fraction of its cost."""


def widen(x: np.ndarray) -> np.ndarray:
    """`x` as a contiguous float32 array: f16 exactly widened, f32 as is or copied."""
    if x.dtype == np.float16:
        return np.take(_F16_TO_F32, x.view(np.uint16))
    return np.ascontiguousarray(x, dtype=np.float32)
