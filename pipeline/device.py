"""The device pipeline: compiled high-level IR down to an `aic` program, in process.

    constant-fold-reference -> lower-onnx-to-kernel -> plan-memory -> lower-kernel-to-aic

Folding first turns what the static shapes settle (Shape, ConstantOfShape and what
is computed from them) into constants, so the device lowering never sees those ops;
a compiled module is folded already and passes through unchanged.
The passes run on a clone, so the compiled module (the bundle's `model.mlir`, what
`--reference` runs) stays as it was. Every pass gets the same target file and core
count, so the memory plan, the tiling and the simulator's cost model agree. The
planner's peak activation memory, which the `aic` program does not hold, is kept
on the returned module as `aicc.peak_activation_bytes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xdsl.dialects.builtin import IntegerAttr, MemRefType, ModuleOp
from xdsl.ir import Attribute

from aicc.base.errors import UserError
from aicc.base.target import Target, load_target
from aicc.dialects.aic import ProgramOp
from aicc.dialects.aicc import PEAK_ATTR
from aicc.dialects.context import make_context
from aicc.dialects.elements import numpy_dtype
from aicc.dialects.graph import main_func
from aicc.dialects.quant import UniformQuantizedType
from aicc.pipeline.registry import AICC_PASSES

DEVICE_PIPELINE = (
    "constant-fold-reference",
    "lower-onnx-to-kernel",
    "plan-memory",
    "lower-kernel-to-aic",
)


def lower_to_device(
    module: ModuleOp,
    target: Target | None = None,
    source: str = "",
    after_pass: Callable[[str, ModuleOp], None] | None = None,
) -> ModuleOp:
    """A new module holding the `aic.program` for `module` (None: the shipped target).

    An op the device cannot run is a `UserError` naming `source` (the model file) and
    the node. `after_pass(name, module)` sees the module after each pass
    (`-print-ir-after-all`).
    """
    target = target or load_target()
    program = module.clone()
    ctx = make_context()
    options: dict[str, dict[str, Any]] = {
        "lower-onnx-to-kernel": {"source": source},
        "plan-memory": {"target": str(target.path)},
        "lower-kernel-to-aic": {"target": str(target.path), "num_cores": target.cores},
    }
    peak: Attribute | None = None
    for name in DEVICE_PIPELINE:
        try:
            AICC_PASSES[name]()(**options.get(name, {})).apply(ctx, program)
        except UserError as e:
            raise _naming_source(e, source) from None
        if after_pass is not None:
            after_pass(name, program)
        if name == "plan-memory":
            peak = main_func(program).attributes.get(PEAK_ATTR)
    if peak is not None:
        program.attributes[PEAK_ATTR] = peak
    return program


def _naming_source(error: UserError, source: str) -> UserError:
    """`error`, prefixed with the model file: the later passes only know the node."""
    message = str(error)
    if not source or message.startswith(source):
        return error
    return UserError(f"{source}: {message}")


def program_op(program: ModuleOp) -> ProgramOp:
    for op in program.ops:
        if isinstance(op, ProgramOp):
            return op
    raise ValueError("the module holds no aic.program")


def peak_activation_bytes(program: ModuleOp) -> int | None:
    peak = program.attributes.get(PEAK_ATTR)
    return peak.value.data if isinstance(peak, IntegerAttr) else None


def instruction_count(program: ModuleOp) -> int:
    """Instructions over every core's stream."""
    return sum(len(core.body.block.ops) for core in program_op(program).core_ops)


def _device_type(memref: MemRefType) -> dict[str, Any]:
    element = memref.get_element_type()
    shape = list(memref.get_shape())
    if not isinstance(element, UniformQuantizedType):
        return {"dtype": str(numpy_dtype(element)), "shape": shape, "quant": None}
    quant = {
        "scale": list(element.scales) if element.is_per_axis else element.scale,
        "zero_point": list(element.zero_points) if element.is_per_axis else element.zero_point,
        "axis": element.axis,
        "qmin": element.qmin,
        "qmax": element.qmax,
        "expressed": str(numpy_dtype(element.expressed_type)),
    }
    return {"dtype": str(element.storage_dtype), "shape": shape, "quant": quant}


def device_io(program: ModuleOp) -> dict[str, dict[str, Any]]:
    """Each input and output buffer's dtype, shape and quantization, by name."""
    return {
        op.buffer_name: _device_type(op.type)
        for op in program_op(program).buffers
        if op.buffer_kind in ("input", "output")
    }
