"""The state of one `lower-onnx-to-kernel` run: buffers, layouts, constants, diagnostics.

Every ONNX tensor value maps to a `Buffer`: a memref SSA value and its layout.
Logical (ONNX) shapes are NCHW; a 4-D activation's buffer is NHWC, every other
buffer keeps ONNX order. The helpers here move between the two (transposes and
reshapes emitted as kernel ops, constants permuted at compile time) so that each
op's lowering only states what it computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, MemRefType, StringAttr, TensorType
from xdsl.ir import Attribute, Block, Operation, SSAValue

from aicc.base.errors import UserError
from aicc.dialects import kernel
from aicc.dialects.aicc import FUSED_FROM_ATTR, DenseResourceAttr
from aicc.dialects.elements import elements_array, resource_key, shape_of
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp
from aicc.dialects.quant import UniformQuantizedType, quantized_element
from aicc.sim.reference.kernels.quant_ops import storage_type

NHWC = (0, 2, 3, 1)
"""Physical axis i of an NHWC buffer holds logical (NCHW) axis NHWC[i]."""
TO_NCHW = (0, 3, 1, 2)
"""The transpose from an NHWC buffer back to NCHW."""

Shape = tuple[int, ...]


def layout_for(shape: Sequence[int]) -> str:
    """The layout of an activation of logical `shape`: 4-D ones are NHWC."""
    return "nhwc" if len(shape) == 4 else "rowmajor"


def to_physical(layout: str, logical: Sequence[int]) -> tuple[int, ...]:
    """A per-axis sequence (shape, starts, ...) in the buffer's axis order."""
    if layout != "nhwc":
        return tuple(logical)
    return tuple(logical[a] for a in NHWC)


def physical_axis(layout: str, axis: int) -> int:
    """Where logical axis `axis` (non-negative) lies in the buffer."""
    return NHWC.index(axis) if layout == "nhwc" else axis


def lifted(shape: Sequence[int]) -> tuple[int, ...]:
    """`shape` with a unit H inserted when it is N, C, W: 1-D forms run as 2-D ones."""
    return (*shape[:2], 1, *shape[2:]) if len(shape) == 3 else tuple(shape)


def hw_is_one(shape: Sequence[int]) -> bool:
    """A 4-D shape whose NCHW and NHWC bytes coincide."""
    return len(shape) == 4 and shape[2] * shape[3] == 1


def moved_axis(element: Attribute, axis: int) -> Attribute:
    """A per-axis quantized element type re-pointed at `axis` (others unchanged)."""
    if not isinstance(element, UniformQuantizedType) or element.axis is None:
        return element
    return UniformQuantizedType.make(
        element.storage_dtype,
        element.scale_array(),
        element.zero_point_array(),
        axis=axis,
        expressed_type=element.expressed_type,
        storage_range=(element.qmin, element.qmax),
    )


def physical_element(element: Attribute, layout: str) -> Attribute:
    """The element type in the buffer's axis order (a per-axis quantized axis moves)."""
    axis = element.axis if isinstance(element, UniformQuantizedType) else None
    return element if axis is None else moved_axis(element, physical_axis(layout, axis))


def memref_of(shape: Sequence[int], element: Attribute, layout: str) -> MemRefType:
    """The buffer type of a tensor of logical `shape` in `layout`."""
    return MemRefType(physical_element(element, layout), to_physical(layout, shape))


def element_of(value: SSAValue) -> Attribute:
    t = value.type
    assert isinstance(t, TensorType)
    return t.get_element_type()


@dataclass(frozen=True)
class Buffer:
    """Where a tensor lives: a memref value, its layout and the tensor's logical shape."""

    value: SSAValue
    layout: str
    shape: Shape

    @property
    def memref(self) -> MemRefType:
        t = self.value.type
        assert isinstance(t, MemRefType)
        return t

    @property
    def element(self) -> Attribute:
        return self.memref.get_element_type()


