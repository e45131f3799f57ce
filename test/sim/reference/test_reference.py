"""Reference interpreter: runner contract and the compute-heavy kernels against onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from node_models import node_model, random, run_both

from aicc.base.errors import UserError
from aicc.frontend.onnx_import import import_model
from aicc.sim.reference.interpreter import run_module

TOL = {"rtol": 1e-5, "atol": 1e-5}


def check(
    op_type: str,
    inputs: dict[str, np.ndarray],
    weights: dict[str, np.ndarray] | None = None,
    n_outputs: int = 1,
    **attributes: Any,
) -> None:
    model = node_model(op_type, inputs, weights or {}, n_outputs, **attributes)
    ours, theirs = run_both(model, inputs)
    assert len(ours) == len(theirs)
    for got, want in zip(ours, theirs, strict=True):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, **TOL)


# -- Conv ------------------------------------------------------------------------

CONV_CASES: list[tuple[tuple[int, ...], tuple[int, ...], bool, dict[str, Any]]] = [
    # (X shape, W shape, with bias, attributes)
    ((2, 3, 9, 8), (4, 3, 3, 3), True, {"pads": [1, 1, 1, 1]}),
    ((1, 3, 9, 8), (4, 3, 3, 2), False, {"strides": [2, 3], "pads": [0, 1, 2, 1]}),
    ((1, 3, 11, 10), (4, 3, 3, 3), True, {"dilations": [2, 3], "strides": [1, 2]}),
    ((1, 4, 7, 7), (6, 2, 3, 3), True, {"group": 2, "pads": [1, 1, 1, 1]}),
    ((2, 4, 7, 7), (4, 1, 3, 3), True, {"group": 4, "strides": [2, 2]}),  # depthwise
    ((1, 4, 7, 7), (8, 1, 3, 3), False, {"group": 4, "auto_pad": "SAME_UPPER"}),
    ((1, 3, 8, 9), (2, 3, 4, 3), True, {"auto_pad": "SAME_UPPER", "strides": [3, 2]}),
    ((1, 3, 8, 9), (2, 3, 4, 3), True, {"auto_pad": "SAME_LOWER", "strides": [3, 2]}),
    ((1, 3, 8, 9), (2, 3, 4, 3), True, {"auto_pad": "VALID", "strides": [2, 2]}),
    ((1, 5, 6, 6), (7, 5, 1, 1), True, {}),
    ((2, 3, 13), (4, 3, 3), True, {"strides": [2], "pads": [1, 2], "dilations": [2]}),
    ((1, 2, 5, 6, 7), (3, 2, 3, 2, 3), True, {"pads": [1, 0, 1, 1, 1, 0], "strides": [1, 2, 2]}),
]


@pytest.mark.parametrize("x_shape,w_shape,bias,attributes", CONV_CASES)
def test_conv(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], bias: bool, attributes: dict[str, Any]
) -> None:
    weights = {"w": random(w_shape, 1)}
    if bias:
        weights["b"] = random(w_shape[:1], 2)
    check("Conv", {"x": random(x_shape)}, weights, **attributes)


CONV_TRANSPOSE_CASES: list[tuple[tuple[int, ...], tuple[int, ...], bool, dict[str, Any]]] = [
    ((2, 3, 5, 4), (3, 4, 3, 3), True, {}),
    ((1, 3, 5, 4), (3, 2, 3, 2), False, {"strides": [2, 3], "pads": [1, 0, 2, 1]}),
    ((1, 3, 5, 4), (3, 2, 3, 3), True, {"strides": [2, 2], "output_padding": [1, 0]}),
    ((1, 4, 4, 5), (4, 3, 2, 3), True, {"group": 2, "dilations": [2, 1], "strides": [1, 2]}),
    ((1, 4, 4, 5), (4, 1, 3, 3), True, {"group": 4, "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ((1, 2, 4, 4), (2, 3, 3, 3), True, {"strides": [2, 2], "output_shape": [10, 9]}),
    ((1, 2, 4, 4), (2, 3, 4, 4), True, {"strides": [2, 2], "auto_pad": "SAME_UPPER"}),
    ((1, 2, 4, 4), (2, 3, 4, 4), True, {"strides": [2, 2], "auto_pad": "SAME_LOWER"}),
    ((1, 2, 4, 4), (2, 3, 3, 3), True, {"strides": [2, 2], "auto_pad": "VALID"}),
    # odd total padding: the odd pad goes to the end for SAME_UPPER only
    ((1, 2, 4, 4), (2, 3, 3, 3), True, {"strides": [2, 2], "auto_pad": "SAME_UPPER"}),
    ((1, 2, 4, 4), (2, 3, 3, 3), True, {"strides": [2, 2], "auto_pad": "SAME_LOWER"}),
    ((1, 2, 4, 4), (2, 3, 3, 3), True, {"strides": [2, 2], "output_shape": [8, 7]}),
    (
        (1, 2, 4, 4),
        (2, 3, 3, 3),
        False,
        {"strides": [2, 2], "output_shape": [8, 7], "auto_pad": "SAME_UPPER"},
    ),
    ((2, 3, 6), (3, 2, 3), True, {"strides": [3], "pads": [1, 2], "output_padding": [2]}),
    ((1, 2, 3, 4, 3), (2, 2, 2, 3, 2), True, {"strides": [2, 1, 2], "pads": [0, 1, 0, 1, 1, 0]}),
]


@pytest.mark.parametrize("x_shape,w_shape,bias,attributes", CONV_TRANSPOSE_CASES)
def test_conv_transpose(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], bias: bool, attributes: dict[str, Any]
) -> None:
    weights = {"w": random(w_shape, 1)}
    if bias:
        weights["b"] = random((w_shape[1] * attributes.get("group", 1),), 2)
    check("ConvTranspose", {"x": random(x_shape)}, weights, **attributes)


# -- pooling ---------------------------------------------------------------------

POOL_CASES: list[tuple[tuple[int, ...], dict[str, Any]]] = [
    ((2, 3, 9, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ((1, 2, 9, 8), {"kernel_shape": [3, 2], "strides": [2, 3], "ceil_mode": 1}),
    (
        (1, 2, 9, 8),
        {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 0, 1, 2], "ceil_mode": 1},
    ),
    ((1, 2, 10, 9), {"kernel_shape": [2, 3], "dilations": [2, 2], "strides": [1, 2]}),
    ((1, 2, 9, 8), {"kernel_shape": [3, 2], "strides": [2, 3], "auto_pad": "SAME_UPPER"}),
    ((1, 2, 9, 8), {"kernel_shape": [4, 2], "strides": [2, 3], "auto_pad": "SAME_LOWER"}),
    ((1, 2, 9, 8), {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "VALID"}),
    (
        (1, 2, 8, 8),
        {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "VALID", "ceil_mode": 1},
    ),
    ((2, 3, 11), {"kernel_shape": [3], "strides": [2], "pads": [1, 1]}),
    (
        (1, 2, 5, 6, 7),
        {"kernel_shape": [2, 3, 2], "strides": [1, 2, 2], "pads": [0, 1, 1, 1, 0, 1]},
    ),
]


@pytest.mark.parametrize("x_shape,attributes", POOL_CASES)
def test_max_pool(x_shape: tuple[int, ...], attributes: dict[str, Any]) -> None:
    check("MaxPool", {"x": random(x_shape)}, **attributes)


@pytest.mark.parametrize("storage_order", [0, 1])
@pytest.mark.parametrize("x_shape,attributes", [POOL_CASES[0], POOL_CASES[2], POOL_CASES[3]])
def test_max_pool_indices(
    x_shape: tuple[int, ...], attributes: dict[str, Any], storage_order: int
) -> None:
    check("MaxPool", {"x": random(x_shape)}, n_outputs=2, storage_order=storage_order, **attributes)


@pytest.mark.parametrize("count_include_pad", [0, 1])
@pytest.mark.parametrize("x_shape,attributes", POOL_CASES)
def test_average_pool(
    x_shape: tuple[int, ...], attributes: dict[str, Any], count_include_pad: int
) -> None:
    check("AveragePool", {"x": random(x_shape)}, count_include_pad=count_include_pad, **attributes)


@pytest.mark.parametrize("op_type", ["GlobalAveragePool", "GlobalMaxPool"])
@pytest.mark.parametrize("x_shape", [(2, 3, 5), (1, 3, 4, 5), (1, 2, 3, 4, 5)])
def test_global_pool(op_type: str, x_shape: tuple[int, ...]) -> None:
    check(op_type, {"x": random(x_shape)})


# -- MatMul, Gemm ----------------------------------------------------------------


@pytest.mark.parametrize(
    "a_shape,b_shape",
    [
        ((3, 4), (4, 5)),
        ((4,), (4, 5)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 1, 3, 4), (5, 4, 6)),
        ((2, 3, 4), (4, 2)),
    ],
)
def test_matmul(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> None:
    check("MatMul", {"a": random(a_shape), "b": random(b_shape, 1)})


@pytest.mark.parametrize("c_shape", [None, (5,), (1, 5), (3, 1), (3, 5), ()])
@pytest.mark.parametrize(
    "attributes",
    [{}, {"transA": 1}, {"transB": 1}, {"transA": 1, "transB": 1, "alpha": 0.5, "beta": -2.0}],
)
def test_gemm(c_shape: tuple[int, ...] | None, attributes: dict[str, Any]) -> None:
    a_shape = (4, 3) if attributes.get("transA") else (3, 4)
    b_shape = (5, 4) if attributes.get("transB") else (4, 5)
    weights = {"b": random(b_shape, 1)}
    if c_shape is not None:
        weights["c"] = random(c_shape, 2)
    check("Gemm", {"a": random(a_shape)}, weights, **attributes)


# -- normalization ---------------------------------------------------------------


@pytest.mark.parametrize("x_shape", [(2, 3), (2, 3, 5), (2, 3, 4, 5), (1, 3, 2, 3, 2)])
def test_batch_normalization(x_shape: tuple[int, ...]) -> None:
    c = x_shape[1]
    weights = {
        "scale": random((c,), 1),
        "bias": random((c,), 2),
        "mean": random((c,), 3),
        "var": np.abs(random((c,), 4)) + 0.1,
    }
    check("BatchNormalization", {"x": random(x_shape)}, weights, epsilon=1e-3)


def test_batch_normalization_training_is_refused() -> None:
    c = 3
    weights = {k: np.ones(c, np.float32) for k in ("scale", "bias", "mean", "var")}
    model = node_model(
        "BatchNormalization", {"x": random((2, c, 4))}, weights, n_outputs=3, training_mode=1
    )
    with pytest.raises(UserError, match="BatchNormalization 'y0'.*training_mode"):
        run_module(import_model(model), [random((2, c, 4))])


@pytest.mark.parametrize(
    "attributes", [{"size": 3}, {"size": 5, "alpha": 0.01, "beta": 0.5, "bias": 2.0}]
)
def test_lrn(attributes: dict[str, Any]) -> None:
    check("LRN", {"x": random((2, 6, 4, 3))}, **attributes)


@pytest.mark.parametrize("size", [2, 4])
def test_lrn_even_size(size: int) -> None:
    # onnxruntime refuses even sizes (and onnx's reference sums the wrong axis), so
    # the spec formula is stated here: channels c - floor((size-1)/2) .. c + ceil((size-1)/2).
    x = random((2, 6, 4, 3))
    model = node_model("LRN", {"x": x}, {}, size=size, alpha=0.5)
    (got,) = run_module(import_model(model), [x])
    squares = x.astype(np.float64) ** 2
    lo, hi = (size - 1) // 2, size // 2
    square_sum = np.stack(
        [squares[:, max(0, c - lo) : c + hi + 1].sum(axis=1) for c in range(x.shape[1])], axis=1
    )
    np.testing.assert_allclose(got, x / (1.0 + 0.5 / size * square_sum) ** 0.75, **TOL)


@pytest.mark.parametrize("op_type", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("axis", [-1, 0, 1, 2])
def test_softmax(op_type: str, axis: int) -> None:
    check(op_type, {"x": random((2, 3, 4)) * 30}, axis=axis)


# -- runner ----------------------------------------------------------------------


def _relu_model() -> tuple[Any, np.ndarray]:
    x = random((2, 3, 5, 5))
    model = node_model("Conv", {"x": x}, {"w": random((4, 3, 3, 3), 1)}, pads=[1, 1, 1, 1])
    return import_model(model), x


def test_observer_sees_inputs_and_results() -> None:
    module, x = _relu_model()
    seen: dict[str, np.ndarray] = {}
    (y,) = run_module(module, [x], observer=lambda name, array: seen.setdefault(name, array))
    assert set(seen) == {"x", "y0"}
    assert seen["x"] is x
    np.testing.assert_array_equal(seen["y0"], y)


@pytest.mark.parametrize(
    "inputs,message",
    [
        ([], "takes 1 inputs, 0 given"),
        ([np.zeros((2, 3, 5, 4), np.float32)], "input 'x': shape"),
        ([np.zeros((2, 3, 5, 5), np.float64)], "input 'x': element type float64"),
    ],
)
def test_bad_inputs_are_user_errors(inputs: list[np.ndarray], message: str) -> None:
    module, _ = _relu_model()
    with pytest.raises(UserError, match=message):
        run_module(module, inputs)


def test_splat_weights_stay_lazy() -> None:
    x = random((1, 2, 4, 4))
    weights = {"w": np.full((3, 2, 3, 3), 0.5, np.float32), "b": np.full((3,), 2.0, np.float32)}
    model = node_model("Conv", {"x": x}, weights)
    ours, theirs = run_both(model, {"x": x})
    np.testing.assert_allclose(ours[0], theirs[0], **TOL)


def test_forced_fp16_rounds_an_f32_op() -> None:
    x = random((3, 40))
    model = node_model("MatMul", {"x": x}, {"w": random((40, 7), 1)})
    exact, _ = run_both(model, {"x": x})
    (forced,) = run_module(import_model(model), [x], fp16={"y0"})
    assert forced.dtype == np.float32
    np.testing.assert_array_equal(forced, forced.astype(np.float16).astype(np.float32))
    assert not np.array_equal(forced, exact[0])
    np.testing.assert_allclose(forced, exact[0], rtol=1e-2, atol=1e-2)
