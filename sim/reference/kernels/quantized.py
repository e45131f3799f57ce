"""INT8 kernels of the element-wise and data-movement ops, and the integer helpers
every quantized kernel shares.

Arrays of quantized operands and results hold storage integers (see
`aicc.sim.reference.kernels`). Each kernel reads the scales and zero points from the op's
types and computes with exact integers; the only roundings are the fixed-point
requantizations of docs/integer-semantics.md (`aicc.base.int8.requantize`, one
rounding, ties away from zero, then the zero point and saturation). Inside a
kernel, a value moves from parameters (s_in, z_in) to (s_out, z_out) as

    out = requantize(q - z_in, quantize_multiplier(s_in / s_out)) + z_out

which is the identity when the parameters are equal (multiplier 2^30, shift -1).

- Data movement (Identity, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Slice,
  Split, Gather, Dropout, MaxPool, GlobalMaxPool) runs the FP32 kernel on the
  integers, then moves each result to its own parameters; max commutes with the
  monotone requantization.
- Concat moves every input to the output parameters, then concatenates.
- Relu: `max(q - z_in, 0)` moved to the output parameters.
- Clip: x moved to the output parameters, clamped to the bounds moved to them.
- Add and Sub (TFLite's scheme, with this rounding): with `s = 2 * max(s_a, s_b)`,
  each input becomes `requantize((q - z) << 20, s_in / s)`, exact to 2^-20 of an
  input step; the sum or difference is requantized by `s / (2^20 * s_out)`.
- Mul: `(a - z_a) * (b - z_b)` exactly, requantized by `s_a * s_b / s_out`.
Binary ops broadcast like their FP32 kernels. Activations are per tensor; a
per-axis operand where a kernel expects one per tensor is a UserError.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import Attribute

# The FP32 kernels that data movement runs on integers.
import aicc.sim.reference.kernels.pool  # noqa: F401
import aicc.sim.reference.kernels.tensor  # noqa: F401
from aicc.base import int8 as q
from aicc.base.errors import UserError
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.quant import UniformQuantizedType, quantized_element
from aicc.sim.reference.kernels import KERNELS, quantized_kernel

_INT32 = np.iinfo(np.int32)


# -- types and requantization ----------------------------------------------


def operand_type(op: OnnxOp, slot: int) -> Attribute | None:
    """The type of ONNX input `slot` of `op` (None when absent)."""
    value = op.operand_slots()[slot]
    return None if value is None else value.type


def per_tensor(op: OnnxOp, t: Attribute | None, role: str) -> UniformQuantizedType:
    """The per-tensor quantized element type of `t`, or a UserError naming `role`."""
    element = quantized_element(t) if t is not None else None
    if element is None or element.is_per_axis:
        raise UserError(f"{op.describe()}: the INT8 kernel needs a per-tensor quantized {role}")
    return element


def input_type(op: OnnxOp, slot: int = 0) -> UniformQuantizedType:
    return per_tensor(op, operand_type(op, slot), f"input {slot}")


def result_type(op: OnnxOp, index: int = 0) -> UniformQuantizedType:
    return per_tensor(op, op.results[index].type, f"result {index}")


def rescale(
    op: OnnxOp,
    values: np.ndarray,
    real_multiplier: float | np.ndarray,
    zero_point: int,
    bounds: tuple[int, int],
) -> np.ndarray:
    """`requantize(values, m) + zero_point`, saturated to `bounds` (int64; `m` broadcasts)."""
    try:
        multiplier, shift = q.quantize_multipliers(np.asarray(real_multiplier, np.float64))
        return q.requantize(values, multiplier, shift, zero_point, *bounds)
    except ValueError as e:
        raise UserError(f"{op.describe()}: {e}") from None


def to_type(
    op: OnnxOp, values: np.ndarray, source: UniformQuantizedType, target: UniformQuantizedType
) -> np.ndarray:
    """Storage values of per-tensor `source` moved to per-tensor `target` (`q.to_type`)."""
    try:
        return q.to_type(values, source, target)
    except ValueError as e:
        raise UserError(f"{op.describe()}: {e}") from None


def to_result(op: OnnxOp, centered: np.ndarray, scale: float | np.ndarray) -> np.ndarray:
    """Centered integers at `scale` (per output channel, broadcast) as result 0's storage."""
    out = result_type(op)
    moved = rescale(op, centered, scale / out.scale, out.zero_point, (out.qmin, out.qmax))
    return moved.astype(out.storage_dtype)