class Lowering:
    """Builds the body of the lowered function, op by op, in graph order."""

    def __init__(self, source: str, block: Block, used_keys: set[str]) -> None:
        self.source = source
        self.block = block
        self.values: dict[SSAValue, Buffer] = {}
        self.skip: set[Operation] = set()
        self._keys = used_keys
        self._consts: dict[tuple[SSAValue, str, Shape], Buffer] = {}

    # -- diagnostics ----------------------------------------------------------

    def fail(self, op: Operation, message: str) -> UserError:
        """A one-line error naming the source, the node and its op."""
        name = op.first_output_name if isinstance(op, OnnxOp) else _quant_name(op)
        return UserError(f"{self.source}: node '{name}' ({op.name}): {message}")

    def refuse_attribute(self, op: OnnxOp, attribute: str, value: object) -> UserError:
        return self.fail(op, f"attribute {attribute} = {value} is not supported on the device")

    # -- emitting ---------------------------------------------------------------

    def emit(self, op: Operation) -> None:
        self.block.add_op(op)

    def alloc(self, shape: Sequence[int], element: Attribute, layout: str | None = None) -> Buffer:
        """A new buffer for a tensor of logical `shape` (NHWC when 4-D unless told)."""
        layout = layout or layout_for(shape)
        op = kernel.AllocOp(memref_of(shape, element, layout), layout)
        self.emit(op)
        return Buffer(op.result, layout, tuple(shape))

    def alloc_for(self, value: SSAValue, shape: Sequence[int] | None = None) -> Buffer:
        """A new buffer for `value`, under logical `shape` when given (a lifted one)."""
        buffer = self.alloc(shape_of(value.type) if shape is None else shape, element_of(value))
        buffer.value.name_hint = value.name_hint
        return buffer

    def define(self, value: SSAValue, buffer: Buffer) -> None:
        self.values[value] = buffer

    # -- constants ----------------------------------------------------------------

    def constant_op(self, value: SSAValue | None) -> ConstantOp | None:
        owner = None if value is None else value.owner
        return owner if isinstance(owner, ConstantOp) else None

    def constant_array(self, value: SSAValue | None) -> np.ndarray | None:
        """The storage values of an `onnx.Constant` result, or None for other values."""
        op = self.constant_op(value)
        if op is None or value is None:
            return None
        try:
            return np.asarray(elements_array(op.value, storage_type(value.type)))
        except ValueError as e:  # an elided blob
            raise UserError(f"{self.source}: {e}") from None

    def const(
        self, array: np.ndarray, element: Attribute, hint: str, layout: str = "rowmajor"
    ) -> Buffer:
        """A constant buffer holding `array` (already in the physical layout) as a new blob."""
        key = self.fresh_key(hint)
        memref = MemRefType(element, array.shape)
        op = kernel.ConstOp(DenseResourceAttr.from_array(key, np.ascontiguousarray(array)), memref)
        self.emit(op)
        shape = array.shape if layout != "nhwc" else tuple(array.shape[a] for a in TO_NCHW)
        return Buffer(op.result, layout, tuple(shape))

    def fresh_key(self, hint: str) -> str:
        base = resource_key(hint)
        key, index = base, 0
        while key in self._keys:
            index += 1
            key = f"{base}_{index}"
        self._keys.add(key)
        return key

    def _constant_buffer(self, value: SSAValue, op: ConstantOp, shape: Shape) -> Buffer:
        """The constant `value` broadcast-ready for an operand of rank len(shape)."""
        cache_key = (value, layout_for(shape), shape)
        cached = self._consts.get(cache_key)
        if cached is not None:
            return cached
        array = self.constant_array(value)
        assert array is not None
        layout = layout_for(shape)
        element = physical_element(element_of(value), layout)
        physical = array.reshape(shape).transpose(NHWC) if layout == "nhwc" else array
        attr = op.value
        if layout != "nhwc" and isinstance(attr, DenseResourceAttr):
            # Same bytes in the same order: share the blob instead of copying it. An NHWC
            # transpose may keep the shape (C = H = W) while it moves the bytes.
            const_op = kernel.ConstOp(attr, MemRefType(element, physical.shape))
            self.emit(const_op)
            buffer = Buffer(const_op.result, layout, shape)
        else:
            buffer = self.const(physical, element, op.first_output_name, layout)
        self._consts[cache_key] = buffer
        return buffer

    # -- reading operands ------------------------------------------------------------

    def operand(self, op: Operation, value: SSAValue, rank: int | None = None) -> Buffer:
        """The buffer of `value`, as an operand of an op whose result has rank `rank`
        (a lower-rank operand is brought to that rank, numpy-broadcast style)."""
        shape = shape_of(value.type)
        target = shape if rank is None or rank <= len(shape) else (1,) * (rank - len(shape)) + shape
        const_op = self.constant_op(value)
        if const_op is not None:
            return self._constant_buffer(value, const_op, target)
        buffer = self.values.get(value)
        if buffer is None:
            raise self.fail(op, "reads a value the device lowering does not produce")
        return self.reshaped(buffer, target, names_of(op))

    def logical(self, buffer: Buffer, names: Sequence[str]) -> Buffer:
        """The buffer in ONNX axis order (an NHWC buffer is transposed back to NCHW)."""
        if buffer.layout != "nhwc":
            return buffer
        out = self.alloc(buffer.shape, buffer.element, "rowmajor")
        self.emit(
            kernel.TransposeOp([buffer.value], out.value, names, perm=kernel.i64_array(TO_NCHW))
        )
        return out

    def store_logical(self, source: Buffer, names: Sequence[str]) -> Buffer:
        """A row-major buffer of a tensor moved to that tensor's own layout."""
        if layout_for(source.shape) != "nhwc":
            return source
        out = self.alloc(source.shape, source.element)
        self.emit(kernel.TransposeOp([source.value], out.value, names, perm=kernel.i64_array(NHWC)))
        return out

    def reshaped(self, buffer: Buffer, shape: Shape, names: Sequence[str]) -> Buffer:
        """The same elements under logical `shape` (row-major order), in that shape's layout."""
        if buffer.shape == shape:
            return (
                buffer if buffer.layout == layout_for(shape) else self.store_logical(buffer, names)
            )
        source = buffer if hw_is_one(buffer.shape) else self.logical(buffer, names)
        if layout_for(shape) == "rowmajor" or hw_is_one(shape):
            out = self.alloc(shape, buffer.element)
            self.emit(kernel.ReshapeOp([source.value], out.value, names))
            return out
        flat = self.alloc(shape, buffer.element, "rowmajor")
        self.emit(kernel.ReshapeOp([source.value], flat.value, names))
        return self.store_logical(flat, names)

    def retyped(
        self, buffer: Buffer, element: Attribute, names: Sequence[str], *, move: bool = False
    ) -> Buffer:
        """`buffer` converted to `element` (a `kernel.convert`), or itself when it has it.

        `move`: a data-movement op changes the parameters, which the reference does
        with the fixed-point `to_type` (mode "move") when both types are quantized.
        """
        physical = physical_element(element, buffer.layout)
        if physical == buffer.element:
            return buffer
        out = self.alloc(buffer.shape, element, buffer.layout)
        source = buffer.element
        per_tensor = (
            isinstance(source, UniformQuantizedType)
            and isinstance(physical, UniformQuantizedType)
            and not (source.is_per_axis or physical.is_per_axis)
        )
        mode = {"mode": StringAttr("move")} if move and per_tensor else {}
        self.emit(kernel.ConvertOp([buffer.value], out.value, names, **mode))
        return out


