"""Cases `aicc-fuzz` found whose fix is in the frontend (docs/fuzzing.md)."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from aicc.base.errors import UserError
from aicc.frontend.onnx_load import load_module


def test_a_pool_window_beyond_its_padded_input_is_refused_at_import(tmp_path: Path) -> None:
    # onnx's checker and shape inference and onnxruntime accept this ceil_mode window of 3
    # over 1 pixel; the reference interpreter refused it only when first run.
    node = helper.make_node(
        "MaxPool", ["x"], ["y"], name="y", kernel_shape=[3, 3], strides=[2, 2],
        pads=[0, 0, 1, 1], ceil_mode=1,
    )  # fmt: skip
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 1, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    path = tmp_path / "pool.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    with pytest.raises(UserError) as refused:
        load_module(path)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: MaxPool 'y': window extent 3 exceeds")
