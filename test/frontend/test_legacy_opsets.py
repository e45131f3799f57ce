"""Models of opsets before 7 are upgraded to the latest semantics.

onnxruntime does not guarantee these opsets, so each case states its legacy
meaning in numpy and runs the imported module in the reference interpreter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from aicc.base.errors import UserError
from aicc.frontend.onnx_load import load_module
from aicc.sim.reference.interpreter import run_module

X = np.linspace(-3.0, 3.0, 24, dtype=np.float32).reshape(2, 3, 4)
W3 = np.array([0.5, -2.0, 3.0], dtype=np.float32)
W34 = np.arange(12, dtype=np.float32).reshape(3, 4)


def _model(
    node: onnx.NodeProto, opset: int, weights: dict[str, np.ndarray], x_shape: tuple[int, ...]
) -> onnx.ModelProto:
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in node.output],
        [numpy_helper.from_array(array, name) for name, array in weights.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=3)


def _run(tmp_path: Path, model: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    path = tmp_path / "legacy.onnx"
    onnx.save(model, path)
    return run_module(load_module(path), [x])


def _selu(x: np.ndarray, alpha: float, gamma: float) -> np.ndarray:
    return gamma * np.where(x > 0, x, alpha * (np.exp(x) - 1))


# (node, opset, weights, legacy meaning of the node on X)
_CASES: list[
    tuple[onnx.NodeProto, int, dict[str, np.ndarray], np.ndarray, Callable[..., np.ndarray]]
] = [
    (
        helper.make_node("Add", ["x", "w"], ["y"], broadcast=1, axis=1),
        6,
        {"w": W3},
        X,
        lambda x: x + W3[:, None],
    ),
    (
        helper.make_node("Mul", ["x", "w"], ["y"], broadcast=1, axis=-3, consumed_inputs=[0]),
        1,
        {"w": W3[None, :]},
        X,
        lambda x: x * W3[None, :, None],
    ),
    (
        helper.make_node("Sub", ["x", "w"], ["y"], broadcast=1),
        6,
        {"w": W34},
        X,
        lambda x: x - W34,
    ),
    (
        helper.make_node("Div", ["x", "w"], ["y"], broadcast=1, axis=1),
        6,
        {"w": W34 + 1},
        X,
        lambda x: x / (W34 + 1),
    ),
    (
        helper.make_node("PRelu", ["x", "w"], ["y"]),
        6,
        {"w": W3},
        X,
        lambda x: np.where(x < 0, x * W3[:, None], x),
    ),
    (
        helper.make_node("Gemm", ["x", "b", "c"], ["y"], broadcast=1, transB=1, beta=2.0),
        6,
        {"b": W34, "c": W3},
        X.reshape(6, 4),
        lambda x: x @ W34.T + 2 * W3,
    ),
    (helper.make_node("Reshape", ["x"], ["y"], shape=[4, 6]), 1, {}, X, lambda x: x.reshape(4, 6)),
    (
        helper.make_node("Pad", ["x"], ["y"], paddings=[0, 1, 0, 0, 0, 2], value=1.5),
        1,
        {},
        X,
        lambda x: np.pad(x, [(0, 0), (1, 0), (0, 2)], constant_values=1.5),
    ),
    (
        helper.make_node("Concat", ["x", "x"], ["y"]),
        1,
        {},
        X,
        lambda x: np.concatenate([x, x], axis=1),
    ),
    (
        helper.make_node("Cast", ["x"], ["y"], to="int32"),
        1,
        {},
        X,
        lambda x: x.astype(np.int32),
    ),
    # Selu-1's defaults are the rounded constants, not Selu-6's.
    (helper.make_node("Selu", ["x"], ["y"]), 1, {}, X, lambda x: _selu(x, 1.6732, 1.0507)),
    (helper.make_node("Selu", ["x"], ["y"]), 6, {}, X, lambda x: _selu(x, 1.6732632, 1.0507010)),
    (
        helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], is_test=1),
        6,
        {"s": W3, "b": W3 + 1, "m": W3 - 1, "v": W3 * W3},
        X,
        lambda x: (
            (x - (W3 - 1)[:, None]) / np.sqrt(W3 * W3 + 1e-5)[:, None] * W3[:, None]
            + (W3 + 1)[:, None]
        ),
    ),
]


@pytest.mark.parametrize(
    ("node", "opset", "weights", "x", "meaning"),
    _CASES,
    ids=[f"{n.op_type}-{opset}-{i}" for i, (n, opset, *_) in enumerate(_CASES)],
)
def test_legacy_node_keeps_its_meaning(
    tmp_path: Path,
    node: onnx.NodeProto,
    opset: int,
    weights: dict[str, np.ndarray],
    x: np.ndarray,
    meaning: Callable[[np.ndarray], np.ndarray],
) -> None:
    [actual] = _run(tmp_path, _model(node, opset, weights, x.shape), x)
    expected = meaning(x)
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


def test_split_1_and_softmax_1_keep_names(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Split", ["x"], ["a", "b"], name="split0", axis=2, split=[1, 3]),
        helper.make_node("Softmax", ["b"], ["y"], name="sm0"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(X.shape))],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in ("a", "y")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 1)], ir_version=3)
    path = tmp_path / "split.onnx"
    onnx.save(model, path)
    module = load_module(path)
    text = str(module)
    assert '"split0"' in text and '"sm0"' in text
    a, y = run_module(module, [X])
    np.testing.assert_array_equal(a, X[:, :, :1])
    # Softmax-1 normalizes over the dimensions from axis 1 on, flattened.
    flat = np.exp(X[:, :, 1:]).reshape(2, -1)
    np.testing.assert_allclose(y, (flat / flat.sum(1, keepdims=True)).reshape(2, 3, 3), rtol=1e-6)


@pytest.mark.parametrize(
    ("node", "weights", "words"),
    [
        (
            helper.make_node("Add", ["x", "w"], ["y"], name="add0", broadcast=1, axis=2),
            {"w": W34},
            ("add0", "does not fit", "axis 2"),
        ),
        (
            helper.make_node("Cast", ["x"], ["y"], name="cast0", to="REAL"),
            {},
            ("cast0", "unknown cast target type 'REAL'"),
        ),
        (
            helper.make_node("HardSwish", ["x"], ["y"], name="hs0"),
            {},
            ("hs0", "does not exist in opset 6"),
        ),
    ],
)
def test_legacy_refusals(
    tmp_path: Path, node: onnx.NodeProto, weights: dict[str, np.ndarray], words: tuple[str, ...]
) -> None:
    path = tmp_path / "bad.onnx"
    onnx.save(_model(node, 6, weights, X.shape), path)
    with pytest.raises(UserError) as info:
        load_module(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message
