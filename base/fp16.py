"""FP16 semantics: the one definition of how an FP16 kernel rounds.

An FP16 kernel
1. rounds every floating-point input to float16,
2. computes with products accumulated in float32 (float16 values widened to float32;
   float32 BLAS accumulates in float32),
3. rounds every floating-point output to float16.

Values beyond float16's range become +-Inf, as on FP16 hardware.
"""

from __future__ import annotations

import numpy as np


def through_fp16(x: np.ndarray) -> np.ndarray:
    """Float arrays rounded to float16 and widened to float32; others as they are."""
    if not is_float(x):
        return x
    # Profiling reports an overflowing tensor by name, so numpy's warning would only
    # repeat it.
    with np.errstate(over="ignore"):
        return x.astype(np.float16, copy=False).astype(np.float32)


def is_float(x: np.ndarray) -> bool:
    return x.dtype.kind == "f"
