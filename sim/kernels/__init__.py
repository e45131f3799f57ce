"""FP32 kernels of the reference interpreter, one registry for every `onnx` op.

A kernel takes the op (for its properties) and its input arrays in ONNX input
order (None for an absent optional input) and returns one array per result.
Kernels are vectorized numpy; FP16 execution wraps them (see `aicc.sim.fp16`).
Each family module registers its kernels with `@kernel("onnx.Xxx")`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aicc.dialects.onnx_base import OnnxOp

Kernel = Callable[[OnnxOp, list[np.ndarray | None]], list[np.ndarray]]
KERNELS: dict[str, Kernel] = {}


def kernel(*op_names: str) -> Callable[[Kernel], Kernel]:
    def register(fn: Kernel) -> Kernel:
        for name in op_names:
            KERNELS[name] = fn
        return fn

    return register
