"""The ops the device runs as compositions of other kernels (reductions, Pad, nearest
Resize, ...), compiled to `aic` programs and simulated in FP32 and FP16.

FP32 matches the reference within the device contract (rtol 1e-5, atol 1e-6); FP16
(`-convert-to-fp16`) within a few float16 ulps of the reference's FP16 run (the
device sums in f32 where the reference may sum in f16). These ops are claimed in
FP32 and FP16 only, so there is no INT8 form.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from aicc.api import CompileConfig, compile, load_program
from aicc.base.accuracy import FP32_ATOL, FP32_RTOL, mismatch

node = helper.make_node


def _model(
    nodes: list[onnx.NodeProto], shape: tuple[int, ...], consts: dict[str, np.ndarray]
) -> onnx.ModelProto:
    initializers = [numpy_helper.from_array(v, k) for k, v in consts.items()]
    graph = helper.make_graph(
        nodes,
        "composed",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
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


MODELS = {
    "reductions": reductions,
    "pads": pads,
    **{f"resize_{m}_{r}": (lambda m=m, r=r, s=s: resize(m, r, s)) for m, r, s in RESIZE_MODES},
}


def _run(tmp_path: Path, model: onnx.ModelProto, fp16: bool) -> tuple[np.ndarray, np.ndarray]:
    onnx.save(model, tmp_path / "model.onnx")
    compiled = compile(CompileConfig(tmp_path / "model.onnx", convert_to_fp16=fp16))
    program = load_program(compiled.program, compiled.target)
    (graph_input,) = [b for b in program.io if b.kind == "input"]
    x = np.random.default_rng(0).standard_normal(graph_input.shape).astype(np.float32)
    outputs, _ = program.run({graph_input.name: x})
    (reference,) = compiled.run([x])
    (actual,) = outputs.values()
    return actual, reference


@pytest.mark.parametrize("name", MODELS)
def test_fp32_matches_reference(tmp_path: Path, name: str) -> None:
    actual, reference = _run(tmp_path, MODELS[name](), fp16=False)
    assert mismatch(actual, reference, FP32_RTOL, FP32_ATOL) is None


@pytest.mark.parametrize("name", MODELS)
def test_fp16_within_ulps_of_reference(tmp_path: Path, name: str) -> None:
    actual, reference = _run(tmp_path, MODELS[name](), fp16=True)
    assert actual.shape == reference.shape
    np.testing.assert_allclose(actual, reference, rtol=4e-3, atol=4e-3)
