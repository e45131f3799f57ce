"""annotate-precision beyond the lit tests: the report, the op table, the
no-FP16-kernel refusal (no real op lacks one) and linear cost."""

import time
from pathlib import Path

import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType, f32
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import SSAValue

from aicc.base.errors import UserError
from aicc.base.precision import precision_of, set_precision
from aicc.dialects.context import make_context
from aicc.dialects.ir_io import parse_module
from aicc.dialects.onnx_ops import ReluOp
from aicc.dialects.onnx_precision import precision_report
from aicc.lowering.onnx_to_kernel.support import claimed_precisions, kinds_in
from aicc.passes.annotate_precision import AnnotatePrecision
from aicc.pipeline.op_support import format_table, op_kinds
from aicc.pipeline.registry import AICC_PASSES

INPUTS = Path(__file__).parent / "annotate_precision" / "Inputs"


def _cnn() -> ModuleOp:
    path = INPUTS / "cnn.mlir"
    return parse_module(make_context(), path.read_text(), path)


def _annotate(module: ModuleOp, annotate: AnnotatePrecision) -> ModuleOp:
    annotate.apply(make_context(), module)
    return module


def _declared(*args: object, **options: object) -> AnnotatePrecision:
    """annotate-precision as the pipeline builds it (the declared FP16 and INT8 kinds)."""
    annotate = AICC_PASSES["annotate-precision"]()(*args, **options)
    assert isinstance(annotate, AnnotatePrecision)
    return annotate


def test_report_lists_every_op_but_constants_in_graph_order() -> None:
    module = _annotate(_cnn(), _declared(str(INPUTS / "fp16.yaml"), default="i8"))
    report = precision_report(module)
    assert [(e["name"], e["kind"], e["reason"]) for e in report] == [
        ("conv0", "Conv", "fp16-list"),
        ("bn0", "BatchNormalization", "fp16-list"),
        ("relu0", "Relu", "fp16-list"),
        ("conv1", "Conv", "base"),
        ("relu1", "Relu", "base"),
        ("prob", "Softmax", report[-1]["reason"]),
    ]
    assert [e["precision"] for e in report[:3]] == ["f16"] * 3
    assert report[3]["precision"] == "i8"


def test_report_refuses_an_unannotated_module() -> None:
    with pytest.raises(ValueError, match="Conv 'conv0' has no precision"):
        precision_report(_cnn())


def test_set_precision_refuses_unknown_values() -> None:
    op = next(o for o in _cnn().walk() if o.name == "onnx.Relu")
    with pytest.raises(ValueError, match="precision 'bf16'"):
        set_precision(op, "bf16", "base")
    with pytest.raises(ValueError, match="reason 'because'"):
        set_precision(op, "f32", "because")
    assert precision_of(op) is None


def test_fp16_listed_op_without_fp16_kernel_is_refused() -> None:
    fp16 = tuple(k for k in kinds_in("f16") if k != "BatchNormalization")
    annotate = AnnotatePrecision(
        str(INPUTS / "fp16.yaml"), fp16_kinds=fp16, int8_kinds=kinds_in("i8")
    )
    with pytest.raises(
        UserError, match=r"fp16\.yaml:1: .*BatchNormalization 'bn0'.*no FP16 kernel"
    ):
        _annotate(_cnn(), annotate)


def test_the_pipeline_tells_the_pass_the_declared_kinds() -> None:
    annotate = _declared()
    assert annotate.fp16_kinds == kinds_in("f16")
    assert annotate.int8_kinds == kinds_in("i8")
    assert "Conv" in annotate.int8_kinds and "Softmax" not in annotate.int8_kinds
    with pytest.raises(TypeError, match="int8_kinds"):
        AnnotatePrecision(fp16_kinds=())  # pyright: ignore[reportCallIssue]


def test_op_kinds_are_every_onnx_op_but_constant() -> None:
    assert "Constant" not in op_kinds()
    assert claimed_precisions("NoSuchOp") == frozenset()


def test_op_table_text() -> None:
    lines = format_table().splitlines()
    assert lines[0].split() == ["op", "kind", "FP32", "FP16", "INT8", "Device"]
    rows = {line.split()[0]: line.split()[1:4] for line in lines[2:]}
    assert set(rows) == set(op_kinds())
    for kind, marks in rows.items():
        supported = claimed_precisions(kind)
        assert marks == ["yes" if p in supported else "-" for p in ("f32", "f16", "i8")]


def _relu_chain(n: int) -> ModuleOp:
    t = TensorType(f32, [4])
    main = FuncOp("main", ((t,), (t,)))
    value: SSAValue = main.args[0]
    for i in range(n):
        relu = ReluOp.build(operands=[value], result_types=[t])
        relu.set_names("", [f"r{i + 1}"])
        main.body.block.add_op(relu)
        value = relu.results[0]
    main.body.block.add_op(ReturnOp(value))
    return ModuleOp([main])


def _annotate_seconds(n: int, names: Path) -> float:
    module = _relu_chain(n)
    start = time.perf_counter()
    _annotate(module, _declared(str(names), ("Relu",)))
    return time.perf_counter() - start


def test_cost_is_linear_in_graph_size(tmp_path: Path) -> None:
    names = tmp_path / "fp16.yaml"
    names.write_text("FP16NodeInstanceNames: [r1, r7, r100]\n")
    _annotate_seconds(200, names)  # warm caches (ONNX schemas)
    # The fastest of three runs of each size: the other pytest worker shares the cores.
    small = min(_annotate_seconds(2000, names) for _ in range(3))
    large = min(_annotate_seconds(8000, names) for _ in range(3))
    # 4x the ops: a linear pass takes about 4x; quadratic would take 16x.
    assert large < 8 * small
