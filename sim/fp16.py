"""FP16 kernel semantics, the one definition used by the reference interpreter.

An FP16 kernel
1. rounds every floating-point input to float16,
2. computes with products accumulated in float32 (it runs the FP32 kernel on the
   float16-rounded values widened to float32; float32 BLAS accumulates in float32),
3. rounds every floating-point output to float16.

An op typed with f16 elements returns float16 arrays. An f32 op forced onto its
FP16 kernel (node precision) returns the float16-rounded values as float32, so
the graph around it keeps its f32 types.
"""

from __future__ import annotations

import numpy as np

from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.kernels import Kernel


def run_fp16(
    fp32_kernel: Kernel, op: OnnxOp, inputs: list[np.ndarray | None], result_dtypes: list[np.dtype]
) -> list[np.ndarray]:
    """Run `fp32_kernel` with FP16 semantics; outputs take `result_dtypes`."""
    widened = [None if x is None else _through_fp16(x) for x in inputs]
    outputs = fp32_kernel(op, widened)
    return [
        _through_fp16(y).astype(dtype, copy=False) if _is_float(y) else y
        for y, dtype in zip(outputs, result_dtypes, strict=True)
    ]


def _through_fp16(x: np.ndarray) -> np.ndarray:
    """Float arrays rounded to float16 and widened to float32; others as they are."""
    if not _is_float(x):
        return x
    # Values beyond float16's range become +-Inf, as on FP16 hardware; profiling
    # reports such a tensor by name, so numpy's warning would only repeat it.
    with np.errstate(over="ignore"):
        return x.astype(np.float16, copy=False).astype(np.float32)


def _is_float(x: np.ndarray) -> bool:
    return x.dtype.kind == "f"
