"""Kernels of the `quant` conversion ops, and the storage view of quantized tensors.

A quantized tensor lives in the interpreter as a numpy array of its storage type
(int8, uint8, int32, ...). The conversion ops compute exactly what
docs/integer-semantics.md states, with the functions of `aicc.base.int8`:

- `quant.quantize`: `clamp(round_half_even(x / scale) + zp)` (f16 or f32 input);
- `quant.dequantize`: `(q - zp) * scale` rounded once to the expressed type, then
  converted to the result's float type;
- `quant.requantize`: `quantize(dequantize(x))` through the input's expressed type;
- `quant.convert`: f32 <-> f16 (round to nearest even).

Per-axis types apply their scales and zero points along their axis.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute

from aicc.base import int8 as q
from aicc.dialects.elements import dtype_of, numpy_dtype
from aicc.dialects.quant import (
    ConvertOp,
    DequantizeOp,
    QuantCastOp,
    QuantizeOp,
    RequantizeOp,
    UniformQuantizedType,
    quantized_element,
)


def storage_type(t: Attribute) -> Attribute:
    """`t` with a quantized element type replaced by its storage type (others as they are)."""
    element = quantized_element(t)
    if element is None:
        return t
    assert isinstance(t, TensorType)
    return TensorType(element.storage_type, t.get_shape())


def params(t: UniformQuantizedType) -> tuple[float | np.ndarray, int | np.ndarray]:
    """Scale and zero point: scalars per tensor, 1-D arrays per axis."""
    if t.is_per_axis:
        return t.scale_array(), t.zero_point_array()
    return t.scale, t.zero_point


def quantize_to(x: np.ndarray, t: UniformQuantizedType) -> np.ndarray:
    """Float values quantized to the storage values of `t`."""
    scale, zero_point = params(t)
    return q.quantize(
        x, scale, zero_point, t.storage_dtype, axis=t.axis, storage_range=(t.qmin, t.qmax)
    )


def dequantize_from(
    x: np.ndarray, t: UniformQuantizedType, dtype: np.dtype | None = None
) -> np.ndarray:
    """Storage values of `t` as floats of its expressed type (then `dtype`, if given)."""
    scale, zero_point = params(t)
    expressed = numpy_dtype(t.expressed_type)
    return q.dequantize(x, scale, zero_point, axis=t.axis, expressed=expressed, dtype=dtype)


def run_quant_op(op: QuantCastOp, x: np.ndarray) -> np.ndarray:
    """The result of one `quant` conversion op on its input array."""
    in_type, out_type = op.input.type, op.output.type
    if isinstance(op, ConvertOp):
        return x.astype(dtype_of(out_type))
    if isinstance(op, QuantizeOp):
        return quantize_to(x, _quantized(out_type))
    if isinstance(op, DequantizeOp):
        return dequantize_from(x, _quantized(in_type), dtype_of(out_type))
    assert isinstance(op, RequantizeOp), f"unknown quant op {op.name}"
    return quantize_to(dequantize_from(x, _quantized(in_type)), _quantized(out_type))


def _quantized(t: Attribute) -> UniformQuantizedType:
    element = quantized_element(t)
    assert element is not None, f"{t} is not a quantized tensor type"
    return element
