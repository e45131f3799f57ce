"""FP16 kernels against their stated semantics (see `aicc.sim.reference.fp16`).

The ground truth is computed in float64 from the float16-rounded inputs and
rounded to float16 once; a kernel may differ from it by one float16 ulp (its
float32 accumulation may land on the other side of a rounding boundary).
Contraction operands are non-negative: without cancellation the float32
accumulation error stays far below half a float16 ulp, so one ulp is a bound
that holds for every example, not a tolerance that hides bugs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from node_models import node_model

from aicc.frontend.onnx_import import import_model
from aicc.sim.reference.interpreter import run_module

SETTINGS = settings(max_examples=25, deadline=None)


def _values(shape: tuple[int, ...], lo: float, hi: float) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float32, shape, elements=st.floats(lo, hi, width=32))


def _dims(lo: int = 1, hi: int = 5) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


def _fp16(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float16).astype(np.float64)


def assert_within_one_ulp(got: np.ndarray, exact: np.ndarray) -> None:
    want = exact.astype(np.float16)
    ulp = np.spacing(np.abs(want)).astype(np.float64)
    error = np.abs(got.astype(np.float64) - want.astype(np.float64))
    assert got.shape == want.shape
    assert np.all(error <= ulp), f"max error {error.max()} ulps {np.max(error / ulp)}"


def check_both_paths(
    op_type: str,
    inputs: dict[str, np.ndarray],
    weights: dict[str, np.ndarray],
    exact: Callable[[list[np.ndarray]], np.ndarray],
    **attributes: Any,
) -> None:
    """The f16-typed op and the f32 op forced to FP16 both follow the semantics."""
    expected = exact([_fp16(v) for v in [*inputs.values(), *weights.values()]])
    forced_model = node_model(op_type, inputs, weights, **attributes)
    (forced,) = run_module(import_model(forced_model), list(inputs.values()), fp16={"y0"})
    assert forced.dtype == np.float32
    assert_within_one_ulp(forced, expected)
    half_inputs = {k: v.astype(np.float16) for k, v in inputs.items()}
    half_weights = {k: v.astype(np.float16) for k, v in weights.items()}
    native_model = node_model(op_type, half_inputs, half_weights, **attributes)
    (native,) = run_module(import_model(native_model), list(half_inputs.values()))
    assert native.dtype == np.float16
    assert_within_one_ulp(native, expected)


@st.composite
def matmul_operands(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    m, k, n = draw(_dims()), draw(_dims(1, 40)), draw(_dims())
    return draw(_values((m, k), 0, 8)), draw(_values((k, n), 0, 8))


@SETTINGS
@given(matmul_operands())
def test_matmul(operands: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = operands
    check_both_paths("MatMul", {"a": a}, {"b": b}, lambda v: v[0] @ v[1])


@SETTINGS
@given(matmul_operands(), st.floats(0.25, 2), st.floats(0.25, 2), st.booleans())
def test_gemm(
    operands: tuple[np.ndarray, np.ndarray], alpha: float, beta: float, trans_b: bool
) -> None:
    a, b = operands
    c = np.linspace(0, 3, b.shape[1], dtype=np.float32)
    b_stored = np.ascontiguousarray(b.T) if trans_b else b
    alpha, beta = float(np.float32(alpha)), float(np.float32(beta))
    check_both_paths(
        "Gemm",
        {"a": a},
        {"b": b_stored, "c": c},
        lambda v: alpha * (v[0] @ (v[1].T if trans_b else v[1])) + beta * v[2],
        alpha=alpha,
        beta=beta,
        transB=int(trans_b),
    )


def _conv_exact(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    kh, kw = w.shape[2:]
    oh = (xp.shape[2] - kh) // stride + 1
    ow = (xp.shape[3] - kw) // stride + 1
    y = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = xp[
                :, :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride
            ]
            y += np.einsum("nchw,mc->nmhw", patch, w[:, :, i, j])
    return y


@SETTINGS
@given(st.data(), _dims(1, 6), _dims(1, 4), _dims(1, 3), _dims(1, 2), _dims(0, 1))
def test_conv(data: st.DataObject, c: int, m: int, k: int, stride: int, pad: int) -> None:
    size = data.draw(_dims(k, k + 5))
    x = data.draw(_values((1, c, size, size), 0, 4))
    w = data.draw(_values((m, c, k, k), 0, 4))
    check_both_paths(
        "Conv",
        {"x": x},
        {"w": w},
        lambda v: _conv_exact(v[0], v[1], stride, pad),
        strides=[stride, stride],
        pads=[pad] * 4,
    )


@SETTINGS
@given(st.data(), _dims(1, 3), _dims(2, 12))
def test_softmax(data: st.DataObject, rows: int, cols: int) -> None:
    x = data.draw(_values((rows, cols), -8, 8))

    def exact(v: list[np.ndarray]) -> np.ndarray:
        e = np.exp(v[0] - v[0].max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    check_both_paths("Softmax", {"x": x}, {}, exact)
