"""The op-support declaration: backed by reference kernels, declared once, and the
only source of the compiler's claims (a new reference kernel claims nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdsl.dialects.builtin import ModuleOp

import aicc.sim.reference.interpreter  # noqa: F401  (imports every kernel module, filling the registries)
from aicc.base.precision import precision_of, reason_of
from aicc.dialects.context import make_context
from aicc.dialects.ir_io import parse_module
from aicc.dialects.onnx import OPS_BY_TYPE
from aicc.dialects.onnx_precision import annotated_ops
from aicc.lowering.onnx_to_kernel.registry import (
    FLOAT,
    FOLDED,
    LOWERINGS,
    SUPPORT,
    interpreted,
    lowers,
)
from aicc.lowering.onnx_to_kernel.support import claimed_precisions, device_precisions, kinds_in
from aicc.passes.annotate_precision import AnnotatePrecision
from aicc.pipeline.op_support import format_table
from aicc.sim.reference.kernels import KERNELS, QUANTIZED_KERNELS

CNN = Path(__file__).parents[1] / "passes" / "annotate_precision" / "Inputs" / "cnn.mlir"


def _annotated_i8() -> list[tuple[str, str | None, str | None]]:
    """(name, precision, reason) of every op of cnn.mlir annotated with an i8 base."""
    module: ModuleOp = parse_module(make_context(), CNN.read_text(), CNN)
    annotate = AnnotatePrecision(
        default="i8", fp16_kinds=kinds_in("f16"), int8_kinds=kinds_in("i8")
    )
    annotate.apply(make_context(), module)
    return [(o.first_output_name, precision_of(o), reason_of(o)) for o in annotated_ops(module)]


def test_the_reference_has_a_kernel_for_every_claim() -> None:
    for name, support in SUPPORT.items():
        if support.precisions & FLOAT:
            assert name in KERNELS, name
        if "i8" in support.precisions:
            assert name in QUANTIZED_KERNELS, name


def test_every_claim_is_an_onnx_op_and_every_device_claim_is_lowered_or_folded() -> None:
    names = {op.name for op in OPS_BY_TYPE.values()}
    assert set(SUPPORT) <= names
    for name, support in SUPPORT.items():
        assert support.device == (name in LOWERINGS or name in FOLDED), name
        assert not (name in LOWERINGS and name in FOLDED), name
        # FP16 runs the FP32 kernel with FP16 rounding: the two go together.
        assert ("f32" in support.precisions) == ("f16" in support.precisions), name


def test_claims_by_kind() -> None:
    assert claimed_precisions("Conv") == device_precisions("Conv") == {"f32", "f16", "i8"}
    assert claimed_precisions("Softmax") == {"f32", "f16"}
    assert claimed_precisions("Gather") == {"f32", "f16", "i8"}
    assert device_precisions("Gather") == frozenset()
    assert claimed_precisions("NoSuchOp") == device_precisions("NoSuchOp") == frozenset()
    assert "Conv" in kinds_in("i8") and "Softmax" not in kinds_in("i8")


def test_an_op_is_declared_once() -> None:
    with pytest.raises(ValueError, match="onnx.Conv: its support is declared twice"):
        interpreted("onnx.Conv", precisions=FLOAT)
    with pytest.raises(ValueError, match="onnx.Conv: its support is declared twice"):
        lowers("onnx.Conv", precisions=FLOAT)
    with pytest.raises(ValueError, match="onnx.Foo: onnx ops, and only they"):
        lowers("onnx.Foo")
    assert "onnx.Foo" not in SUPPORT


def test_a_new_reference_kernel_claims_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    table, annotated = format_table(), _annotated_i8()
    assert ("prob", "f32", "no-int8-kernel") in annotated
    assert "onnx.Softmax" not in QUANTIZED_KERNELS
    monkeypatch.setitem(QUANTIZED_KERNELS, "onnx.Softmax", KERNELS["onnx.Softmax"])
    assert format_table() == table
    assert _annotated_i8() == annotated
