"""Printing and parsing are stable: same text twice, blobs intact, names kept.

xDSL's builtin `dense_resource` renames keys when the same text is parsed twice
in one process; aicc's blobs belong to the Context's ConstantStore and must not.
"""

# ruff: noqa: E501  (IR text lines)

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from xdsl.printer import Printer

from aicc.dialects.aicc import DenseResourceAttr, SplatAttr, encode_blob
from aicc.dialects.context import make_context
from aicc.dialects.elements import INLINE_MAX_ELEMENTS, elements_array
from aicc.dialects.ir_io import module_text, parse_module
from aicc.dialects.onnx_ops import ConstantOp
from aicc.frontend.onnx_load import load_module

_DATA = Path(__import__("onnx").__file__).parent / "backend/test/data/light"
LIGHT_MODELS = sorted(_DATA.glob("*.onnx"))
ROUNDTRIP = Path(__file__).parent / "onnx_roundtrip.mlir"

_W = np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3.0
_K = np.array([7, -1, 255, 0], dtype=np.int64)
TEXT = f"""func.func @main(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {{
  %w = onnx.Constant() <{{value = #aicc.dense_resource<w>, output_names = ["w"]}}> : () -> tensor<2x3x4xf32>
  %k = onnx.Constant() <{{value = #aicc.dense_resource<k>, output_names = ["k"]}}> : () -> tensor<4xi64>
  %y = onnx.Add(%x, %w) <{{output_names = ["y"]}}> : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  func.return %y : tensor<2x3x4xf32>
}}

{{-#
  dialect_resources: {{
    aicc: {{
      w: "{encode_blob(_W)}",
      k: "{encode_blob(_K)}"
    }}
  }}
#-}}
"""


def _constants(text: str, ctx: object | None = None) -> tuple[str, dict[str, np.ndarray]]:
    module = parse_module(ctx or make_context(), text)  # pyright: ignore[reportArgumentType]
    values = {
        op.first_output_name: elements_array(op.properties["value"], op.results[0].type)
        for op in module.walk()
        if isinstance(op, ConstantOp)
    }
    return module_text(module), values


def _check_data(values: dict[str, np.ndarray]) -> None:
    np.testing.assert_array_equal(values["w"], _W)
    np.testing.assert_array_equal(values["k"], _K)


def test_two_contexts_print_identically() -> None:
    first, values1 = _constants(TEXT)
    second, values2 = _constants(TEXT)
    assert first == second
    assert 'w: "0x' in first and 'k: "0x' in first
    _check_data(values1)
    _check_data(values2)


def test_one_context_twice_keeps_keys_and_data() -> None:
    ctx = make_context()
    first, values1 = _constants(TEXT, ctx)
    second, values2 = _constants(TEXT, ctx)
    assert first == second
    assert "#aicc.dense_resource<w>" in second and "#aicc.dense_resource<k>" in second
    _check_data(values1)
    _check_data(values2)


def test_printed_text_reparses_to_itself() -> None:
    first, _ = _constants(TEXT)
    second, values = _constants(first)
    assert first == second
    _check_data(values)


def test_generic_form_parses_back_to_custom_form() -> None:
    text, _ = _constants(ROUNDTRIP.read_text())
    module = parse_module(make_context(), text)
    generic = io.StringIO()
    Printer(stream=generic, print_generic_format=True).print_op(module)
    resources = text[text.index("{-#") :]
    again, _ = _constants(generic.getvalue() + "\n" + resources)
    assert again == text


@pytest.mark.parametrize("path", LIGHT_MODELS, ids=lambda p: p.stem)
def test_light_model_print_parse_print(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    module = load_module(path, {})
    first = module_text(module, elide_over=None)
    second = module_text(parse_module(make_context(), first), elide_over=None)
    assert first == second
    assert first.count("output_names = [") >= 10
    values = [op.properties["value"] for op in module.walk() if isinstance(op, ConstantOp)]
    assert values
    # Weights are blobs or splats; only tiny constants are inline.
    for value in values:
        assert isinstance(value, DenseResourceAttr | SplatAttr) or len(value) <= INLINE_MAX_ELEMENTS
