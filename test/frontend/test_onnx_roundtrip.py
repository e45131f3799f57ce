"""Import -> export keeps what onnxruntime computes, for old opsets and the light models.

The original model runs in onnxruntime at its own opset; the exported one holds
the upgraded (latest-semantics) nodes written at the export opset. Equal outputs
check the opset upgrade and the exporter together.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from aicc.base.errors import UserError
from aicc.frontend.models import conv_bn_relu_chain, randomize_constant_of_shape, tiny_cnn
from aicc.frontend.onnx_export import EXPORT_OPSET, export_module
from aicc.frontend.onnx_load import load_module

LIGHT = Path(onnx.__file__).parent / "backend/test/data/light"


def _session(model: onnx.ModelProto | str) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    data = model if isinstance(model, str) else model.SerializeToString()
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def _assert_same_results(path: Path) -> onnx.ModelProto:
    exported = export_module(load_module(path))
    onnx.checker.check_model(exported)
    original, upgraded = _session(str(path)), _session(exported)
    rng = np.random.default_rng(0)
    feeds = {i.name: rng.standard_normal(i.shape).astype(np.float32) for i in original.get_inputs()}
    assert [i.name for i in upgraded.get_inputs()] == list(feeds)
    expected = original.run(None, feeds)
    actual = upgraded.run(None, feeds)
    assert [o.name for o in upgraded.get_outputs()] == [o.name for o in original.get_outputs()]
    for e, a in zip(expected, actual, strict=True):
        assert e.shape == a.shape
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
    return exported


def _single_node_model(
    node: onnx.NodeProto,
    x_shape: list[int],
    opset: int,
    initializers: list[TensorProto] = (),  # type: ignore[assignment]
) -> onnx.ModelProto:
    outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in node.output]
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        outputs,
        list(initializers),
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    return onnx.shape_inference.infer_shapes(model)


def _ints(name: str, values: list[int]) -> TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def _floats(name: str, values: list[float]) -> TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


_OLD_NODES = [
    (helper.make_node("Softmax", ["x"], ["y"], name="sm", axis=1), [2, 3, 4, 5], 11, []),
    (helper.make_node("LogSoftmax", ["x"], ["y"], axis=-2), [2, 3, 4], 11, []),
    (helper.make_node("Softmax", ["x"], ["y"]), [2, 3, 4], 9, []),
    (helper.make_node("Clip", ["x"], ["y"], min=-0.5, max=0.5), [3, 4], 10, []),
    (helper.make_node("Pad", ["x"], ["y"], pads=[0, 1, 1, 2], value=2.5), [3, 4], 9, []),
    (helper.make_node("Pad", ["x"], ["y"], pads=[0, 1, 0, 2], mode="reflect"), [3, 4], 9, []),
    (
        helper.make_node("Slice", ["x"], ["y"], starts=[1, -3], ends=[3, 100], axes=[0, 1]),
        [4, 5],
        9,
        [],
    ),
    (helper.make_node("Unsqueeze", ["x"], ["y"], axes=[0, -1]), [3, 4], 11, []),
    (helper.make_node("Squeeze", ["x"], ["y"], axes=[1]), [3, 1, 4], 11, []),
    (helper.make_node("ReduceSum", ["x"], ["y"], axes=[1], keepdims=0), [3, 4, 2], 11, []),
    (helper.make_node("ReduceMean", ["x"], ["y"], axes=[0, 2]), [3, 4, 2], 13, []),
    (helper.make_node("ReduceMax", ["x"], ["y"], axes=[-1], keepdims=0), [3, 4, 2], 17, []),
    (helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[1, 3]), [2, 4], 11, []),
    (helper.make_node("Split", ["x"], ["a", "b"], axis=0), [4, 3], 13, []),
    (helper.make_node("Dropout", ["x"], ["y"], ratio=0.3), [2, 3], 9, []),
    (
        helper.make_node("Resize", ["x", "s"], ["y"], mode="nearest"),
        [1, 1, 2, 4],
        10,
        # At 1.25 asymmetric/floor and half_pixel/round_prefer_floor pick different pixels.
        [_floats("s", [1, 1, 2, 1.25])],
    ),
    (
        helper.make_node("Resize", ["x", "roi", "sc", "sz"], ["y"], mode="nearest"),
        [1, 1, 2, 3],
        11,
        [_floats("roi", []), _floats("sc", []), _ints("sz", [1, 1, 4, 5])],
    ),
]


@pytest.mark.parametrize(
    ("node", "x_shape", "opset", "initializers"),
    _OLD_NODES,
    ids=[f"{n.op_type}-{opset}-{i}" for i, (n, _, opset, _) in enumerate(_OLD_NODES)],
)
def test_upgraded_node_computes_the_same(
    tmp_path: Path,
    node: onnx.NodeProto,
    x_shape: list[int],
    opset: int,
    initializers: list[TensorProto],
) -> None:
    path = tmp_path / "old.onnx"
    onnx.save(_single_node_model(node, x_shape, opset, initializers), path)
    _assert_same_results(path)


@pytest.mark.parametrize("spatial", [1, 0])
def test_batch_normalization_7_spatial(tmp_path: Path, spatial: int) -> None:
    node = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], spatial=spatial)
    params = [_floats(n, [1.0, 2.0]) for n in ("s", "b", "m", "v")]
    path = tmp_path / "bn7.onnx"
    onnx.save(_single_node_model(node, [1, 2, 3, 3], 7, params), path)
    if spatial == 1:
        _assert_same_results(path)
        return
    # spatial=0 with per-channel parameters computes what spatial=1 does; onnxruntime
    # itself insists on per-activation parameters then, so only the import is checked.
    exported = export_module(load_module(path))
    assert list(exported.graph.node[0].attribute) == []


def test_dropout_9_used_mask_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    node = helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop0")
    path = tmp_path / "drop9.onnx"
    onnx.save(_single_node_model(node, [2, 3], 9), path)
    exported = export_module(load_module(path))
    assert "node 'drop0' (Dropout): the opset-9 mask 'mask' is taken as all ones" in (
        capsys.readouterr().err
    )
    assert [n.op_type for n in exported.graph.node] == ["Dropout", "Cast"]
    assert [list(n.output) for n in exported.graph.node] == [["y", "mask_bool"], ["mask"]]


def test_batch_normalization_7_per_activation_is_refused(tmp_path: Path) -> None:
    node = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], spatial=0)
    params = [numpy_helper.from_array(np.ones((2, 3, 3), np.float32), n) for n in "sbmv"]
    path = tmp_path / "bn7.onnx"
    onnx.save(_single_node_model(node, [1, 2, 3, 3], 7, params), path)
    with pytest.raises(UserError, match=r"bn7.onnx: node 'y' \(BatchNormalization\): spatial=0"):
        load_module(path)


@pytest.mark.parametrize("model", [tiny_cnn(), conv_bn_relu_chain(3)], ids=["tiny_cnn", "chain3"])
def test_export_keeps_names(tmp_path: Path, model: onnx.ModelProto) -> None:
    path = tmp_path / "model.onnx"
    onnx.save(model, path)
    exported = _assert_same_results(path)
    assert exported.opset_import[0].version == EXPORT_OPSET
    assert [n.name for n in exported.graph.node] == [n.name for n in model.graph.node]
    assert [list(n.output) for n in exported.graph.node] == [
        list(n.output) for n in model.graph.node
    ]
    assert {i.name for i in exported.graph.initializer} == {i.name for i in model.graph.initializer}


@pytest.mark.slow
@pytest.mark.parametrize("light", sorted(LIGHT.glob("*.onnx")), ids=lambda p: p.stem)
def test_light_model_roundtrip(tmp_path: Path, light: Path) -> None:
    # The light models' weights are zeros (ConstantOfShape): randomize them.
    path = tmp_path / light.name
    onnx.save(randomize_constant_of_shape(onnx.load(light), seed=1), path)
    _assert_same_results(path)
