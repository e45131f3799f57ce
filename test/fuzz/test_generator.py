"""The fuzz generator: deterministic, valid ONNX, within its bounds."""

from __future__ import annotations

import onnx
import pytest

from aicc.fuzz.generator import case_of, generate, graph_seed


def test_the_same_seed_gives_the_same_case() -> None:
    first, again = generate(1234, 30), generate(1234, 30)
    assert first.model.SerializeToString() == again.model.SerializeToString()
    assert (first.fp16_names, first.keep_kinds) == (again.fp16_names, again.keep_kinds)
    assert generate(1235, 30).model.SerializeToString() != first.model.SerializeToString()


def test_graph_seeds_depend_on_the_run_seed_and_the_index_only() -> None:
    assert graph_seed(1, 7) == graph_seed(1, 7)
    assert len({graph_seed(1, i) for i in range(100)} | {graph_seed(2, 0)}) == 101


@pytest.mark.parametrize("index", range(40))
def test_graphs_pass_the_onnx_checker_and_keep_their_bounds(index: int) -> None:
    case = generate(graph_seed(5, index), 25)
    onnx.checker.check_model(case.model, full_check=True)
    assert 1 <= case.node_count <= 25
    names = {node.output[0] for node in case.model.graph.node}
    kinds = {node.op_type for node in case.model.graph.node}
    assert set(case.fp16_names) <= names
    assert set(case.keep_kinds) <= kinds
    assert case_of(case.model) == case


def test_the_op_set_is_covered() -> None:
    kinds = {
        node.op_type for i in range(60) for node in generate(graph_seed(9, i), 40).model.graph.node
    }
    wanted = {
        "Conv", "BatchNormalization", "MaxPool", "AveragePool", "Gemm", "MatMul", "Add",
        "Mul", "Concat", "Split", "Slice", "Reshape", "Transpose", "Softmax", "Relu", "Resize",
    }  # fmt: skip
    assert wanted <= kinds, wanted - kinds
