"""Lowering of `kernel.convert`: float casts, quantization, dequantization, requantization.

Per-axis scales and zero points travel as new constant vectors along the last axis,
broadcast over the leading ones; per-tensor ones are parameters of the vector op.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import Float16Type

from aicc.base.errors import UserError
from aicc.dialects import kernel as k
from aicc.dialects.aic import ParamValue, ViewAttr
from aicc.dialects.quant import UniformQuantizedType
from aicc.lowering.kernel_to_aic.operands import memref, move_params, record_layer
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.row_split import RowSplitLayer, emit_row_split, vector_compute
from aicc.lowering.kernel_to_aic.streams import CoreStream, DdrTensor


def lower_convert(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    """f32<->f16 `copy`; `quantize`; `dequantize`; i8->i8 as dequantize then quantize
    (quant.requantize is defined by that composition), or in mode "move" as the
    fixed-point `requantize` opcode (storage values scaled by the ratio of the scales)."""
    assert isinstance(op, k.ConvertOp)
    x, y = builder.tensor(op.inputs[0]), builder.tensor(op.output)
    record_layer(builder, op, "convert", 0)
    source, target = k.quant_element(memref(op.inputs[0])), k.quant_element(op.out_type())
    rank = len(y.shape)
    if op.mode.data == "move":
        assert source is not None and target is not None
        moved = vector_compute("requantize", move_params(node, source, target))
        return emit_row_split(builder, node, RowSplitLayer(y, (x,), moved, rank - 1))
    if source is None and target is None:
        cast = RowSplitLayer(y, (x,), vector_compute("copy"), rank - 1)
        return emit_row_split(builder, node, cast)
    if source is None:
        assert target is not None
        ins, params = _quant_operands(builder, node, target, rank)
        layer = RowSplitLayer(y, (x, *ins), vector_compute("quantize", params), rank - 1)
        return emit_row_split(builder, node, layer)
    d_ins, d_params = _quant_operands(builder, node, source, rank)
    d_params["expressed"] = "f16" if isinstance(source.expressed_type, Float16Type) else "f32"
    if target is None:
        layer = RowSplitLayer(y, (x, *d_ins), vector_compute("dequantize", d_params), rank - 1)
        return emit_row_split(builder, node, layer)
    q_ins, q_params = _quant_operands(builder, node, target, rank)
    split = 1 + len(d_ins)
    expressed = np.dtype(np.float16 if d_params["expressed"] == "f16" else np.float32)

    def compute(
        stream: CoreStream, tiles: Sequence[ViewAttr], out: ViewAttr, scratch: Sequence[ViewAttr]
    ) -> None:
        stream.vector("dequantize", tiles[:split], [scratch[0]], d_params)
        stream.vector("quantize", [scratch[0], *tiles[split:]], [out], q_params)

    layer = RowSplitLayer(y, (x, *d_ins, *q_ins), compute, rank - 1, (expressed,))
    return emit_row_split(builder, node, layer)


def _quant_operands(
    builder: ProgramBuilder, node: str, t: UniformQuantizedType, rank: int
) -> tuple[tuple[DdrTensor, ...], dict[str, ParamValue]]:
    """Per-tensor parameters, or per-axis scale/zero-point vectors along the last axis."""
    bounds: dict[str, ParamValue] = {"qmin": t.qmin, "qmax": t.qmax}
    if not t.is_per_axis:
        return (), {"scale": t.scale, "zero_point": t.zero_point, **bounds}
    if t.axis != rank - 1:
        raise UserError(
            f"node '{node}': a per-axis conversion along axis {t.axis} (not the last) is not "
            "supported on the device"
        )
    shape = (1,) * (rank - 1) + (len(t.scales),)
    scale = builder.constant(f"{node}_scale", t.scale_array().astype(np.float32)).reshaped(shape)
    zero = builder.constant(f"{node}_zp", t.zero_point_array().astype(np.int32)).reshaped(shape)
    return (scale, zero), bounds
