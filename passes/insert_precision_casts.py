"""Pass `insert-precision-casts`: the conversion ops at every precision boundary.

`quantize` leaves a `builtin.unrealized_conversion_cast` wherever a value reaches
a user that expects another element type (see its module doc). This pass replaces
each one by the `quant` op that performs the conversion:

    float (f32/f16) -> quantized    quant.quantize     (an f16 input is quantized directly)
    quantized -> float (f32/f16)    quant.dequantize   (dequantizes to f16 directly)
    quantized -> quantized          quant.requantize
    f32 <-> f16                     quant.convert

so no f32 round trip sits between FP16 and INT8 regions. Each op is named after
the tensor it converts (`conv0.quantize`), for reading the IR. Any other marker
(not one tensor to one tensor of the same shape) is left for the verifier to
reject. One walk, so linear in the graph size.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, UnrealizedConversionCastOp
from xdsl.ir import Attribute
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter

from aicc.dialects.graph import main_func
from aicc.dialects.quant import (
    ConvertOp,
    DequantizeOp,
    QuantCastOp,
    QuantizeOp,
    RequantizeOp,
    float_element,
    quantized_element,
)
from aicc.passes.quantize import input_names, tensor_name


@dataclass(frozen=True)
class InsertPrecisionCastsPass(ModulePass):
    """Replace `quantize`'s cast markers by quantize/dequantize/requantize/convert ops."""

    name = "insert-precision-casts"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        inputs = input_names(main_func(op))
        for marker in [o for o in op.walk() if isinstance(o, UnrealizedConversionCastOp)]:
            if len(marker.inputs) != 1 or len(marker.outputs) != 1:
                continue
            value = marker.inputs[0]
            cast_op = _cast_op(value.type, marker.outputs[0].type)
            if cast_op is None:
                continue
            name = tensor_name(value, inputs)
            kind = cast_op.name.removeprefix("quant.")
            cast = cast_op(value, marker.outputs[0].type, f"{name}.{kind}" if name else None)
            Rewriter.replace_op(marker, cast)


def _cast_op(source: Attribute, target: Attribute) -> type[QuantCastOp] | None:
    """The quant op converting `source` to `target` tensors, if one does."""
    quantized_in, quantized_out = quantized_element(source), quantized_element(target)
    float_in, float_out = float_element(source), float_element(target)
    if float_in is not None and quantized_out is not None:
        return QuantizeOp
    if quantized_in is not None and float_out is not None:
        return DequantizeOp
    if quantized_in is not None and quantized_out is not None:
        return RequantizeOp
    if float_in is not None and float_out is not None:
        return ConvertOp
    return None
