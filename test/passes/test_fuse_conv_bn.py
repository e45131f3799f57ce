"""fuse-conv-bn on whole models: the fused model computes what the unfused one did."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ArrayAttr, ModuleOp, StringAttr

from aicc.base.precision import PRECISION_ATTR, REASON_ATTR, precision_of, set_precision
from aicc.dialects.aicc import FUSED_FROM_ATTR
from aicc.dialects.context import make_context
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import BatchNormalizationOp, ConvOp
from aicc.frontend.models import tiny_cnn
from aicc.frontend.onnx_export import export_module
from aicc.frontend.onnx_import import import_model
from aicc.passes.fuse_conv_bn import FuseConvBnPass
from aicc.pipeline.registry import AICC_PASSES
from aicc.sim.reference.interpreter import run_module

RTOL = ATOL = 1e-5


def _conv_bn_model(
    spatial: tuple[int, ...], c_in: int, c_out: int, group: int, bias: bool
) -> onnx.ModelProto:
    """x -> conv0 -> bn0 -> relu0, with seeded weights and a BN far from identity."""
    rng = np.random.default_rng(len(spatial) * 100 + group * 10 + bias)
    kernel = (3,) * len(spatial)
    init = {
        "w": rng.standard_normal((c_out, c_in // group, *kernel)),
        "gamma": 1.0 + 0.5 * rng.standard_normal(c_out),
        "beta": rng.standard_normal(c_out),
        "mean": rng.standard_normal(c_out),
        "var": 0.5 + rng.random(c_out),
    }
    if bias:
        init["b"] = rng.standard_normal(c_out)
    conv_inputs = ["x", "w", "b"] if bias else ["x", "w"]
    nodes = [
        helper.make_node(
            "Conv", conv_inputs, ["conv0"], name="conv0", group=group, pads=[1] * 2 * len(spatial)
        ),
        helper.make_node(
            "BatchNormalization",
            ["conv0", "gamma", "beta", "mean", "var"],
            ["bn0"],
            name="bn0",
            epsilon=1e-3,
        ),
        helper.make_node("Relu", ["bn0"], ["relu0"], name="relu0"),
    ]
    graph = helper.make_graph(
        nodes,
        "conv_bn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, c_in, *spatial])],
        [helper.make_tensor_value_info("relu0", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in init.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return onnx.shape_inference.infer_shapes(model)


def _ops(module: ModuleOp) -> list[OnnxOp]:
    return [op for op in module.walk() if isinstance(op, OnnxOp)]


def _fuse(module: ModuleOp) -> None:
    FuseConvBnPass().apply(make_context(), module)
    module.verify()


def _ort(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs: list[np.ndarray] = session.run(None, {session.get_inputs()[0].name: x})  # pyright: ignore[reportAssignmentType]
    return outputs[0]


@pytest.mark.parametrize(
    ("spatial", "c_in", "c_out", "group", "bias"),
    [
        ((6, 5), 3, 4, 1, True),
        ((6, 5), 3, 4, 1, False),
        ((6, 5), 4, 4, 4, True),
        ((6, 5), 4, 8, 4, False),
        ((9,), 3, 5, 1, True),
        ((9,), 4, 4, 4, False),
    ],
    ids=["2d-bias", "2d", "depthwise-bias", "depthwise-x2", "1d-bias", "1d-depthwise"],
)
def test_fused_model_matches_onnxruntime_on_the_original(
    spatial: tuple[int, ...], c_in: int, c_out: int, group: int, bias: bool
) -> None:
    model = _conv_bn_model(spatial, c_in, c_out, group, bias)
    module = import_model(model)
    _fuse(module)
    ops = _ops(module)
    assert not any(isinstance(op, BatchNormalizationOp) for op in ops)
    (conv,) = [op for op in ops if isinstance(op, ConvOp)]
    assert conv.first_output_name == "bn0" and conv.onnx_node_name == "bn0"
    assert conv.attributes[FUSED_FROM_ATTR] == ArrayAttr([StringAttr("conv0"), StringAttr("bn0")])
    assert conv.group.value.data == group
    # Only the fused weights remain as constants.
    constants = sorted(op.first_output_name for op in ops if op.name == "onnx.Constant")
    assert constants == ["bn0.fused_B", "bn0.fused_W"]

    x = np.random.default_rng(7).standard_normal((2, c_in, *spatial)).astype(np.float32)
    expected = _ort(model, x)
    fused_model = export_module(module)
    assert [n.op_type for n in fused_model.graph.node] == ["Conv", "Relu"]
    np.testing.assert_allclose(_ort(fused_model, x), expected, rtol=RTOL, atol=ATOL)
    (reference,) = run_module(module, [x])
    np.testing.assert_allclose(reference, expected, rtol=RTOL, atol=ATOL)


def test_tiny_cnn_fuses_all_three_pairs_and_keeps_its_output() -> None:
    model = tiny_cnn()
    module = import_model(onnx.shape_inference.infer_shapes(model))
    x = np.random.default_rng(3).standard_normal((1, 3, 32, 32)).astype(np.float32)
    (before,) = run_module(module, [x])
    _fuse(module)
    ops = _ops(module)
    assert not any(isinstance(op, BatchNormalizationOp) for op in ops)
    fused = {op.first_output_name: op for op in ops if isinstance(op, ConvOp)}
    assert sorted(fused) == ["bn0", "bn1", "bn2"]
    for i in range(3):
        names = ArrayAttr([StringAttr(f"conv{i}"), StringAttr(f"bn{i}")])
        assert fused[f"bn{i}"].attributes[FUSED_FROM_ATTR] == names
    (after,) = run_module(module, [x])
    np.testing.assert_allclose(after, before, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_ort(export_module(module), x), _ort(model, x), rtol=RTOL, atol=ATOL)


def _annotated(conv_precision: str, bn_precision: str) -> ModuleOp:
    module = import_model(_conv_bn_model((6, 5), 3, 4, 1, True))
    for op in _ops(module):
        if isinstance(op, ConvOp):
            set_precision(op, conv_precision, "fp16-list" if conv_precision == "f16" else "base")
        if isinstance(op, BatchNormalizationOp):
            set_precision(op, bn_precision, "fp16-list" if bn_precision == "f16" else "base")
    return module


def test_same_precision_is_fused_with_the_bn_annotation(capsys: pytest.CaptureFixture[str]) -> None:
    module = _annotated("f16", "f16")
    _fuse(module)
    (conv,) = [op for op in _ops(module) if isinstance(op, ConvOp)]
    assert precision_of(conv) == "f16"
    assert conv.attributes[REASON_ATTR] == StringAttr("fp16-list")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("conv_p", "bn_p", "fix"),
    [
        ("f16", "f32", "add bn0 to FP16NodeInstanceNames"),
        ("f32", "f16", "add conv0 to FP16NodeInstanceNames"),
        ("i8", "f16", "add conv0 to FP16NodeInstanceNames"),
        ("i8", "f32", "give both the same precision"),
    ],
)
def test_different_precisions_are_not_fused_and_warn(
    conv_p: str, bn_p: str, fix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _annotated(conv_p, bn_p)
    _fuse(module)
    kinds = [op.name for op in _ops(module) if PRECISION_ATTR in op.attributes]
    assert kinds == ["onnx.Conv", "onnx.BatchNormalization"]
    assert capsys.readouterr().err == (
        f"warning: Conv 'conv0' ({conv_p}) and BatchNormalization 'bn0' ({bn_p}) are not fused: "
        f"they run in different precisions; {fix}\n"
    )


def test_registered_for_aicc_opt() -> None:
    assert AICC_PASSES["fuse-conv-bn"]() is FuseConvBnPass
