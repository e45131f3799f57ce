"""Kernels of the data-movement ops: shape, layout, indexing, constants, casts.

bfloat16 tensors are held as their uint16 bit patterns (see `aicc.dialects.elements`);
only Cast converts them to and from real numbers.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from xdsl.dialects.builtin import BFloat16Type, DenseArrayBase, IntegerAttr, StringAttr, TensorType
from xdsl.ir import Attribute

from aicc.base.errors import UserError
from aicc.dialects.elements import elements_array
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.elementwise import present, result_dtype


def int_prop(op: OnnxOp, name: str) -> int | None:
    attr = op.properties.get(name)
    return int(attr.value.data) if isinstance(attr, IntegerAttr) else None


def ints_prop(op: OnnxOp, name: str) -> list[int] | None:
    attr = op.properties.get(name)
    return [int(v) for v in attr.get_values()] if isinstance(attr, DenseArrayBase) else None


def str_prop(op: OnnxOp, name: str) -> str:
    attr = op.properties[name]
    assert isinstance(attr, StringAttr), f"{op.describe()}: '{name}' is not a string"
    return attr.data


def axis_prop(op: OnnxOp, rank: int, name: str = "axis") -> int:
    axis = int_prop(op, name)
    assert axis is not None, f"{op.describe()}: '{name}' is not set"
    return axis + rank if axis < 0 else axis


def positive_axes(axes: np.ndarray | list[int], rank: int) -> list[int]:
    return [int(a) + rank if a < 0 else int(a) for a in np.asarray(axes).reshape(-1)]


def _is_bf16(t: Attribute) -> bool:
    return isinstance(t, TensorType) and isinstance(t.get_element_type(), BFloat16Type)


def bf16_to_f32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16(x: np.ndarray) -> np.ndarray:
    """bfloat16 bit patterns of `x`, rounded to nearest even; NaN stays a quiet NaN."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounding = ((bits >> 16) & 1) + np.uint32(0x7FFF)
    rounded = ((bits + rounding) >> 16).astype(np.uint16)
    return np.where(np.isnan(x), np.uint16(0x7FC0), rounded)


# -- layout -----------------------------------------------------------------


