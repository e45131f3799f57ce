"""The reference interpreter: runs `func.func @main` of an `onnx`-dialect module.

Ops run once each, in block order; values live in a dict keyed by SSA value.
Constants stay lazy: a splat is broadcast (not copied) when a kernel reads it.
An op whose result type is f16, or whose first output name is in `fp16`, runs
with the FP16 semantics of `aicc.sim.fp16`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection, Sequence

import numpy as np
from xdsl.dialects.builtin import Float16Type, ModuleOp, TensorType
from xdsl.dialects.func import ReturnOp
from xdsl.ir import Attribute, SSAValue

import aicc.sim.kernels
from aicc.dialects.elements import Splat, dtype_of, elements_value
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp
from aicc.errors import UserError
from aicc.graph import Port, input_ports, main_func
from aicc.sim.fp16 import run_fp16
from aicc.sim.kernels import KERNELS

for _module in pkgutil.iter_modules(aicc.sim.kernels.__path__):
    importlib.import_module(f"aicc.sim.kernels.{_module.name}")

Observer = Callable[[str, np.ndarray], None]
Value = np.ndarray | Splat


def run_module(
    module: ModuleOp,
    inputs: Sequence[np.ndarray],
    *,
    fp16: Collection[str] = (),
    observer: Observer | None = None,
) -> list[np.ndarray]:
    """Run `@main` on `inputs` (in argument order) and return its results.

    `observer(name, array)` sees every graph input and every non-constant op
    result (constants are weights, not activations).
    """
    main = main_func(module)
    ports = input_ports(main)
    forced = frozenset(fp16)
    values: dict[SSAValue, Value] = {}
    # Each value is dropped after its last user, so peak memory is the live set.
    last_user = {v: op for op in main.body.block.ops for v in op.operands}
    for arg, port, array in zip(main.args, ports, _checked_inputs(ports, inputs), strict=True):
        values[arg] = array
        if observer is not None:
            observer(port.name, array)
    for op in main.body.block.ops:
        if isinstance(op, ReturnOp):
            return [_returned(values[v]) for v in op.operands]
        if not isinstance(op, OnnxOp):
            raise UserError(f"@main: cannot run op '{op.name}'")
        if isinstance(op, ConstantOp):
            values[op.results[0]] = elements_value(op.value, op.results[0].type)
            continue
        args = [None if v is None else _materialize(values[v]) for v in op.operand_slots()]
        outputs = evaluate_op(op, args, fp16=op.first_output_name in forced)
        names = op.onnx_output_names
        for index, (result, array) in enumerate(zip(op.results, outputs, strict=True)):
            values[result] = array
            if observer is not None:
                observer(names[index] if index < len(names) else f"{op.describe()}#{index}", array)
        for v in op.operands:
            if last_user[v] is op:
                values.pop(v, None)
    raise UserError("@main has no func.return")


def evaluate_op(
    op: OnnxOp, inputs: list[np.ndarray | None], *, fp16: bool = False
) -> list[np.ndarray]:
    """Run one op on `inputs` (ONNX input order, None for absent optional inputs)."""
    fp32_kernel = KERNELS.get(op.name)
    if fp32_kernel is None:
        raise UserError(f"{op.describe()}: the reference interpreter has no kernel for this op")
    result_dtypes = [dtype_of(r.type) for r in op.results]
    if fp16 or any(_is_f16(r.type) for r in op.results):
        return run_fp16(fp32_kernel, op, inputs, result_dtypes)
    outputs = fp32_kernel(op, inputs)
    return [y.astype(dtype, copy=False) for y, dtype in zip(outputs, result_dtypes, strict=True)]


def _is_f16(t: Attribute) -> bool:
    return isinstance(t, TensorType) and isinstance(t.get_element_type(), Float16Type)


def _checked_inputs(ports: Sequence[Port], inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    if len(inputs) != len(ports):
        raise UserError(f"@main takes {len(ports)} inputs, {len(inputs)} given")
    checked: list[np.ndarray] = []
    for port, array in zip(ports, inputs, strict=True):
        array = np.asarray(array)
        if tuple(array.shape) != port.shape:
            raise UserError(
                f"input '{port.name}': shape {array.shape} given, {port.shape} expected"
            )
        if array.dtype != port.dtype:
            raise UserError(
                f"input '{port.name}': element type {array.dtype} given, {port.dtype} expected"
            )
        checked.append(array)
    return checked


def _materialize(value: Value) -> np.ndarray:
    """A splat as a read-only broadcast view; arrays as they are."""
    if isinstance(value, Splat):
        return np.broadcast_to(np.asarray(value.value, dtype=value.dtype), value.shape)
    return value


def _returned(value: Value) -> np.ndarray:
    return value.materialize() if isinstance(value, Splat) else value