def _quant_name(op: Operation) -> str:
    """A quant op's `name`, else its result's name (both are for reading only)."""
    name = op.properties.get("name")
    if isinstance(name, StringAttr):
        return name.data
    return next((r.name_hint for r in op.results if r.name_hint), op.name)


def permuted(lw: Lowering, buffer: Buffer, perm: Sequence[int], names: Sequence[str]) -> Buffer:
    """The tensor of `buffer` with its logical axes permuted by `perm`, row-major."""
    rank = len(perm)
    stored = np.argsort(NHWC if buffer.layout == "nhwc" else range(rank))
    total = [int(stored[p]) for p in perm]
    if total == list(range(rank)) and buffer.layout != "nhwc":
        return buffer
    shape = tuple(buffer.shape[p] for p in perm)
    out = lw.alloc(shape, buffer.element, "rowmajor")
    if total == list(range(rank)):
        # The NHWC bytes are already in that order: a plain copy into a row-major buffer.
        moved = kernel.CopyOp(
            [buffer.value], out.value, names, offsets=kernel.i64_array([0] * rank)
        )
    else:
        moved = kernel.TransposeOp([buffer.value], out.value, names, perm=kernel.i64_array(total))
    lw.emit(moved)
    return out


def names_of(op: Operation, *fused: Operation) -> list[str]:
    """The ONNX first-output names a kernel op comes from (a fused Conv's names first)."""
    names: list[str] = []
    for each in (op, *fused):
        if isinstance(each, OnnxOp):
            fused_from = each.attributes.get(FUSED_FROM_ATTR)
            if isinstance(fused_from, ArrayAttr) and each is op:
                names.extend(s.data for s in fused_from.data if isinstance(s, StringAttr))
            else:
                names.append(each.first_output_name)
        else:
            names.append(_quant_name(each))
    return list(dict.fromkeys(names))


def quantized(value: SSAValue) -> UniformQuantizedType | None:
    return quantized_element(value.type)
