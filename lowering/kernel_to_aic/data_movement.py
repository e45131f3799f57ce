"""Lowerings of the data-movement layers: transpose, copy, slice and reshape.

None of them computes: the input is read through a strided DDR view in the output's
coordinates (permuted, offset or stepped), so the row-split emitter's strided DMA
into the scratchpad and contiguous DMA back do the whole job. A reshape whose
buffers share their address has nothing to move.
"""

from __future__ import annotations

from aicc.base.errors import UserError
from aicc.dialects import kernel as k
from aicc.lowering.kernel_to_aic.operands import ints, record_layer
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.row_split import RowSplitLayer, emit_row_split
from aicc.lowering.kernel_to_aic.streams import CoreStream, DdrTensor


def lower_transpose(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.TransposeOp)
    y = builder.tensor(op.output)
    x = builder.tensor(op.inputs[0]).permuted(ints(op.perm))
    record_layer(builder, op, "transpose", 0)
    return emit_row_split(builder, node, RowSplitLayer(y, (x,), None, len(y.shape) - 1))


def lower_copy(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.CopyOp)
    x = builder.tensor(op.inputs[0])
    y = builder.tensor(op.output).box(ints(op.offsets), x.shape)
    record_layer(builder, op, "copy", 0)
    return emit_row_split(builder, node, RowSplitLayer(y, (x,), None, len(y.shape) - 1))


def lower_slice(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.SliceOp)
    y = builder.tensor(op.output)
    steps = ints(op.steps)
    if min(steps, default=1) < 0:
        raise UserError(
            f"node '{node}': a slice with negative steps is not supported on the device"
        )
    whole = builder.tensor(op.inputs[0])
    start = whole.box(ints(op.starts), y.shape)
    x = DdrTensor(
        start.addr,
        y.shape,
        tuple(s * t for s, t in zip(whole.strides, steps, strict=True)),
        y.dtype,
    )
    record_layer(builder, op, "slice", 0)
    return emit_row_split(builder, node, RowSplitLayer(y, (x,), None, len(y.shape) - 1))


def lower_reshape(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    y = builder.tensor(op.output)
    x = builder.tensor(op.inputs[0]).reshaped(y.shape)
    record_layer(builder, op, "reshape", 0)
    if x.addr == y.addr:
        return builder.streams_for(node)
    return emit_row_split(builder, node, RowSplitLayer(y, (x,), None, len(y.shape) - 1))
