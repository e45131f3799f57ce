"""The minimizer on planted faults: it removes nodes and shrinks shapes and channels."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from aicc.fuzz.generator import FuzzCase, generate, graph_seed
from aicc.fuzz.minimize import minimize


def has_softmax(case: FuzzCase) -> bool:
    return any(node.op_type == "Softmax" for node in case.model.graph.node)


def test_a_planted_fault_shrinks_to_one_node() -> None:
    case = next(
        c
        for c in (generate(graph_seed(3, i), 30) for i in range(200))
        if has_softmax(c) and c.node_count >= 8
    )
    small = minimize(case, has_softmax)
    assert [node.op_type for node in small.model.graph.node] == ["Softmax"]
    onnx.checker.check_model(small.model, full_check=True)
    (graph_input,) = small.model.graph.input
    assert all(d.dim_value <= 2 for d in graph_input.type.tensor_type.shape.dim[1:]), graph_input


def two_convs(case: FuzzCase) -> bool:
    return sum(node.op_type == "Conv" for node in case.model.graph.node) >= 2


def test_conv_output_channels_shrink_with_what_reads_them() -> None:
    rng = np.random.default_rng(0)
    weights = {
        "w0": rng.standard_normal((16, 3, 3, 3)),
        "b0": rng.standard_normal(16),
        **{p: rng.random(16) + 0.5 for p in ("scale", "shift", "mean", "var")},
        "w1": rng.standard_normal((8, 16, 1, 1)),
    }
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1]),
            helper.make_node("BatchNormalization", ["c0", "scale", "shift", "mean", "var"], ["bn"]),
            helper.make_node("Relu", ["bn"], ["r"]),
            helper.make_node("Conv", ["r", "w1"], ["y"]),
        ],
        "chain",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 8, 8, 8])],
        [numpy_helper.from_array(a.astype(np.float32), n) for n, a in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    small = minimize(FuzzCase(model, 0, 1.0, (), ()), two_convs)
    assert [node.op_type for node in small.model.graph.node] == ["Conv", "Conv"]
    dims = {t.name: list(t.dims) for t in small.model.graph.initializer}
    assert dims["w0"][0] == dims["w1"][1] == 1, dims
    onnx.checker.check_model(small.model, full_check=True)
