"""quantize + insert-precision-casts on whole models: types, weights, and INT8 accuracy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp, UnrealizedConversionCastOp
from xdsl.ir import Attribute
from xdsl.transforms.canonicalize import CanonicalizePass

from aicc.base.calibration import Calibration, Schema
from aicc.base.profile import Profiler, write_profile
from aicc.dialects.context import make_context
from aicc.dialects.elements import elements_array, tensor_type
from aicc.dialects.onnx_ops import ConstantOp, ConvOp
from aicc.dialects.quant import quantized_element
from aicc.frontend.models import tiny_cnn
from aicc.frontend.onnx_import import import_model
from aicc.passes.fuse_conv_bn import FuseConvBnPass
from aicc.passes.insert_precision_casts import InsertPrecisionCastsPass
from aicc.passes.quantize import QuantizePass
from aicc.pipeline.registry import AICC_PASSES
from aicc.sim.reference.interpreter import run_module


def _depthwise_model() -> onnx.ModelProto:
    """x -> depthwise conv0 (channel weights spanning 16x) -> relu0: per-tensor scales starve
    the small channels."""
    rng = np.random.default_rng(7)
    w = rng.standard_normal((8, 1, 3, 3)) * np.logspace(-1.2, 0, 8).reshape(8, 1, 1, 1)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["conv0"], name="conv0", group=8, pads=[1] * 4),
        helper.make_node("Relu", ["conv0"], ["relu0"], name="relu0"),
    ]
    graph = helper.make_graph(
        nodes,
        "depthwise",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 8, 8])],
        [helper.make_tensor_value_info("relu0", TensorProto.FLOAT, [1, 8, 8, 8])],
        [numpy_helper.from_array(w.astype(np.float32), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _imported(model: onnx.ModelProto) -> ModuleOp:
    return import_model(onnx.shape_inference.infer_shapes(model))


def _inputs(module: ModuleOp, count: int, seed: int) -> list[np.ndarray]:
    shape = module.body.block.first_op.args[0].type.get_shape()  # pyright: ignore
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for _ in range(count)]


def _profile(module: ModuleOp, path: Path) -> Path:
    profiler = Profiler("graph", "fp16")
    for x in _inputs(module, 8, seed=1):
        run_module(module, [x], observer=profiler.observe)
    write_profile(profiler.profile(), path)
    return path


def _compiled(module: ModuleOp, profile: Path, **options: object) -> ModuleOp:
    ctx = make_context()
    compiled = module.clone()
    # Fused before annotation: BatchNormalization has no INT8 kernel, so annotated
    # alone it would fall back to f32 and block the fusion.
    FuseConvBnPass().apply(ctx, compiled)
    AICC_PASSES["annotate-precision"]()(default="i8").apply(ctx, compiled)  # pyright: ignore
    QuantizePass(profile=str(profile), **options).apply(ctx, compiled)  # pyright: ignore
    InsertPrecisionCastsPass().apply(ctx, compiled)
    CanonicalizePass().apply(ctx, compiled)
    compiled.verify()
    return compiled


def _sqnr(reference: np.ndarray, actual: np.ndarray) -> float:
    noise = np.sum((reference.astype(np.float64) - actual) ** 2)
    return float(10 * np.log10(np.sum(reference.astype(np.float64) ** 2) / noise))


def _output_sqnr(module: ModuleOp, compiled: ModuleOp) -> float:
    xs = _inputs(module, 4, seed=2)
    reference = np.concatenate([run_module(module, [x])[0].ravel() for x in xs])
    actual = np.concatenate([run_module(compiled, [x])[0].ravel() for x in xs])
    return _sqnr(reference, actual)


@pytest.fixture(scope="module")
def cnn(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleOp, Path]:
    module = _imported(tiny_cnn())
    return module, _profile(module, tmp_path_factory.mktemp("cnn") / "pgq.yaml")


OPTIONS = [{"schema": s.value} for s in Schema] + [
    {"calibration": c.value} for c in Calibration if c is not Calibration.NONE
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(o.values()))
def test_tiny_cnn_quantizes_to_quant_ops_only(
    cnn: tuple[ModuleOp, Path], options: dict[str, str]
) -> None:
    module, profile = cnn
    compiled = _compiled(module, profile, **options)
    assert not [o for o in compiled.walk() if isinstance(o, UnrealizedConversionCastOp)]
    convs = [o for o in compiled.walk() if isinstance(o, ConvOp)]
    assert len(convs) == 3
    for conv in convs:
        assert quantized_element(conv.Y.type) is not None
        w_type = quantized_element(conv.W.type)
        assert w_type is not None and w_type.storage_dtype == np.int8


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(o.values()))
def test_tiny_cnn_int8_output_sqnr(cnn: tuple[ModuleOp, Path], options: dict[str, str]) -> None:
    module, profile = cnn
    # KL divergence, fitted to a calibration set of a few inputs, clips ReLU outputs
    # to their bulk (to ~30% of the max here) and costs output SQNR (measured ~14 dB):
    # the method's known weakness on small calibration sets, reported in the README.
    floor = 10 if options.get("calibration") == "KLMinimization" else 20
    assert _output_sqnr(module, _compiled(module, profile, **options)) > floor


def test_fused_conv_uses_the_batchnorm_entry_and_weights_round_trip(
    cnn: tuple[ModuleOp, Path],
) -> None:
    module, profile = cnn
    fused = module.clone()
    FuseConvBnPass().apply(make_context(), fused)
    float_w = {c.first_output_name: c.W for c in fused.walk() if isinstance(c, ConvOp)}
    compiled = _compiled(module, profile, channelwise=True)
    for conv in (o for o in compiled.walk() if isinstance(o, ConvOp)):
        assert conv.first_output_name.startswith("bn")
        w_type = quantized_element(conv.W.type)
        assert w_type is not None and w_type.axis == 0
        original = float_w[conv.first_output_name].owner
        stored = conv.W.owner
        assert isinstance(original, ConstantOp) and isinstance(stored, ConstantOp)
        w = elements_array(original.value, original.results[0].type)
        q = elements_array(stored.value, _storage_type(stored))
        scales = w_type.scale_array().reshape(-1, 1, 1, 1)
        assert np.all(np.abs(q * scales - w) <= scales / 2 + 1e-7)


def _storage_type(constant: ConstantOp) -> Attribute:
    """The constant's type with its quantized element replaced by the storage type."""
    element = quantized_element(constant.results[0].type)
    assert element is not None
    shape = tuple(constant.results[0].type.get_shape())  # pyright: ignore
    return tensor_type(shape, element.storage_dtype)


def test_per_channel_beats_per_tensor_on_a_depthwise_conv(tmp_path: Path) -> None:
    module = _imported(_depthwise_model())
    profile = _profile(module, tmp_path / "pgq.yaml")
    x = _inputs(module, 1, seed=2)[0]
    (reference,) = run_module(module, [x])

    def channel_sqnr(options: dict[str, bool]) -> np.ndarray:
        (actual,) = run_module(_compiled(module, profile, **options), [x])
        return np.array([_sqnr(reference[:, c], actual[:, c]) for c in range(8)])

    per_tensor, per_channel = channel_sqnr({}), channel_sqnr({"channelwise": True})
    # The per-tensor output quantization bounds every channel, so the gain is ~1 dB each.
    # One scale per channel may cost a channel a little where the shared output
    # scale dominates; it must not cost much, and must win overall.
    assert np.all(per_channel >= per_tensor - 1.5)
    assert per_channel.mean() > per_tensor.mean() + 0.5
