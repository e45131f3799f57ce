"""Cases `aicc-fuzz` found whose fix is in the passes (docs/fuzzing.md)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from aicc.api import CompileConfig, compile, dump_profile
from aicc.base.errors import UserError


def test_a_bias_beyond_the_int32_accumulator_is_refused_at_compile_time(tmp_path: Path) -> None:
    # Weights near 1e-5 after a Softmax (inputs in [0, 1]) put a bias of 1 at about 2^32
    # accumulator steps: the INT8 reference overflowed when first run.
    rng = np.random.default_rng(0)
    weights = (rng.standard_normal((17, 10)) * 1e-5).astype(np.float32)
    nodes = [
        helper.make_node("Softmax", ["x"], ["s"], name="s", axis=1),
        helper.make_node("Gemm", ["s", "w", "b"], ["y"], name="y"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 17])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        [
            numpy_helper.from_array(weights, "w"),
            numpy_helper.from_array(np.ones(10, np.float32), "b"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, tmp_path / "m.onnx")
    np.save(tmp_path / "x.npy", rng.standard_normal((1, 17)).astype(np.float32))
    (tmp_path / "list.txt").write_text(f"{tmp_path / 'x.npy'}\n")
    config = CompileConfig(tmp_path / "m.onnx", input_list=tmp_path / "list.txt")
    dump_profile(config, tmp_path / "p.yaml")
    quantization = replace(config.quantization, profile=tmp_path / "p.yaml")
    with pytest.raises(UserError) as refused:
        compile(replace(config, quantization=quantization, input_list=None))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("Gemm 'y': its bias reaches"), message
