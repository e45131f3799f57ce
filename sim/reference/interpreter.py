"""The reference interpreter: runs `func.func @main` of an `onnx`-dialect module.

Ops run once each, in block order; values live in a dict keyed by SSA value.
Constants stay lazy: a splat is broadcast (not copied) when a kernel reads it.
An op whose result type is f16, or whose first output name is in `fp16`, runs
with the FP16 semantics of `aicc.sim.reference.fp16`. An op with a `!quant.uniform` operand
or result runs its INT8 kernel (`QUANTIZED_KERNELS`) on integer storage arrays;
the `quant` conversion ops run the kernels of `aicc.sim.reference.kernels.quant_ops`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection, Sequence

import numpy as np
from xdsl.dialects.builtin import Float16Type, ModuleOp, TensorType
from xdsl.dialects.func import ReturnOp
from xdsl.ir import Attribute, SSAValue

import aicc.sim.reference.kernels
from aicc.base.errors import UserError
from aicc.dialects.elements import Splat, dtype_of, elements_value
from aicc.dialects.graph import Port, input_ports, main_func
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp
from aicc.dialects.quant import QuantCastOp, quantized_element
from aicc.sim.reference.fp16 import run_fp16
from aicc.sim.reference.kernels import KERNELS, QUANTIZED_KERNELS
from aicc.sim.reference.kernels.quant_ops import dequantize_from, run_quant_op, storage_type

for _module in pkgutil.iter_modules(aicc.sim.reference.kernels.__path__):
    importlib.import_module(f"aicc.sim.reference.kernels.{_module.name}")

Observer = Callable[[str, np.ndarray], None]
Perturb = Callable[[str, np.ndarray], np.ndarray]
Value = np.ndarray | Splat


def run_module(
    module: ModuleOp,
    inputs: Sequence[np.ndarray],
    *,
    fp16: Collection[str] = (),
    observer: Observer | None = None,
    perturb: Perturb | None = None,
) -> list[np.ndarray]:
    """Run `@main` on `inputs` (in argument order) and return its results.

    `perturb(name, array)` may replace a named graph input, weight or op result
    before anything reads it (`aicc.tune` injects one quantization error at a time).

    `observer(name, array)` sees every graph input and every non-constant onnx op
    result (constants are weights, not activations) as floats: a quantized result
    is dequantized to its expressed type first, so profiles and comparisons see
    real values in every precision. The `quant` conversion ops are not observed:
    they convert a tensor that its producer already reported.
    """
    main = main_func(module)
    ports = input_ports(main)
    forced = frozenset(fp16)
    values: dict[SSAValue, Value] = {}
    # Each value is dropped after its last user, so peak memory is the live set.
    last_user = {v: op for op in main.body.block.ops for v in op.operands}
    for arg, port, array in zip(main.args, ports, _checked_inputs(ports, inputs), strict=True):
        values[arg] = array if perturb is None else perturb(port.name, array)
        if observer is not None:
            observer(port.name, array)
    for op in main.body.block.ops:
        if isinstance(op, ReturnOp):
            return [_returned(values[v]) for v in op.operands]
        if isinstance(op, QuantCastOp):
            values[op.output] = run_quant_op(op, _materialize(values[op.input]))
            continue
        if not isinstance(op, OnnxOp):
            raise UserError(f"@main: cannot run op '{op.name}'")
        if isinstance(op, ConstantOp):
            result = op.results[0]
            values[result] = elements_value(op.value, storage_type(result.type))
            if perturb is not None:
                values[result] = perturb(op.first_output_name, _materialize(values[result]))
            continue
        args = [None if v is None else _materialize(values[v]) for v in op.operand_slots()]
        outputs = evaluate_op(op, args, fp16=op.first_output_name in forced)
        names = op.onnx_output_names
        for index, (result, array) in enumerate(zip(op.results, outputs, strict=True)):
            name = names[index] if index < len(names) else f"{op.describe()}#{index}"
            if perturb is not None:
                array = perturb(name, array)
            values[result] = array
            if observer is not None:
                observer(name, _real(array, result.type))
        for v in op.operands:
            if last_user[v] is op:
                values.pop(v, None)
    raise UserError("@main has no func.return")


def evaluate_op(
    op: OnnxOp, inputs: list[np.ndarray | None], *, fp16: bool = False
) -> list[np.ndarray]:
    """Run one op on `inputs` (ONNX input order, None for absent optional inputs).

    Floating-point results follow IEEE 754 without numpy's warnings: a NaN or Inf
    weight (which the frontend already warned about) gives NaN or Inf results.
    """
    with np.errstate(all="ignore"):
        return _evaluate(op, inputs, fp16=fp16)


def _evaluate(op: OnnxOp, inputs: list[np.ndarray | None], *, fp16: bool) -> list[np.ndarray]:
    if _is_quantized(op):
        return _evaluate_quantized(op, inputs)
    fp32_kernel = KERNELS.get(op.name)
    if fp32_kernel is None:
        raise UserError(f"{op.describe()}: the reference interpreter has no kernel for this op")
    result_dtypes = [dtype_of(r.type) for r in op.results]
    if fp16 or any(_is_f16(r.type) for r in op.results):
        return run_fp16(fp32_kernel, op, inputs, result_dtypes)
    outputs = fp32_kernel(op, inputs)
    return [y.astype(dtype, copy=False) for y, dtype in zip(outputs, result_dtypes, strict=True)]


def _is_quantized(op: OnnxOp) -> bool:
    return any(quantized_element(v.type) is not None for v in (*op.operands, *op.results))


def _evaluate_quantized(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    """Run `op` on its INT8 kernel; quantized arrays hold storage integers."""
    kernel = QUANTIZED_KERNELS.get(op.name)
    if kernel is None:
        raise UserError(
            f"{op.describe()}: the reference interpreter has no INT8 kernel for this op"
        )
    outputs = kernel(op, inputs)
    result_dtypes = [dtype_of(storage_type(r.type)) for r in op.results]
    return [y.astype(dtype, copy=False) for y, dtype in zip(outputs, result_dtypes, strict=True)]


def _real(array: np.ndarray, t: Attribute) -> np.ndarray:
    """`array` as real values: dequantized when `t` is quantized."""
    element = quantized_element(t)
    return array if element is None else dequantize_from(array, element)


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
