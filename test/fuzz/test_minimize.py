"""The minimizer on a planted fault: an oracle that fails whenever a Softmax is present."""

from __future__ import annotations

import onnx

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