@kernel("onnx.Identity")
def identity(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    return [x]


@kernel("onnx.Reshape")
def reshape(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, shape = present(inputs)
    dims = [int(d) for d in shape]
    if not int_prop(op, "allowzero"):
        # 0 copies the input dimension unless allowzero asks for a literal 0.
        dims = [x.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    return [x.reshape(dims)]


@kernel("onnx.Flatten")
def flatten(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    axis = axis_prop(op, x.ndim)
    return [x.reshape(int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))]


@kernel("onnx.Transpose")
def transpose(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    perm = ints_prop(op, "perm")
    return [np.transpose(x, None if perm is None else positive_axes(perm, x.ndim))]


@kernel("onnx.Squeeze")
def squeeze(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, axes = (inputs + [None])[:2]
    assert x is not None
    if axes is None:
        return [np.squeeze(x)]
    return [np.squeeze(x, axis=tuple(positive_axes(axes, x.ndim)))]


@kernel("onnx.Unsqueeze")
def unsqueeze(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, axes = present(inputs)
    rank = x.ndim + axes.size
    return [np.expand_dims(x, tuple(positive_axes(axes, rank)))]


@kernel("onnx.Concat")
def concat(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    arrays = present(inputs)
    return [np.concatenate(arrays, axis=axis_prop(op, arrays[0].ndim))]


@kernel("onnx.Split")
def split(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, sizes = (inputs + [None])[:2]
    assert x is not None
    axis = axis_prop(op, x.ndim)
    count = len(op.results)
    if sizes is None:
        # Equal chunks of ceil(dim / count); the last one takes what is left (opset 18).
        chunk = -(-x.shape[axis] // count)
        sizes = np.array([min(chunk, x.shape[axis] - i * chunk) for i in range(count)])
    bounds = np.cumsum(sizes)[:-1]
    return np.split(x, bounds, axis=axis)


@kernel("onnx.Slice")
def slice_(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, starts, ends, axes, steps = (inputs + [None, None])[:5]
    assert x is not None and starts is not None and ends is not None
    axes = np.arange(starts.size) if axes is None else axes
    steps = np.ones(starts.size, dtype=np.int64) if steps is None else steps
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(
        starts, ends, positive_axes(axes, x.ndim), steps, strict=True
    ):
        index[axis] = _slice_of(int(start), int(end), int(step), x.shape[axis])
    return [x[tuple(index)]]


def _slice_of(start: int, end: int, step: int, dim: int) -> slice:
    """ONNX start/end clamping, as a Python slice (negative ends mean 'before 0')."""
    start = start + dim if start < 0 else start
    end = end + dim if end < 0 else end
    if step > 0:
        return slice(min(max(start, 0), dim), min(max(end, 0), dim), step)
    start = min(max(start, 0), dim - 1)
    end = min(max(end, -1), dim - 1)
    return slice(start, None if end < 0 else end, step)


# The ONNX pad modes besides constant, and numpy's names for them.
PAD_MODES: dict[str, Literal["reflect", "edge", "wrap"]] = {
    "reflect": "reflect",
    "edge": "edge",
    "wrap": "wrap",
}


@kernel("onnx.Pad")
def pad(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, pads, value, axes = (inputs + [None, None])[:4]
    assert x is not None and pads is not None
    axis_list = list(range(x.ndim)) if axes is None else positive_axes(axes, x.ndim)
    widths = [(0, 0)] * x.ndim
    for i, axis in enumerate(axis_list):
        widths[axis] = (int(pads[i]), int(pads[len(axis_list) + i]))
    # Negative pads remove elements first; reflect and wrap then see the cropped data.
    crop = tuple(
        slice(-min(b, 0), n + min(e, 0)) for n, (b, e) in zip(x.shape, widths, strict=True)
    )
    x = x[crop]
    grow = [(max(b, 0), max(e, 0)) for b, e in widths]
    mode = str_prop(op, "mode")
    if mode != "constant" and any(
        n == 0 and b + e > 0 for n, (b, e) in zip(x.shape, grow, strict=True)
    ):
        # No element to repeat: onnx leaves it undefined, onnxruntime refuses it.
        raise UserError(f"{op.describe()}: Pad mode '{mode}' cannot pad an empty axis")
    if mode == "constant":
        fill = 0 if value is None or value.size == 0 else value.reshape(-1)[0]
        y = np.pad(x, grow, mode="constant", constant_values=fill)
    else:
        y = np.pad(x, grow, mode=PAD_MODES[mode])
    return [y.astype(result_dtype(op), copy=False)]


# -- indexing and shapes ------------------------------------------------------


@kernel("onnx.Gather")
def gather(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    data, indices = present(inputs)
    axis = axis_prop(op, data.ndim)
    wrapped = np.where(indices < 0, indices + data.shape[axis], indices)
    return [np.take(data, wrapped, axis=axis)]


@kernel("onnx.Shape")
def shape(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    # Python slicing clamps start and end exactly as ONNX Shape does.
    dims = x.shape[int_prop(op, "start") or 0 : int_prop(op, "end")]
    return [np.array(dims, dtype=np.int64)]


@kernel("onnx.Dropout")
def dropout(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, _, training = (inputs + [None, None])[:3]
    assert x is not None
    if training is not None and bool(training.reshape(-1)[0]):
        raise UserError(f"{op.describe()}: Dropout in training mode is not supported")
    outputs = [x]
    if len(op.results) == 2:
        outputs.append(np.ones(x.shape, dtype=np.bool_))
    return outputs


# -- constants and casts ------------------------------------------------------


@kernel("onnx.Constant")
def constant(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    return [elements_array(op.properties["value"], op.results[0].type)]


@kernel("onnx.ConstantOfShape")
def constant_of_shape(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (dims,) = present(inputs)
    out_type = op.results[0].type
    assert isinstance(out_type, TensorType)
    attr = op.properties.get("value")
    if attr is None:
        return [np.zeros([int(d) for d in dims], dtype=np.float32)]
    value = elements_array(attr, TensorType(out_type.get_element_type(), [1]))
    return [np.full([int(d) for d in dims], value.reshape(-1)[0], dtype=value.dtype)]


@kernel("onnx.Cast")
def cast(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    (x,) = present(inputs)
    source = bf16_to_f32(x) if _is_bf16(op.operands[0].type) else x
    if _is_bf16(op.results[0].type):
        return [f32_to_bf16(source.astype(np.float32))]
    out = result_dtype(op)
    if out == np.bool_:
        return [source != 0]
    # Out-of-range float to integer is undefined in ONNX; do not let numpy warn about it.
    with np.errstate(invalid="ignore", over="ignore"):
        return [source.astype(out)]
