"""FP32 kernels of the reference interpreter, one registry for every `onnx` op.

A kernel takes the op (for its properties) and its input arrays in ONNX input
order (None for an absent optional input) and returns one array per result.
Kernels are vectorized numpy; FP16 execution wraps them (see `aicc.sim.reference.fp16`).
Each family module registers its kernels with `@kernel("onnx.Xxx")`.

INT8 kernels (`QUANTIZED_KERNELS`, `@quantized_kernel("onnx.Xxx")`, in the
`quantized*` modules) have the same signature; for an operand or result whose
element type is `!quant.uniform` the arrays hold its integer storage values, and
the kernel reads scales and zero points from the op's types. They compute the
integer semantics of docs/integer-semantics.md.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from aicc.dialects.onnx_base import OnnxOp

Kernel = Callable[[OnnxOp, list[np.ndarray | None]], list[np.ndarray]]
KERNELS: dict[str, Kernel] = {}
QUANTIZED_KERNELS: dict[str, Kernel] = {}


def _registrar(registry: dict[str, Kernel]) -> Callable[..., Callable[[Kernel], Kernel]]:
    def decorator(*op_names: str) -> Callable[[Kernel], Kernel]:
        def register(fn: Kernel) -> Kernel:
            for name in op_names:
                registry[name] = fn
            return fn

        return register

    return decorator


kernel = _registrar(KERNELS)
"""`@kernel("onnx.Xxx", ...)` registers an FP32 kernel."""
quantized_kernel = _registrar(QUANTIZED_KERNELS)
"""`@quantized_kernel("onnx.Xxx", ...)` registers an INT8 kernel."""
