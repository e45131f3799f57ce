"""Read an ONNX model from `.onnx` or `.onnxtxt` and prepare it for import.

Preparation: the checker, symbolic dimensions fixed from `-onnx-define-symbol`,
the opset upgrade to the latest operator forms, and shape inference.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path

import onnx
import onnx.parser
from onnx.external_data_helper import load_external_data_for_model
from xdsl.dialects.builtin import ModuleOp

from aicc.base.errors import UserError, warn
from aicc.frontend.batch import (
    check_batched_outputs,
    forget_shapes,
    rebatch_reshapes,
    set_batch_size,
)
from aicc.frontend.model_limits import (
    MAX_TENSOR_ELEMENTS,
    check_declared_sizes,
    check_external_data,
    check_input_dims,
    check_value_sizes,
    has_external_data,
    warn_non_finite_weights,
)
from aicc.frontend.onnx_import import import_model
from aicc.frontend.opset_upgrade import upgrade_model

_PARSE_POSITION = re.compile(r"line: (\d+) column: (\d+)")


def read_model(path: Path) -> onnx.ModelProto:
    """The model in `path`, as written (no checks yet)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    if path.suffix == ".onnxtxt":
        try:
            text = data.decode()
        except UnicodeDecodeError:
            raise UserError(f"{path}: not valid ONNX text: not UTF-8") from None
        try:
            return onnx.parser.parse_model(text)
        except onnx.parser.ParseError as e:
            raise _text_parse_error(path, e) from None
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception:  # protobuf raises DecodeError and friends
        raise UserError(f"{path}: not a valid ONNX file (truncated or corrupt)") from None
    if not model.HasField("graph"):
        raise UserError(f"{path}: not a valid ONNX file (it holds no graph)")
    return model


def _text_parse_error(path: Path, error: onnx.parser.ParseError) -> UserError:
    """`file:line:column: not valid ONNX text: <what was expected>`.

    The parser's message is the repr of bytes holding a position line, a context
    line and the problem.
    """
    text = str(error).strip()
    if text[:2] in ("b'", 'b"'):
        text = ast.literal_eval(text).decode(errors="replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    position = _PARSE_POSITION.search(text)
    where = f"{path}:{position[1]}:{position[2]}" if position else str(path)
    problem = lines[-1] if lines else type(error).__name__
    return UserError(f"{where}: not valid ONNX text: {problem}")


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
            value = symbols[symbol]
            if not 1 <= value <= MAX_TENSOR_ELEMENTS:
                raise UserError(
                    f"{path}: input '{info.name}' dimension {index}: "
                    f"-onnx-define-symbol={symbol},{value} is outside 1..{MAX_TENSOR_ELEMENTS} "
                    "(the limit of elements per tensor)"
                )
            dim.dim_value = value


def prepare_model(
    model: onnx.ModelProto, path: Path, symbols: Mapping[str, int], batch: int | None = None
) -> onnx.ModelProto:
    """Checked, upgraded to the latest opset and shape-inferred; refusals name `path`.

    `batch` (`-batchsize`): dim 0 of every input becomes that size (see aicc.frontend.batch).
    """
    if batch is not None:
        set_batch_size(model, batch, path)
        model = _prepare(model, path, symbols)
        if rebatch_reshapes(model, batch, path):
            forget_shapes(model)
            model = _infer(model, path)
        check_batched_outputs(model, batch, path)
        return model
    return _prepare(model, path, symbols)


def _prepare(model: onnx.ModelProto, path: Path, symbols: Mapping[str, int]) -> onnx.ModelProto:
    """`prepare_model` at the model's own batch."""
    fix_symbols(model, symbols, path)
    check_input_dims(model, path)
    check_external_data(model, path)
    check_declared_sizes(model, path)
    if has_external_data(model):
        load_external_data_for_model(model, str(path.parent))
    warn_non_finite_weights(model, path)
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
        # The checker breaks its lines inside a sentence (around the node it names).
        raise UserError(f"{path}: invalid ONNX model: {' '.join(str(e).split())}") from None


def _infer(model: onnx.ModelProto, path: Path) -> onnx.ModelProto:
    """The model with every value's shape; values over the size limit are refused."""
    try:
        inferred = _infer_shapes(model)
    except onnx.shape_inference.InferenceError as e:
        inferred = _replace_stored_shapes(model, path, e)
    check_value_sizes([*inferred.graph.value_info, *inferred.graph.output], path)
    return inferred


def _infer_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    return onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)


def _replace_stored_shapes(
    model: onnx.ModelProto, path: Path, error: onnx.shape_inference.InferenceError
) -> onnx.ModelProto:
    """Infer again without the stored intermediate and output shapes, warning for each replaced.

    An exporter's stored shape can disagree with the op's shape rule (a ceil_mode
    pooling window that would start in the padding, say); onnxruntime runs such a
    model with the rule's shape, and so does aicc. If inference fails without the
    stored shapes too, or none of them disagrees, the first error stands.
    """
    refusal = UserError(f"{path}: shape inference failed: {_first_line(error)}")
    bare = onnx.ModelProto()
    bare.CopyFrom(model)
    bare.graph.ClearField("value_info")
    for info in bare.graph.output:
        info.type.tensor_type.ClearField("shape")
    try:
        inferred = _infer_shapes(bare)
    except onnx.shape_inference.InferenceError:
        raise refusal from None
    rule = {info.name: _dims(info) for info in [*inferred.graph.value_info, *inferred.graph.output]}
    replaced = False
    for info in [*model.graph.value_info, *model.graph.output]:
        stored, inferred_dims = _dims(info), rule.get(info.name)
        if inferred_dims is None or not info.type.tensor_type.HasField("shape"):
            continue
        if _conflict(stored, inferred_dims):
            warn(
                f"{path}: tensor '{info.name}': the stored shape {list(stored)} disagrees with "
                f"its producer's shape rule; using {list(inferred_dims)}"
            )
            replaced = True
    if not replaced:
        raise refusal
    return inferred


def _conflict(stored: tuple[int | str, ...], inferred: tuple[int | str, ...]) -> bool:
    """Whether two shapes differ in rank or in a dimension both give as a number."""
    if len(stored) != len(inferred):
        return True
    return any(
        isinstance(a, int) and isinstance(b, int) and a != b
        for a, b in zip(stored, inferred, strict=True)
    )


def _dims(info: onnx.ValueInfoProto) -> tuple[int | str, ...]:
    return tuple(
        d.dim_value if d.HasField("dim_value") else d.dim_param
        for d in info.type.tensor_type.shape.dim
    )


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
    return import_verified(prepare_model(read_model(path), path, symbols or {}), path)


def import_verified(model: onnx.ModelProto, path: Path) -> ModuleOp:
    """The verified `onnx`-dialect module of a prepared model; refusals name `path`.

    ONNX shape inference checks less than the ops' verifiers do (whether Gemm's C
    broadcasts, PRelu's slope, Conv's group), and every later level trusts them, so
    `import_model` verifies every op.
    """
    try:
        return import_model(model)
    except UserError as e:
        raise UserError(f"{path}: {e}") from None
