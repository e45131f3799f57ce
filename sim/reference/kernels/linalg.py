"""Matrix product kernels: MatMul (numpy broadcasting rules) and Gemm."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import FloatAttr

from aicc.base.blas import one_blas_thread
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.window import int_attr


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`np.matmul(a, b)` on one BLAS thread: the same float sums on any machine load.

    Profiles, and so bundles, hold these results; see `aicc.base.blas`.
    """
    with one_blas_thread():
        return np.matmul(a, b)


@kernel("onnx.MatMul")
def matmul(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    return [product(a, b)]


def _float(op: OnnxOp, name: str) -> float:
    attr = op.properties.get(name)
    return attr.value.data if isinstance(attr, FloatAttr) else 1.0


@kernel("onnx.Gemm")
def gemm(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    c = inputs[2] if len(inputs) > 2 else None
    a = a.T if int_attr(op, "transA") else a
    b = b.T if int_attr(op, "transB") else b
    y = product(a, b)
    alpha, beta = _float(op, "alpha"), _float(op, "beta")
    if alpha != 1.0:
        y *= y.dtype.type(alpha)
    if c is not None and beta != 0.0:
        y += c if beta == 1.0 else c * c.dtype.type(beta)
    return [y]
