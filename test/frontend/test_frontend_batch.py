"""`-batchsize=N` at import: dim 0 of the inputs, shapes inferred again, Reshapes
that fix a batch of 1, and the refusals (aicc.frontend.batch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from aicc.base.errors import UserError
from aicc.dialects.graph import input_ports, main_func, output_ports
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model

PATH = Path("model.onnx")


def flatten_model(x_batch: int | str, shape: list[int]) -> onnx.ModelProto:
    """x [B, 2, 3, 3] -> Relu -> Reshape(shape) -> y, with the batch-1 output shape stored."""
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu0"),
        helper.make_node("Reshape", ["r", "shape"], ["y"], name="flat0"),
    ]
    graph = helper.make_graph(
        nodes,
        "flatten",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [x_batch, 2, 3, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 18])],
        [numpy_helper.from_array(np.array(shape, dtype=np.int64), "shape")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def shapes(model: onnx.ModelProto) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    func = main_func(import_model(model))
    return [p.shape for p in input_ports(func)], [p.shape for p in output_ports(func)]


@pytest.mark.parametrize("x_batch", [1, "N"])
def test_batch_replaces_dim_zero_and_the_stored_output_shape(x_batch: int | str) -> None:
    prepared = prepare_model(flatten_model(x_batch, [-1, 18]), PATH, {}, batch=3)
    assert shapes(prepared) == ([(3, 2, 3, 3)], [(3, 18)])


def test_reshape_fixing_a_batch_of_one_takes_the_batch(capsys: pytest.CaptureFixture[str]) -> None:
    prepared = prepare_model(flatten_model(1, [1, 18]), PATH, {}, batch=4)
    assert shapes(prepared) == ([(4, 2, 3, 3)], [(4, 18)])
    err = capsys.readouterr().err
    assert "remark: model.onnx: Reshape 'flat0': shape [1, 18] fixes a batch of 1" in err


def test_without_batch_the_model_is_prepared_as_written() -> None:
    prepared = prepare_model(flatten_model(1, [1, 18]), PATH, {})
    assert shapes(prepared) == ([(1, 2, 3, 3)], [(1, 18)])


def test_fixed_batch_of_another_size_is_refused() -> None:
    with pytest.raises(UserError, match="input 'x' has a fixed batch dimension of 2"):
        prepare_model(flatten_model(2, [-1, 18]), PATH, {}, batch=4)


def test_batch_equal_to_the_fixed_dimension_is_accepted() -> None:
    prepared = prepare_model(flatten_model(2, [-1, 18]), PATH, {}, batch=2)
    assert shapes(prepared) == ([(2, 2, 3, 3)], [(2, 18)])


def test_graph_losing_the_batch_is_refused() -> None:
    with pytest.raises(UserError, match="output 'y' has dim 0 of size 18 at -batchsize=3"):
        prepare_model(flatten_model(1, [18, -1]), PATH, {}, batch=3)
