"""Kernel cases that the ONNX backend cases leave out, checked against onnxruntime.

Nearest Resize in every coordinate mode and rounding, negative pads, integer and
bfloat16 casts, and the UserErrors of the inference-only kernels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from xdsl.dialects.builtin import ModuleOp, StringAttr

from aicc.base.errors import UserError
from aicc.dialects.onnx_ops import DropoutOp, ResizeOp
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.sim.reference.interpreter import evaluate_op, run_module
from aicc.sim.reference.kernels.tensor import bf16_to_f32, f32_to_bf16

ort = pytest.importorskip("onnxruntime")

OPSET = 21


def _model(
    node: onnx.NodeProto,
    x: np.ndarray,
    constants: dict[str, np.ndarray],
    y: np.ndarray | None = None,
) -> onnx.ModelProto:
    """A one-node model: data input `x`, the other inputs constant, output typed like `y`."""
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", helper.np_dtype_to_tensor_dtype(x.dtype), x.shape)],
        [
            helper.make_empty_tensor_value_info("y")
            if y is None
            else helper.make_tensor_value_info(
                "y", helper.np_dtype_to_tensor_dtype(y.dtype), y.shape
            )
        ],
        [numpy_helper.from_array(v, k) for k, v in constants.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 10
    return model


def _module(model: onnx.ModelProto) -> ModuleOp:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return import_model(prepare_model(copy, Path("case.onnx"), {}))


def _compare(
    node: onnx.NodeProto, x: np.ndarray, constants: dict[str, np.ndarray], *, spec: bool = False
) -> None:
    """Run a one-node model here and in onnxruntime (or onnx's reference): results must be equal.

    Resize uses onnx's reference (`spec`): onnxruntime computes nearest coordinates
    in float32 and rounds some exact halves differently from the specification.
    """
    model = _model(node, x, constants)
    if spec:
        (expected,) = ReferenceEvaluator(model).run(None, {"x": x})
    else:
        session = ort.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        (expected,) = session.run(None, {"x": x})
    (actual,) = run_module(_module(_model(node, x, constants, expected)), [x])
    assert actual.dtype == expected.dtype
    np.testing.assert_array_equal(actual, expected)


COORDINATE_MODES = [
    "half_pixel",
    "half_pixel_symmetric",
    "pytorch_half_pixel",
    "align_corners",
    "asymmetric",
    "tf_crop_and_resize",
]
NEAREST_MODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]


@pytest.mark.parametrize("scales", [[1.0, 1.0, 2.5, 1.7], [1.0, 1.0, 0.6, 0.45]])
@pytest.mark.parametrize("nearest_mode", NEAREST_MODES)
@pytest.mark.parametrize("transform", COORDINATE_MODES)
def test_resize_nearest_scales(transform: str, nearest_mode: str, scales: list[float]) -> None:
    x = np.arange(2 * 3 * 5 * 7, dtype=np.float32).reshape(2, 3, 5, 7)
    # Part of this region lies outside the input: tf_crop_and_resize fills it.
    roi = np.array([0, 0, 0.1, -0.2, 1, 1, 0.9, 1.3], dtype=np.float32)
    node = helper.make_node(
        "Resize",
        ["x", "roi", "scales"],
        ["y"],
        mode="nearest",
        coordinate_transformation_mode=transform,
        nearest_mode=nearest_mode,
        extrapolation_value=-5.0,
    )
    constants = {"roi": roi, "scales": np.array(scales, dtype=np.float32)}
    _compare(node, x, constants, spec=True)


@pytest.mark.parametrize("policy", ["stretch", "not_larger", "not_smaller"])
def test_resize_nearest_sizes_axes(policy: str) -> None:
    x = np.arange(2 * 5 * 7, dtype=np.float32).reshape(2, 5, 7)
    node = helper.make_node(
        "Resize",
        ["x", "", "", "sizes"],
        ["y"],
        mode="nearest",
        axes=[2, 1],
        keep_aspect_ratio_policy=policy,
    )
    _compare(node, x, {"sizes": np.array([10, 4], dtype=np.int64)}, spec=True)


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge", "wrap"])
def test_pad_negative_pads(mode: str) -> None:
    x = np.arange(4 * 6, dtype=np.float32).reshape(4, 6)
    node = helper.make_node("Pad", ["x", "pads", "value"], ["y"], mode=mode)
    pads = np.array([2, -1, -1, 3], dtype=np.int64)
    constants = {"pads": pads, "value": np.array([9.5], dtype=np.float32)}
    _compare(node, x, constants)


@pytest.mark.parametrize(
    "to",
    [TensorProto.INT8, TensorProto.INT32, TensorProto.UINT8, TensorProto.INT64, TensorProto.BOOL],
)
def test_cast_float_to_integer_and_bool(to: int) -> None:
    x = np.array([-3.7, -1.5, -0.2, 0.0, 0.4, 1.5, 2.5, 100.9], dtype=np.float32)
    if to == TensorProto.UINT8:
        x = np.abs(x)
    _compare(helper.make_node("Cast", ["x"], ["y"], to=to), x, {})


@pytest.mark.parametrize("source", [np.int8, np.uint16, np.int64, np.bool_])
def test_cast_integer_to_float(source: type) -> None:
    x = np.array([0, 1, 7, 100, 1, 0], dtype=source)
    _compare(helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT), x, {})


def test_bf16_rounds_to_nearest_even() -> None:
    # 1 + 2^-8 lies halfway between two bf16 values: the even one (1.0) wins;
    # 1 + 3 * 2^-8 is halfway too and rounds up to the even 1 + 2^-6.
    x = np.array([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, -2.0, np.inf], dtype=np.float32)
    want = np.array([1.0, 1 + 2**-6, 1 + 2**-7, -2.0, np.inf], dtype=np.float32)
    np.testing.assert_array_equal(bf16_to_f32(f32_to_bf16(x)), want)
    assert np.isnan(bf16_to_f32(f32_to_bf16(np.array([np.nan], dtype=np.float32))))[0]


def test_dropout_training_mode_is_a_user_error() -> None:
    x = np.ones((2, 3), dtype=np.float32)
    node = helper.make_node("Dropout", ["x", "", "training"], ["y"], name="drop")
    module = _module(_model(node, x, {"training": np.array(True)}, x))
    with pytest.raises(UserError, match="y.*training mode"):
        run_module(module, [x])


def test_dropout_inference_passes_input_and_full_mask() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    node = helper.make_node("Dropout", ["x", "ratio"], ["y", "mask"])
    module = _module(_model(node, x, {"ratio": np.array(0.5, dtype=np.float32)}, x))
    (dropout,) = [op for op in module.walk() if isinstance(op, DropoutOp)]
    y, mask = evaluate_op(dropout, [x, np.array(0.5, dtype=np.float32), None])
    np.testing.assert_array_equal(y, x)
    assert mask.dtype == np.bool_ and mask.all()


def test_resize_linear_is_a_user_error_in_the_kernel() -> None:
    x = np.ones((1, 1, 2, 2), dtype=np.float32)
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="nearest")
    scales = {"scales": np.array([1, 1, 2, 2], dtype=np.float32)}
    module = _module(_model(node, x, scales, np.ones((1, 1, 4, 4), dtype=np.float32)))
    (resize,) = [op for op in module.walk() if isinstance(op, ResizeOp)]
    resize.properties["mode"] = StringAttr("cubic")
    with pytest.raises(UserError, match="Resize.*'y'.*cubic"):
        evaluate_op(resize, [x, None, np.array([1, 1, 2, 2], dtype=np.float32), None])
