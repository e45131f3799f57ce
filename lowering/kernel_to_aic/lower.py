"""Pass `lower-kernel-to-aic`: planned `kernel` IR -> one `aic.program` of per-core streams.

Input: `func.func @main` after `plan-memory` (every buffer has a DDR offset; the
func records `aicc.ddr_bytes`, its arguments and results `aicc.offset`). Output: the
module holds one `aic.program` in place of the function:
- an `aic.buffer` per graph input and output (named by their ONNX names) and per
  constant, at the planned offsets, plus the new constants the device needs
  (requantization tables, biases in accumulator units, pooling divisors) after them;
- per kernel op, in order: an `aic.layer` (useful MACs, compulsory DDR bytes,
  precision) and its instructions on every core that has work;
- a barrier on every core before a layer that reads what an earlier layer since the
  last barrier wrote (or overwrites what it touched); independent layers share one.

`LOWERINGS` maps each kernel op to its lowering. Every instruction carries `node`,
the op's ONNX names joined by ",".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, SSAValue
from xdsl.passes import ModulePass

from aicc.base.errors import UserError
from aicc.base.target import Target, load_target
from aicc.dialects import kernel as k
from aicc.dialects.aic import ProgramOp
from aicc.dialects.aicc import DDR_BYTES_ATTR, OFFSET_ATTR
from aicc.dialects.graph import main_func
from aicc.lowering.kernel_to_aic.conv_pool import lower_conv, lower_pool
from aicc.lowering.kernel_to_aic.convert import lower_convert
from aicc.lowering.kernel_to_aic.data_movement import (
    lower_copy,
    lower_reshape,
    lower_slice,
    lower_transpose,
)
from aicc.lowering.kernel_to_aic.elementwise import (
    lower_elementwise,
    lower_lrn,
    lower_scale_shift,
    lower_softmax,
)
from aicc.lowering.kernel_to_aic.hazards import Hazards, Region
from aicc.lowering.kernel_to_aic.matmul import lower_matmul
from aicc.lowering.kernel_to_aic.operands import ints, node_of
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import CoreStream

Lowering = Callable[[ProgramBuilder, k.KernelOp, str], list[CoreStream]]
"""lowering(builder, op, node) records the op's layer and returns its per-core streams."""

LOWERINGS: dict[type[k.KernelOp], Lowering] = {
    k.ConvOp: lower_conv,
    k.PoolOp: lower_pool,
    k.MatmulOp: lower_matmul,
    k.ElementwiseOp: lower_elementwise,
    k.ScaleShiftOp: lower_scale_shift,
    k.SoftmaxOp: lower_softmax,
    k.LrnOp: lower_lrn,
    k.ConvertOp: lower_convert,
    k.TransposeOp: lower_transpose,
    k.CopyOp: lower_copy,
    k.SliceOp: lower_slice,
    k.ReshapeOp: lower_reshape,
}


@dataclass(frozen=True)
class LowerKernelToAicPass(ModulePass):
    """Lower the planned kernel function to an `aic.program` for `target` (a YAML path;
    "" = the shipped target) on `num_cores` cores (0 = all of the target's)."""

    name = "lower-kernel-to-aic"

    target: str = ""
    num_cores: int = 0

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = load_target(
            Path(self.target) if self.target else None, num_cores=self.num_cores or None
        )
        main = main_func(op)
        program = lower_function(main, target)
        main.detach()
        main.erase()
        op.body.block.add_op(program)


def lower_function(main: FuncOp, target: Target) -> ProgramOp:
    builder = ProgramBuilder(
        target,
        target.cores,
        _int_attr(main.attributes.get(DDR_BYTES_ATTR), "@main", DDR_BYTES_ATTR),
    )
    _bind_io(builder, main)
    ops = list(main.body.block.ops)
    for op in ops:
        if isinstance(op, k.AllocOp | k.ConstOp):
            _bind_buffer(builder, op)
    hazards = Hazards()
    node = ""
    for op in ops:
        if not isinstance(op, k.KernelOp):
            continue
        lowering = LOWERINGS.get(type(op))
        if lowering is None:
            raise UserError(f"{op.describe()}: no device lowering for {op.name}")
        reads = [Region.of(builder, v) for v in op.inputs]
        write = Region.of(builder, op.output)
        if isinstance(op, k.CopyOp):
            write = write.box(ints(op.offsets), _memref_shape(op.inputs[0]))
        if hazards.conflict(reads, write):
            builder.barrier(node)
            hazards = Hazards()
        node = node_of(op)
        streams = lowering(builder, op, node)
        if any(stream.ops for stream in streams):
            builder.append_layer(streams)
            hazards.add(reads, write)
    if hazards.writes:
        builder.barrier(node)
    return builder.build()


def _memref_shape(value: SSAValue) -> tuple[int, ...]:
    return tuple(_memref(value.type).get_shape())


def _bind_io(builder: ProgramBuilder, main: FuncOp) -> None:
    for index, arg in enumerate(main.args):
        name, offset = _port(main.arg_attrs, index, "argument")
        builder.bind(arg, offset)
        builder.buffer(name, "input", offset, _memref(arg.type), None)
    (ret,) = [op for op in main.body.block.ops if isinstance(op, ReturnOp)]
    for index, value in enumerate(ret.arguments):
        name, offset = _port(main.res_attrs, index, "result")
        builder.bind(value, offset)
        builder.buffer(name, "output", offset, _memref(value.type), None)


def _bind_buffer(builder: ProgramBuilder, op: k.AllocOp | k.ConstOp) -> None:
    value = op.result
    if value in builder.addresses:
        return
    if op.offset is None:
        raise UserError(f"{op.name}: no DDR offset; run plan-memory before lower-kernel-to-aic")
    offset = op.offset.value.data
    builder.bind(value, offset)
    if isinstance(op, k.ConstOp):
        builder.buffer(op.resource.key, "constant", offset, _memref(value.type), op.resource)
        builder.keys.add(op.resource.key)


def _port(attrs: ArrayAttr[DictionaryAttr] | None, index: int, what: str) -> tuple[str, int]:
    entry = attrs.data[index].data if attrs is not None else {}
    name = entry.get("onnx.name")
    label = name.data if isinstance(name, StringAttr) else f"{what}{index}"
    return label, _int_attr(entry.get(OFFSET_ATTR), f"@main {what} '{label}'", OFFSET_ATTR)


def _int_attr(attr: Attribute | None, where: str, key: str) -> int:
    if not isinstance(attr, IntegerAttr):
        raise UserError(f"{where}: no {key}; run plan-memory before lower-kernel-to-aic")
    return attr.value.data


def _memref(t: Attribute) -> MemRefType:
    if not isinstance(t, MemRefType):
        raise UserError(f"expected a memref buffer, got {t}; run lower-onnx-to-kernel first")
    return t
