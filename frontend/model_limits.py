"""Refusals of ONNX files that are unsafe to load, checked before any tensor is read.

- External data must stay inside the model's folder: no absolute paths, no
  `..`, no symbolic links that resolve elsewhere, and the file must hold the
  declared bytes.
- Declared tensors must fit: no negative dimensions, no dimension product that
  overflows int64, inline data of the declared size, and all declared weights
  together under `MEMORY_FRACTION` of the physical memory.
- No graph input dimension is negative (zero-size tensors are valid ONNX and
  run), and no value (graph input, inferred intermediate or output) holds more
  than `MAX_TENSOR_ELEMENTS` elements. The limit is checked on the declared and
  inferred shapes, before anything is allocated or tiled: a mistaken dimension
  such as 10**12 would otherwise spend minutes in device tiling and gigabytes
  of memory.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from aicc.base.errors import UserError, warn

MEMORY_FRACTION = 0.75
MAX_TENSOR_ELEMENTS = 2**31 - 1
"""The most elements any one value of a model may hold (8 GiB of float32)."""
_INT64_MAX = 2**63 - 1
_FLOAT_TYPES = (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE)


def model_tensors(model: onnx.ModelProto) -> Iterator[TensorProto]:
    """The initializers and constant tensors of the graph and of every subgraph."""
    yield from _graph_tensors(model.graph)


def _graph_tensors(graph: onnx.GraphProto) -> Iterator[TensorProto]:
    yield from graph.initializer
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR:
                yield attr.t
            elif attr.type == onnx.AttributeProto.SPARSE_TENSOR:
                yield attr.sparse_tensor.values
            elif attr.type == onnx.AttributeProto.GRAPH:
                yield from _graph_tensors(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for subgraph in attr.graphs:
                    yield from _graph_tensors(subgraph)


def check_input_dims(model: onnx.ModelProto, path: Path) -> None:
    """Refuse graph inputs with a negative dimension or more than `MAX_TENSOR_ELEMENTS` elements."""
    initializers = {i.name for i in model.graph.initializer}
    for info in model.graph.input:
        if info.name in initializers:
            continue
        for index, dim in enumerate(info.type.tensor_type.shape.dim):
            if dim.HasField("dim_value") and dim.dim_value < 0:
                raise UserError(
                    f"{path}: input '{info.name}' dimension {index} is {dim.dim_value}; "
                    "dimensions cannot be negative"
                )
    check_value_sizes(model.graph.input, path)


def check_value_sizes(infos: Iterable[onnx.ValueInfoProto], path: Path) -> None:
    """Refuse a value whose static shape holds more than `MAX_TENSOR_ELEMENTS` elements."""
    for info in infos:
        dims = info.type.tensor_type.shape.dim
        count = math.prod(max(d.dim_value, 1) for d in dims if d.HasField("dim_value"))
        if count > MAX_TENSOR_ELEMENTS:
            shape = [d.dim_value if d.HasField("dim_value") else d.dim_param for d in dims]
            raise UserError(
                f"{path}: tensor '{info.name}' of shape {shape} holds {count} elements, "
                f"above the limit of {MAX_TENSOR_ELEMENTS} elements per tensor"
            )


def has_external_data(model: onnx.ModelProto) -> bool:
    return any(t.data_location == TensorProto.EXTERNAL for t in model_tensors(model))


def check_external_data(model: onnx.ModelProto, path: Path) -> None:
    folder = path.parent.resolve()
    for tensor in model_tensors(model):
        if tensor.data_location != TensorProto.EXTERNAL:
            continue
        entries = {e.key: e.value for e in tensor.external_data}
        _check_external_file(entries, folder, f"{path}: tensor '{tensor.name}'")


def _check_external_file(entries: dict[str, str], folder: Path, where: str) -> None:
    location = entries.get("location", "")
    if not location:
        raise UserError(f"{where}: external data without a location")
    relative = Path(location)
    if relative.is_absolute() or ".." in relative.parts:
        raise UserError(f"{where}: external data file '{location}' is outside the model's folder")
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder):
        raise UserError(
            f"{where}: external data file '{location}' resolves outside the model's folder"
        )
    if not target.is_file():
        raise UserError(f"{where}: external data file '{location}' does not exist")
    try:
        offset, length = int(entries.get("offset", "0")), int(entries.get("length", "-1"))
    except ValueError:
        raise UserError(
            f"{where}: external data of '{location}' has a bad offset or length"
        ) from None
    if offset < 0 or (length >= 0 and offset + length > target.stat().st_size):
        raise UserError(f"{where}: external data file '{location}' is shorter than declared")


def check_declared_sizes(model: onnx.ModelProto, path: Path) -> None:
    """Refuse declared tensors that cannot fit, then inline data of the wrong size."""
    limit = int(MEMORY_FRACTION * _physical_memory())
    total = 0
    for tensor in model_tensors(model):
        total += _declared_bytes(tensor, f"{path}: tensor '{tensor.name}'")
        if total > limit:
            raise UserError(
                f"{path}: the declared tensors (up to '{tensor.name}') need {total} bytes, "
                f"more than {MEMORY_FRACTION:.0%} of this machine's memory ({limit} bytes)"
            )
    for tensor in model_tensors(model):
        if tensor.data_location != TensorProto.EXTERNAL:
            _check_inline_size(tensor, f"{path}: tensor '{tensor.name}'")


def _storage(data_type: int) -> tuple[int, str] | None:
    """(bytes per element, TensorProto field of typed data), or None for exotic types."""
    try:
        dtype = helper.tensor_dtype_to_np_dtype(data_type)
        field = helper.tensor_dtype_to_field(data_type)
    except (KeyError, ValueError, TypeError):
        return None
    return None if dtype.kind in "cOSU" else (dtype.itemsize, field)


def _declared_bytes(tensor: TensorProto, where: str) -> int:
    dims = list(tensor.dims)
    if any(d < 0 for d in dims):
        raise UserError(f"{where}: negative dimension in {dims}")
    count = math.prod(dims)
    if count > _INT64_MAX:
        raise UserError(f"{where}: the element count of dimensions {dims} overflows int64")
    storage = _storage(tensor.data_type)
    # An exotic type is refused later by the importer; count it a byte an element.
    nbytes = count * (storage[0] if storage else 1)
    if nbytes > _INT64_MAX:
        raise UserError(f"{where}: the byte size of dimensions {dims} overflows int64")
    return nbytes


def _check_inline_size(tensor: TensorProto, where: str) -> None:
    storage = _storage(tensor.data_type)
    if storage is None:
        return
    itemsize, field = storage
    count = math.prod(tensor.dims)
    raw = tensor.HasField("raw_data")
    held = len(tensor.raw_data) if raw else len(getattr(tensor, field))
    expected = count * itemsize if raw else count
    if held != expected:
        raise UserError(
            f"{where}: holds {held} {'bytes' if raw else 'values'} "
            f"but its dimensions {list(tensor.dims)} need {expected}"
        )


def _physical_memory() -> int:
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def warn_non_finite_weights(model: onnx.ModelProto, path: Path) -> None:
    """One warning per float weight holding NaN or Inf: a model may do so, but rarely means to."""
    for tensor in model_tensors(model):
        if tensor.data_type not in _FLOAT_TYPES or tensor.data_location == TensorProto.EXTERNAL:
            continue
        values = numpy_helper.to_array(tensor)
        if np.isfinite(values).all():
            continue
        nan = int(np.count_nonzero(np.isnan(values)))
        inf = int(np.count_nonzero(np.isinf(values)))
        if nan or inf:
            warn(f"{path}: tensor '{tensor.name}' holds {nan} NaN and {inf} Inf value(s)")
