"""FP16 kernels of the reference interpreter: the FP32 kernel run with the FP16
semantics of `aicc.base.fp16`.

An op typed with f16 elements returns float16 arrays. An f32 op forced onto its
FP16 kernel (node precision) returns the float16-rounded values as float32, so
the graph around it keeps its f32 types.
"""

from __future__ import annotations

import numpy as np

from aicc.base.fp16 import is_float, through_fp16
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import Kernel


def run_fp16(
    fp32_kernel: Kernel, op: OnnxOp, inputs: list[np.ndarray | None], result_dtypes: list[np.dtype]
) -> list[np.ndarray]:
    """Run `fp32_kernel` with FP16 semantics; outputs take `result_dtypes`."""
    widened = [None if x is None else through_fp16(x) for x in inputs]
    outputs = fp32_kernel(op, widened)
    return [
        through_fp16(y).astype(dtype, copy=False) if is_float(y) else y
        for y, dtype in zip(outputs, result_dtypes, strict=True)
    ]
