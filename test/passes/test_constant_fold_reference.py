"""`constant-fold-reference` on whole models: names survive, splats stay splats, results agree."""

import time
from pathlib import Path
from typing import cast

import numpy as np
import onnx
from onnx import TensorProto, helper
from xdsl.dialects.builtin import ArrayAttr, ModuleOp, StringAttr

from aicc.dialects.aicc import SplatAttr
from aicc.dialects.context import make_context
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOfShapeOp, ConstantOp
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import load_module, prepare_model
from aicc.passes.constant_fold_reference import ConstantFoldReferencePass
from aicc.sim.reference.interpreter import run_module

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"


def _fold(module: ModuleOp) -> float:
    start = time.perf_counter()
    ConstantFoldReferencePass().apply(make_context(), module)
    return time.perf_counter() - start


def _name(op: OnnxOp) -> str:
    # The generated ops' `output_names` accessor shadows OnnxOp's tuple property.
    names = op.properties["output_names"]
    assert isinstance(names, ArrayAttr)
    return cast(StringAttr, names.data[0]).data


def _ops(module: ModuleOp) -> list[OnnxOp]:
    return [op for op in module.walk() if isinstance(op, OnnxOp)]


def test_light_resnet50_weights_become_splats_quickly() -> None:
    module = load_module(LIGHT / "light_resnet50.onnx")
    weights = {_name(op) for op in _ops(module) if isinstance(op, ConstantOfShapeOp)}
    seconds = _fold(module)
    module.verify()
    ops = _ops(module)
    assert not any(isinstance(op, ConstantOfShapeOp) for op in ops)
    splats = {
        _name(op) for op in ops if isinstance(op, ConstantOp) and isinstance(op.value, SplatAttr)
    }
    assert len(weights) == 239
    assert weights <= splats
    assert seconds < 2.0, f"constant-fold-reference took {seconds:.2f} s"


def _flatten_idiom_model() -> onnx.ModelProto:
    """Conv -> Identity -> Dropout -> PyTorch flatten (Shape/Gather/Unsqueeze/Concat/Reshape)."""
    rng = np.random.default_rng(0)
    w = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], rng.standard_normal(108))
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["conv"], pads=[1, 1, 1, 1]),
        helper.make_node("Identity", ["conv"], ["ident"]),
        helper.make_node("Dropout", ["ident"], ["drop"]),
        helper.make_node("Shape", ["drop"], ["shape"]),
        helper.make_node("Constant", [], ["zero"], value_int=0),
        helper.make_node("Gather", ["shape", "zero"], ["batch"]),
        helper.make_node("Constant", [], ["axes"], value_ints=[0]),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"]),
        helper.make_node("Constant", [], ["rest"], value_ints=[-1]),
        helper.make_node("Concat", ["batch1", "rest"], ["target"], axis=0),
        helper.make_node("Reshape", ["drop", "target"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "flatten_idiom",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 100])],
        [w],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_folded_flatten_idiom_gives_the_same_result() -> None:
    model = _flatten_idiom_model()
    module = import_model(prepare_model(model, Path("flatten_idiom.onnx"), {}))
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 5)).astype(np.float32)
    (before,) = run_module(module, [x])
    _fold(module)
    module.verify()
    kinds = [op.ONNX_TYPE for op in _ops(module)]
    assert kinds == ["Constant", "Conv", "Constant", "Reshape"]
    (after,) = run_module(module, [x])
    np.testing.assert_array_equal(after, before)
    reshape = _ops(module)[-1]
    assert _name(reshape) == "y"
    assert isinstance(shape := reshape.operands[1].owner, ConstantOp)
    assert _name(shape) == "target"
