"""What every per-op lowering reads from a `kernel` op.

The layer record and the node name of an op, the memref types of its operands
and the precision they run in (an i8 result is an INT8 kernel; f16 and f32 as
typed), the storage values of its constant operands, its buffers as `DdrTensor`s at
the result's rank, and the `requantize` parameters that move storage values from
one per-tensor quantized type to another.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import I64, DenseArrayBase, MemRefType
from xdsl.ir import SSAValue

from aicc.base import int8 as q
from aicc.base.errors import UserError
from aicc.base.precision import Precision
from aicc.dialects import kernel as k
from aicc.dialects.aic import ParamValue, node_key
from aicc.dialects.quant import UniformQuantizedType
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import DdrTensor


def node_of(op: k.KernelOp) -> str:
    return node_key(op.names)


def memref(value: SSAValue) -> MemRefType:
    t = value.type
    assert isinstance(t, MemRefType)
    return t


def precision(t: MemRefType) -> Precision:
    """The precision a buffer's element type runs in (quantized: i8)."""
    kind = k.element_kind(t)
    if kind == "quant":
        return "i8"
    return "f16" if kind == "f16" else "f32"


def quant(t: MemRefType, node: str, role: str) -> UniformQuantizedType:
    element = k.quant_element(t)
    if element is None:
        raise UserError(f"node '{node}': {role} must be quantized")
    return element


def const_array(value: SSAValue, node: str) -> np.ndarray:
    """The storage values of a `kernel.const` operand."""
    owner = value.owner
    if not isinstance(owner, k.ConstOp):
        raise UserError(f"node '{node}': the device needs a constant here, not a computed buffer")
    t = memref(value)
    return owner.resource.blob.view(k.buffer_dtype(t), tuple(t.get_shape()), owner.resource.key)


def ints(array: DenseArrayBase[I64]) -> tuple[int, ...]:
    return array.get_values()


def record_layer(builder: ProgramBuilder, op: k.KernelOp, kind: str, macs: int) -> None:
    """The op's `aic.layer`: useful MACs and the bytes of all its operands."""
    moved = sum(builder.tensor(v).nbytes for v in (*op.inputs, op.output))
    builder.layer(node_of(op), kind, precision(op.out_type()), macs, moved)


def at_rank(tensor: DdrTensor, rank: int) -> DdrTensor:
    """`tensor` with leading axes of size 1 up to `rank`."""
    extra = rank - len(tensor.shape)
    return tensor.reshaped((1,) * extra + tensor.shape) if extra > 0 else tensor


def move_params(
    node: str, source: UniformQuantizedType, target: UniformQuantizedType
) -> dict[str, ParamValue]:
    """`requantize` parameters moving storage values between per-tensor types."""
    try:
        multiplier, shift = q.quantize_multiplier(source.scale / target.scale)
    except ValueError as e:
        raise UserError(f"node '{node}': {e}") from None
    return {
        "multiplier": multiplier,
        "shift": shift,
        "in_zero_point": source.zero_point,
        "zero_point": target.zero_point,
        "qmin": target.qmin,
        "qmax": target.qmax,
    }