def check_int32(op: OnnxOp, acc: np.ndarray) -> np.ndarray:
    """`acc` unchanged; an int32 accumulator overflow is an error, never wrapped."""
    if acc.size and (acc.min() < _INT32.min or acc.max() > _INT32.max):
        raise UserError(f"{op.describe()}: the int32 accumulator overflows")
    return acc


# -- data movement -----------------------------------------------------------

_MOVING = (
    "onnx.Identity",
    "onnx.Reshape",
    "onnx.Flatten",
    "onnx.Transpose",
    "onnx.Squeeze",
    "onnx.Unsqueeze",
    "onnx.Slice",
    "onnx.Split",
    "onnx.Gather",
    "onnx.Dropout",
    "onnx.MaxPool",
    "onnx.GlobalMaxPool",
)


@quantized_kernel(*_MOVING)
def moving(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    source = input_type(op)
    outputs = KERNELS[op.name](op, inputs)
    moved: list[np.ndarray] = []
    for index, (y, result) in enumerate(zip(outputs, op.results, strict=True)):
        target = quantized_element(result.type)
        moved.append(y if target is None else to_type(op, y, source, result_type(op, index)))
    return moved


@quantized_kernel("onnx.Concat")
def concat(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    target = result_type(op)
    moved = [
        None if x is None else to_type(op, x, input_type(op, slot), target)
        for slot, x in enumerate(inputs)
    ]
    return KERNELS[op.name](op, moved)


# -- activations ---------------------------------------------------------------


@quantized_kernel("onnx.Relu")
def relu(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, source = inputs[0], input_type(op)
    assert x is not None
    return [to_result(op, np.maximum(x.astype(np.int64) - source.zero_point, 0), source.scale)]


@quantized_kernel("onnx.Clip")
def clip(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, low, high = (inputs + [None, None])[:3]
    assert x is not None
    source, out = input_type(op), result_type(op)
    y = to_type(op, x, source, out).astype(np.int64)
    lower = _bound(op, low, 1, out, out.qmin)
    upper = _bound(op, high, 2, out, out.qmax)
    return [np.clip(y, lower, upper).astype(out.storage_dtype)]


def _bound(
    op: OnnxOp, value: np.ndarray | None, slot: int, out: UniformQuantizedType, default: int
) -> int:
    """A Clip bound in the output's storage values."""
    if value is None or value.size == 0:
        return default
    return int(to_type(op, value.reshape(()), input_type(op, slot), out))


# -- arithmetic ----------------------------------------------------------------


@quantized_kernel("onnx.Add", "onnx.Sub")
def add_sub(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    ta, tb, out = input_type(op, 0), input_type(op, 1), result_type(op)
    real_a, real_b, real_out = q.add_multipliers(ta.scale, tb.scale, out.scale)
    try:
        (ma, mb), (sa, sb) = q.quantize_multipliers(np.array([real_a, real_b]))
    except ValueError as e:
        raise UserError(f"{op.describe()}: {e}") from None
    terms = [
        q.add_term(a, ta.zero_point, int(ma), int(sa)),
        q.add_term(b, tb.zero_point, int(mb), int(sb)),
    ]
    total = terms[0] + terms[1] if op.name == "onnx.Add" else terms[0] - terms[1]
    moved = rescale(op, total, real_out, out.zero_point, (out.qmin, out.qmax))
    return [moved.astype(out.storage_dtype)]


@quantized_kernel("onnx.Mul")
def mul(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    a, b = inputs[0], inputs[1]
    assert a is not None and b is not None
    ta, tb = input_type(op, 0), input_type(op, 1)
    product = (a.astype(np.int64) - ta.zero_point) * (b.astype(np.int64) - tb.zero_point)
    return [to_result(op, product, ta.scale * tb.scale)]
