"""The ops the device runs as compositions of other kernels (reductions, Pad, nearest
Resize, ...), compiled to `aic` programs and simulated in FP32 and FP16.

FP32 matches the reference within the device contract (rtol 1e-5, atol 1e-6); FP16
(`-convert-to-fp16`) within a few float16 ulps of the reference's FP16 run (the
device sums in f32 where the reference may sum in f16). Most of these ops are claimed in
FP32 and FP16 only; the forms of INT8 ops (3-D MaxPool, a 1-D MatMul operand) match
the reference's INT8 run bit for bit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from test_device import device_and_reference, quantized_config

from aicc.api import CompileConfig, compile, load_program
from aicc.base.accuracy import FP32_ATOL, FP32_RTOL, mismatch
from aicc.dialects.onnx_precision import precision_report

node = helper.make_node


def _model(
    nodes: list[onnx.NodeProto],
    shape: tuple[int, ...],
    consts: dict[str, np.ndarray],
    inputs: dict[str, tuple[int, ...]] | None = None,
    outputs: tuple[str, ...] = ("y",),
) -> onnx.ModelProto:
    """A model of `nodes` over input x of `shape` (and `inputs`), with initializers `consts`."""
    initializers = [numpy_helper.from_array(v, k) for k, v in consts.items()]
    values = {"x": shape, **(inputs or {})}
    graph = helper.make_graph(
        nodes,
        "composed",
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, v) for k, v in values.items()],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


def _i64(*values: int) -> np.ndarray:
    return np.array(values, np.int64)


def reductions() -> onnx.ModelProto:
    """Every reduction, over channels, spatial axes (pooled in place) and mixed axes."""
    nodes = [
        node("ReduceMax", ["x", "c"], ["max0"], name="max0"),
        node("ReduceMean", ["x", "hw"], ["mean0"], name="mean0"),
        node("ReduceSum", ["x", "cw"], ["sum0"], name="sum0", keepdims=0),
        node("ReduceMean", ["x"], ["all0"], name="all0"),
        node("ReduceMax", ["x", "hw"], ["hmax0"], name="hmax0"),
        node("Add", ["max0", "mean0"], ["a0"], name="a0"),
        node("Unsqueeze", ["sum0", "uc"], ["s1"], name="s1"),
        node("Add", ["a0", "s1"], ["a1"], name="a1"),
        node("Mul", ["a1", "all0"], ["a2"], name="a2"),
        node("Sub", ["a2", "hmax0"], ["y"], name="y"),
    ]
    consts = {"c": _i64(1), "hw": _i64(2, 3), "cw": _i64(1, 3), "uc": _i64(1, 3)}
    return _model(nodes, (2, 3, 5, 6), consts)


def pads() -> onnx.ModelProto:
    """Constant, reflect, edge and wrap Pad, with a crop (negative pad) and axes."""
    nodes = [
        node("Pad", ["x", "p0", "v"], ["c0"], name="c0", mode="constant"),
        node("Pad", ["c0", "p1"], ["r0"], name="r0", mode="reflect"),
        node("Pad", ["r0", "p2", "", "ax"], ["e0"], name="e0", mode="edge"),
        node("Pad", ["e0", "p3"], ["y"], name="y", mode="wrap"),
    ]
    consts = {
        "p0": _i64(0, 1, 2, -1, 0, 0, 1, 2),
        "v": np.array(1.5, np.float32),
        "p1": _i64(0, 0, 2, 3, 0, 0, 1, 1),
        "p2": _i64(2, 1, 3, 0),
        "ax": _i64(-1, 2),
        "p3": _i64(0, 1, 3, 2, 0, 0, 1, 4),
    }
    return _model(nodes, (1, 2, 5, 6), consts)


RESIZE_MODES = [
    ("half_pixel", "round_prefer_floor", (1.0, 1.0, 2.0, 3.0)),
    ("asymmetric", "floor", (1.0, 1.0, 0.5, 1.5)),
    ("align_corners", "round_prefer_ceil", (1.0, 1.0, 1.7, 0.6)),
    ("pytorch_half_pixel", "ceil", (1.0, 1.0, 2.5, 1.0)),
    ("half_pixel_symmetric", "round_prefer_floor", (1.0, 1.0, 1.3, 2.0)),
]


def resize(mode: str, rounding: str, scales: tuple[float, ...]) -> onnx.ModelProto:
    nodes = [
        node(
            "Resize",
            ["x", "", "s"],
            ["y"],
            name="y",
            mode="nearest",
            coordinate_transformation_mode=mode,
            nearest_mode=rounding,
        )
    ]
    return _model(nodes, (1, 3, 4, 5), {"s": np.array(scales, np.float32)})


def conv_transposes() -> onnx.ModelProto:
    """ConvTranspose with constant weights (groups, strides, dilations, pads, output_padding,
    a fused Relu), with weights and bias computed at run time, output_shape, and 1-D."""
    rng = np.random.default_rng(1)
    nodes = [
        node(
            "ConvTranspose",
            ["x", "w", "b"],
            ["ct0"],
            name="ct0",
            group=2,
            strides=[2, 3],
            dilations=[1, 2],
            pads=[1, 0, 0, 2],
            output_padding=[1, 1],
        ),
        node("Relu", ["ct0"], ["y"], name="y"),
        node(
            "ConvTranspose",
            ["x", "wr", "br"],
            ["ct1"],
            name="ct1",
            strides=[2, 2],
            output_shape=[10, 9],
            auto_pad="SAME_LOWER",
        ),
        node("Reshape", ["x", "flat"], ["x1"], name="x1"),
        node("ConvTranspose", ["x1", "w1"], ["ct2"], name="ct2", strides=[3], pads=[2, 0]),
    ]
    consts = {
        "w": rng.standard_normal((4, 3, 3, 2)).astype(np.float32),
        "b": rng.standard_normal(6).astype(np.float32),
        "flat": _i64(1, 4, 20),
        "w1": rng.standard_normal((4, 2, 4)).astype(np.float32),
    }
    inputs = {"wr": (4, 2, 3, 3), "br": (2,)}
    return _model(nodes, (1, 4, 5, 4), consts, inputs, ("y", "ct1", "ct2"))


def pools_3d() -> onnx.ModelProto:
    """3-D max and average pools, with strides, dilations, pads and ceil mode."""
    window: dict[str, Any] = {
        "kernel_shape": [2, 3, 2],
        "strides": [2, 1, 2],
        "pads": [1, 0, 1, 0, 1, 1],
    }
    nodes = [
        node("MaxPool", ["x"], ["mp0"], name="mp0", dilations=[2, 1, 1], ceil_mode=1, **window),
        node("AveragePool", ["x"], ["y"], name="y", count_include_pad=0, **window),
        node("AveragePool", ["x"], ["ap1"], name="ap1", count_include_pad=1, **window),
        node("GlobalMaxPool", ["x"], ["gm0"], name="gm0"),
    ]
    return _model(nodes, (1, 3, 5, 6, 7), {}, None, ("mp0", "y", "ap1", "gm0"))


def runtime_operands() -> onnx.ModelProto:
    """Clip bounds, Conv weights and bias, BatchNormalization parameters computed at run
    time; 1-D MatMul operands; BatchNormalization of rank 5."""
    rng = np.random.default_rng(2)
    nodes = [
        node("ReduceMean", ["x"], ["lo"], name="lo", keepdims=0),
        node("Clip", ["x", "lo", "hi"], ["y"], name="y"),
        node("Conv", ["x", "w", "b"], ["conv0"], name="conv0", pads=[1, 1, 1, 1]),
        node("Abs", ["v"], ["va"], name="va"),
        node("BatchNormalization", ["x", "s", "bb", "m", "va"], ["bn0"], name="bn0"),
        node("Reshape", ["x", "flat"], ["x1"], name="x1"),
        node("MatMul", ["x1", "k"], ["mm0"], name="mm0"),
        node("MatMul", ["k", "kk"], ["mm1"], name="mm1"),
        node("Reshape", ["x", "five"], ["x5"], name="x5"),
        node("BatchNormalization", ["x5", "s", "bb", "m", "va"], ["bn1"], name="bn1"),
    ]
    consts = {
        "hi": np.array(0.5, np.float32),
        "flat": _i64(2, 48),
        "kk": rng.standard_normal((48, 3)).astype(np.float32),
        "five": _i64(1, 2, 4, 3, 4),
    }
    inputs = {"w": (3, 2, 3, 3), "b": (3,), "bb": (2,), "s": (2,), "m": (2,), "v": (2,), "k": (48,)}
    outputs = ("y", "conv0", "bn0", "mm0", "mm1", "bn1")
    return _model(nodes, (1, 2, 6, 8), consts, inputs, outputs)


MODELS = {
    "reductions": reductions,
    "pads": pads,
    **{f"resize_{m}_{r}": (lambda m=m, r=r, s=s: resize(m, r, s)) for m, r, s in RESIZE_MODES},
    "conv_transposes": conv_transposes,
    "pools_3d": pools_3d,
    "runtime_operands": runtime_operands,
}


def _run(tmp_path: Path, model: onnx.ModelProto, fp16: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """(device, reference) output pairs for one random input set."""
    onnx.save(model, tmp_path / "model.onnx")
    compiled = compile(CompileConfig(tmp_path / "model.onnx", convert_to_fp16=fp16))
    program = load_program(compiled.program, compiled.target)
    rng = np.random.default_rng(0)
    inputs = {
        b.name: rng.standard_normal(b.shape).astype(np.float32)
        for b in program.io
        if b.kind == "input"
    }
    outputs, _ = program.run(inputs)
    references = compiled.run(list(inputs.values()))
    return list(zip(outputs.values(), references, strict=True))


@pytest.mark.parametrize("name", MODELS)
def test_fp32_matches_reference(tmp_path: Path, name: str) -> None:
    for actual, reference in _run(tmp_path, MODELS[name](), fp16=False):
        assert mismatch(actual, reference, FP32_RTOL, FP32_ATOL) is None


@pytest.mark.parametrize("name", MODELS)
def test_fp16_within_ulps_of_reference(tmp_path: Path, name: str) -> None:
    for actual, reference in _run(tmp_path, MODELS[name](), fp16=True):
        assert actual.shape == reference.shape
        np.testing.assert_allclose(actual, reference, rtol=4e-3, atol=4e-3)


X5_SHAPE = (1, 3, 4, 6, 6)


def int8_forms() -> onnx.ModelProto:
    """The composed forms claimed in INT8: 3-D MaxPool and a MatMul with a 1-D operand."""
    rng = np.random.default_rng(4)
    nodes = [
        node("MaxPool", ["x"], ["mp0"], name="mp0", kernel_shape=[2, 3, 3], strides=[2, 2, 2]),
        node("Reshape", ["mp0", "flat"], ["r0"], name="r0"),
        node("MatMul", ["r0", "k"], ["y"], name="y"),
    ]
    consts = {"flat": _i64(3, 8), "k": rng.standard_normal(8).astype(np.float32)}
    return _model(nodes, X5_SHAPE, consts)


def test_int8_forms_match_reference_bit_for_bit(tmp_path: Path) -> None:
    config = quantized_config(tmp_path, int8_forms(), [], X5_SHAPE)
    precisions = {e["name"]: e["precision"] for e in precision_report(compile(config).module)}
    assert precisions["mp0"] == precisions["y"] == "i8"
    for device, reference in device_and_reference(config, tmp_path, shape=X5_SHAPE):
        assert device.dtype == reference.dtype
        assert np.array_equal(device, reference)
