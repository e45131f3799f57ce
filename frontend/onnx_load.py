"""Read an ONNX model from `.onnx` or `.onnxtxt` and prepare it for import.

Preparation: the checker, symbolic dimensions fixed from `-onnx-define-symbol`,
the opset upgrade to the latest operator forms, and shape inference.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import onnx
import onnx.parser
from onnx.external_data_helper import load_external_data_for_model
from xdsl.dialects.builtin import ModuleOp

from aicc.base.errors import UserError, warn
from aicc.frontend.model_limits import check_declared_sizes, check_external_data, has_external_data
from aicc.frontend.onnx_import import import_model
from aicc.frontend.opset_upgrade import upgrade_model


def read_model(path: Path) -> onnx.ModelProto:
    """The model in `path`, as written (no checks yet)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    if path.suffix == ".onnxtxt":
        try:
            return onnx.parser.parse_model(data.decode())
        except (onnx.parser.ParseError, UnicodeDecodeError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise UserError(f"{path}: not valid ONNX text: {first}") from None
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception:  # protobuf raises DecodeError and friends
        raise UserError(f"{path}: not a valid ONNX file (truncated or corrupt)") from None
    if not model.HasField("graph"):
        raise UserError(f"{path}: not a valid ONNX file (it holds no graph)")
    return model


def fix_symbols(model: onnx.ModelProto, symbols: Mapping[str, int], path: Path) -> None:
    """Replace symbolic dimensions of the graph inputs by the user's values."""
    initializers = {i.name for i in model.graph.initializer}
    for info in model.graph.input:
        if info.name in initializers:
            continue
        for index, dim in enumerate(info.type.tensor_type.shape.dim):
            if dim.HasField("dim_value"):
                continue
            symbol = dim.dim_param
            if symbol not in symbols:
                label = f"'{symbol}'" if symbol else "unnamed"
                raise UserError(
                    f"{path}: input '{info.name}' dimension {index} is symbolic ({label}); "
                    f"set it with -onnx-define-symbol={symbol or 'NAME'},VALUE"
                )
            dim.dim_value = symbols[symbol]


def prepare_model(
    model: onnx.ModelProto, path: Path, symbols: Mapping[str, int]
) -> onnx.ModelProto:
    """Checked, upgraded to the latest opset and shape-inferred; refusals name `path`."""
    fix_symbols(model, symbols, path)
    check_external_data(model, path)
    check_declared_sizes(model, path)
    if has_external_data(model):
        load_external_data_for_model(model, str(path.parent))
    try:
        upgrade_model(model)
    except UserError as e:
        raise UserError(f"{path}: {e}") from None
    if strip_shapeless_outputs(model, path):
        # The checker needs output types: let inference fill them first.
        model = _infer(model, path)
        _check(model, path)
        return model
    _check(model, path)
    return _infer(model, path)


def _check(model: onnx.ModelProto, path: Path) -> None:
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as e:
        raise UserError(f"{path}: invalid ONNX model: {_first_line(e)}") from None


def _infer(model: onnx.ModelProto, path: Path) -> onnx.ModelProto:
    try:
        return onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except onnx.shape_inference.InferenceError as e:
        raise UserError(f"{path}: shape inference failed: {_first_line(e)}") from None


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def strip_shapeless_outputs(model: onnx.ModelProto, path: Path) -> bool:
    """Drop the declared type of graph outputs declared without a shape or type.

    The checker rejects them but onnxruntime runs such models, so this is a
    warning, not a refusal; shape inference fills the type. True if any was dropped.
    """
    stripped = False
    for info in model.graph.output:
        tensor = info.type.tensor_type
        if info.type.HasField("tensor_type") and tensor.elem_type and tensor.HasField("shape"):
            continue
        warn(f"{path}: output '{info.name}' is declared without a shape; inferring it")
        info.ClearField("type")
        stripped = True
    return stripped


def load_module(path: Path, symbols: Mapping[str, int] | None = None) -> ModuleOp:
    """Read, check, prepare and import the model in `path`."""
    model = prepare_model(read_model(path), path, symbols or {})
    try:
        return import_model(model)
    except UserError as e:
        raise UserError(f"{path}: {e}") from None
