"""Pass `lower-onnx-to-kernel`: the compiled `onnx` + `quant` graph on tensors
becomes `kernel` ops on buffers (memrefs) in their physical layout.

What it does, in one walk over `@main` in graph order (linear in its size):
- layout: every 4-D activation lives in NHWC; other tensors keep ONNX order. The
  function keeps ONNX shapes at its boundary: a 4-D input is transposed to NHWC
  on entry, a 4-D result back to NCHW at the end;
- weights are re-laid out at compile time into new constant blobs (Conv W to
  HWIO, Gemm B to [K, N], broadcast constants to NHWC);
- fusion: Conv / Gemm / MatMul / BatchNormalization + the Relu, Clip or
  LeakyRelu that is their only user (i8: requantization through the result
  type, so only an activation of the same result type fuses);
  a BatchNormalization that `fuse-conv-bn` left alone becomes `kernel.scale_shift`;
- n-ary Sum / Max / Min become chains of binary `kernel.elementwise`;
- every precision change (quant ops, f32 <-> f16) is a `kernel.convert`, except at
  the graph edges: a `quant.quantize` that is the only reader of a function
  argument makes that argument quantized, and a `quant.dequantize` read only by the
  return makes that result quantized; the host converts there;
- Shape and ConstantOfShape are folded to constants before this pass (the device
  pipeline starts with `constant-fold-reference`); one left unfolded is refused;
- an op the device does not lower, or in a precision not declared for it
  (`support`), is refused at compile time with one line naming the node.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    Float16Type,
    Float32Type,
    MemRefType,
    ModuleOp,
    StringAttr,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from aicc.base.errors import UserError
from aicc.base.precision import Precision
from aicc.dialects import kernel
from aicc.dialects.elements import shape_of
from aicc.dialects.graph import main_func
from aicc.dialects.ir_io import module_blobs
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp
from aicc.dialects.quant import QuantizeOp, float_element, quantized_element
from aicc.lowering.onnx_to_kernel.builder import Buffer, Lowering, element_of
from aicc.lowering.onnx_to_kernel.registry import FOLDED, LOWERINGS
from aicc.lowering.onnx_to_kernel.support import device_precisions


def not_supported(where: str = "") -> str:
    """The refusal of an op (`where`: " in i8" when only that precision is missing)."""
    return f"not supported on the device{where} (-operators-supported lists what is)"


@dataclass(frozen=True)
class LowerOnnxToKernelPass(ModulePass):
    """Rewrites `@main` from onnx/quant ops on tensors to kernel ops on NHWC buffers."""

    name = "lower-onnx-to-kernel"

    source: str = ""
    """The model file that diagnostics name ("module" when empty)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        old = main_func(op)
        new = lower_function(old, self.source or "module", set(module_blobs(op)))
        op.body.block.insert_op_before(new, old)
        op.body.block.detach_op(old)


def precision(op: Operation) -> Precision | None:
    """The precision an op runs in, read off its first result's element type."""
    if not op.results:
        return None
    t = op.results[0].type
    if quantized_element(t) is not None:
        return "i8"
    element = float_element(t)
    if isinstance(element, Float16Type):
        return "f16"
    return "f32" if isinstance(element, Float32Type) else None


def _check_support(lw: Lowering, op: OnnxOp) -> None:
    supported = device_precisions(op.ONNX_TYPE)
    if not supported:
        raise lw.fail(op, not_supported())
    p = precision(op)
    if p not in supported:
        raise lw.fail(op, not_supported(f" in {p}" if p else " with these element types"))


def _io_name(attrs: ArrayAttr[DictionaryAttr] | None, index: int, fallback: str) -> str:
    if attrs is None:
        return fallback
    name = attrs.data[index].data.get("onnx.name")
    return name.data if isinstance(name, StringAttr) else fallback


def _edge_quantize(arg: BlockArgument) -> QuantizeOp | None:
    uses = list(arg.uses)
    if len(uses) == 1 and isinstance(uses[0].operation, QuantizeOp):
        return uses[0].operation
    return None


def _arg_type(source: str, arg: BlockArgument, name: str) -> MemRefType:
    edge = _edge_quantize(arg)
    element = element_of(edge.output if edge else arg)
    memref = MemRefType(element, shape_of(arg.type))
    if kernel.element_kind(memref) is None:
        raise UserError(
            f"{source}: input '{name}' has element type {element}; "
            "the device takes f32, f16 or quantized inputs"
        )
    return memref


def lower_function(func: FuncOp, source: str, keys: set[str]) -> FuncOp:
    """The kernel-level twin of `func` (a new op; `func` is left as it was)."""
    names = [_io_name(func.arg_attrs, i, f"#{i}") for i in range(len(func.args))]
    block = Block(
        arg_types=[_arg_type(source, a, n) for a, n in zip(func.args, names, strict=True)]
    )
    lw = Lowering(source, block, keys)
    for old, new, name in zip(func.args, block.args, names, strict=True):
        new.name_hint = old.name_hint
        edge = _edge_quantize(old)
        buffer = lw.store_logical(Buffer(new, "rowmajor", shape_of(old.type)), [name])
        lw.define(edge.output if edge else old, buffer)
        if edge:
            lw.skip.add(edge)
    ret: ReturnOp | None = None
    for op in func.body.block.ops:
        if isinstance(op, ReturnOp):
            ret = op
            break
        if op in lw.skip or isinstance(op, ConstantOp):
            continue
        _lower_op(lw, op)
    assert ret is not None, "func.func @main has no func.return"
    results = _results(lw, ret, func)
    block.add_op(ReturnOp(*results))
    types = ([a.type for a in block.args], [r.type for r in results])
    return FuncOp(
        func.sym_name.data, types, Region(block), arg_attrs=func.arg_attrs, res_attrs=func.res_attrs
    )


def _lower_op(lw: Lowering, op: Operation) -> None:
    if op.name in FOLDED:
        raise lw.fail(op, "runs on the device only as a constant folded from static shapes")
    if isinstance(op, OnnxOp):
        _check_support(lw, op)
    lowering = LOWERINGS.get(op.name)
    if lowering is None:
        raise lw.fail(op, not_supported())
    lowering(lw, op)


def _results(lw: Lowering, ret: ReturnOp, func: FuncOp) -> list[SSAValue]:
    """One distinct row-major buffer per result (copies where a buffer is not one)."""
    returned: set[SSAValue] = set()
    results: list[SSAValue] = []
    for index, value in enumerate(ret.arguments):
        name = _io_name(func.res_attrs, index, f"#{index}")
        buffer = lw.logical(lw.operand(ret, value), [name])
        if not isinstance(buffer.value.owner, kernel.AllocOp) or buffer.value in returned:
            copy = lw.alloc(buffer.shape, buffer.element, "rowmajor")
            lw.emit(
                kernel.CopyOp(
                    [buffer.value],
                    copy.value,
                    [name],
                    offsets=kernel.i64_array([0] * len(buffer.shape)),
                )
            )
            buffer = copy
        returned.add(buffer.value)
        results.append(buffer.value)
    return results
