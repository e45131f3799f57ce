"""The `kernel` dialect: fused compute kernels on buffers in their physical layout.

This is the level between the `onnx` graph (tensors, ONNX layout) and the `aic`
device instructions. Buffers are builtin memrefs whose shape is the PHYSICAL
layout: 4-D activations are NHWC (`kernel.alloc {layout = "nhwc"}`), everything
else keeps ONNX order (`layout = "rowmajor"`); func arguments and results keep
their ONNX shapes. Element types are f32, f16 or `!quant.uniform` (i8/u8
activations and weights, i32 biases; weights and biases may be per axis).

Ops are in destination-passing style: `ins(...)` operands are read, the one
`outs(...)` buffer is written, and only `kernel.alloc` / `kernel.const` have
results:

    %y = kernel.alloc {layout = "nhwc"} : memref<1x32x32x16xf32>
    %w = kernel.const #aicc.dense_resource<w0> : memref<3x3x3x16xf32>
    kernel.conv ins(%x, %w : memref<1x32x32x3xf32>, memref<3x3x3x16xf32>)
        outs(%y : memref<1x32x32x16xf32>) {strides = array<i64: 1, 1>, ...,
        activation = #kernel.act<relu>, onnx_names = ["conv0", "relu0"]}

Every compute op records `onnx_names`, the ONNX first-output names it came from.

What the device lowering may rely on, beyond the op definitions:
- `#kernel.act<clip(lo, hi)>` and `kernel.elementwise {kind = "clip"}` on a
  quantized result hold their bounds in the result's STORAGE integers (computed
  exactly at compile time as the reference does); on float results, real values.
- data movement ops (transpose, copy, slice, reshape) keep the element type: any
  change of quantization parameters is a separate `kernel.convert`. Quantized
  elementwise ops, pools, conv and matmul may read and write different
  per-tensor parameters (they requantize as the reference kernels do).
- `kernel.matmul` computes `alpha * (a @ b) + beta * bias` with numpy broadcasting
  of `bias` to the output; i8 follows `sim/kernels/quantized_linear.py` (alpha > 0);
  its per-axis weights are quantized along their last axis (N).
- `kernel.scale_shift` parameters are f32, or the input's type (f16 input: f32
  parameters, computed in f32 and rounded once to f16).
- `kernel.pool {kind = "avg"}` divides by the taps counted per `count_include_pad`;
  `pads` are ONNX's (auto_pad resolved); ceil mode's extra end windows are implied
  by the result shape (as `sim/kernels/window.py` pads them).
- `kernel.slice` steps may be negative; `kernel.softmax {log = 1}` is LogSoftmax.
- `kernel.convert {mode = "move"}` between per-tensor quantized types is the
  reference's fixed-point `to_type` (data movement); the default mode
  "requantize" is quantize(dequantize(x)) (`quant.requantize`).
- `kernel.const` values are always `#aicc.dense_resource` blobs.
- `kernel.elementwise` params: leaky_relu/elu [alpha], selu [alpha, gamma],
  hard_sigmoid [alpha, beta], clip [lo, hi]; others none.
Property types: window/perm/offset arrays `array<i64>`, elementwise `params`
`array<f64>`, `group`/`axis`/`log`/`size`/`count_include_pad` i64, matmul
`alpha`/`beta` f64, LRN `alpha`/`beta`/`bias` f32, `offset` i64 (plan-memory).
Python helpers: `buffer_bytes`, `buffer_dtype`, `element_kind`, `quant_element`,
`KernelOp.names`, `ConstOp.resource`, `ActivationAttr.values`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseArrayBase,
    Float16Type,
    Float32Type,
    FloatAttr,
    FloatData,
    IntegerAttr,
    MemRefType,
    StringAttr,
    f64,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, ParametrizedAttribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    var_operand_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from aicc.dialects.aicc import DenseResourceAttr
from aicc.dialects.elements import numpy_dtype
from aicc.dialects.quant import UniformQuantizedType

LAYOUTS = ("nhwc", "rowmajor")
ACTIVATIONS: dict[str, int] = {"none": 0, "relu": 0, "clip": 2, "leaky_relu": 1}
"""Fusable activation kinds and their parameter counts."""
BINARY_KINDS = ("add", "sub", "mul", "div", "max", "min", "pow", "prelu")
UNARY_KINDS: dict[str, int] = {
    "relu": 0,
    "leaky_relu": 1,
    "clip": 2,
    "sigmoid": 0,
    "tanh": 0,
    "exp": 0,
    "log": 0,
    "abs": 0,
    "neg": 0,
    "sqrt": 0,
    "reciprocal": 0,
    "elu": 1,
    "selu": 2,
    "softplus": 0,
    "softsign": 0,
    "hard_sigmoid": 2,
    "hard_swish": 0,
}
"""Unary elementwise kinds and their parameter counts."""
QUANTIZED_ELEMENTWISE = ("add", "sub", "mul", "relu", "clip")
"""Elementwise kinds with an INT8 form (the reference's INT8 kernels)."""
POOL_KINDS = ("max", "avg")
CONVERT_MODES = ("requantize", "move")
"""`kernel.convert` semantics between quantized types (see ConvertOp)."""


@irdl_attr_definition
class ActivationAttr(ParametrizedAttribute):
    """`#kernel.act<relu>`, `#kernel.act<clip(0.0, 6.0)>`, `#kernel.act<leaky_relu(0.1)>`:
    the activation a compute kernel applies to its result."""

    name = "kernel.act"

    kind: StringAttr
    params: ArrayAttr[FloatData]

    @staticmethod
    def get(kind: str, params: Sequence[float] = ()) -> ActivationAttr:
        return ActivationAttr(StringAttr(kind), ArrayAttr([FloatData(float(p)) for p in params]))

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(p.data for p in self.params.data)

    def verify(self) -> None:
        count = ACTIVATIONS.get(self.kind.data)
        if count is None:
            raise VerifyException(f"unknown activation '{self.kind.data}'")
        if len(self.params.data) != count:
            raise VerifyException(f"activation '{self.kind.data}' takes {count} parameters")

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.kind.data}")
        if self.params.data:
            printer.print_string("(" + ", ".join(repr(v) for v in self.values) + ")")
        printer.print_string(">")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            kind = parser.parse_identifier(" (activation kind)")
            values: list[float] = []
            if parser.parse_optional_punctuation("(") is not None:
                values = parser.parse_comma_separated_list(
                    parser.Delimiter.NONE, lambda: float(parser.parse_number())
                )
                parser.parse_punctuation(")")
        return [StringAttr(kind), ArrayAttr([FloatData(v) for v in values])]


NO_ACTIVATION = ActivationAttr.get("none")
_I64_ARRAY = DenseArrayBase.constr(i64)
_F64_ARRAY = DenseArrayBase.constr(f64)


def i64_array(values: Sequence[int]) -> DenseArrayBase[I64]:
    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def names_attr(names: Sequence[str]) -> ArrayAttr[StringAttr]:
    return ArrayAttr([StringAttr(n) for n in names])


# -- buffers -------------------------------------------------------------------


@irdl_op_definition
class AllocOp(IRDLOperation):
    """A buffer: an activation, or an output of the function. plan-memory adds `offset`."""

    name = "kernel.alloc"

    layout = prop_def(StringAttr)
    offset = opt_prop_def(IntegerAttr[I64])
    result = result_def(MemRefType)

    assembly_format = "attr-dict `:` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, memref: MemRefType, layout: str) -> None:
        super().__init__(result_types=[memref], properties={"layout": StringAttr(layout)})

    def verify_(self) -> None:
        memref = _memref(self.result)
        if self.layout.data not in LAYOUTS:
            raise VerifyException(f"{self.name}: layout must be one of {', '.join(LAYOUTS)}")
        if self.layout.data == "nhwc" and memref.get_num_dims() != 4:
            raise VerifyException(f"{self.name}: an nhwc buffer must have rank 4")
        _verify_buffer(self.name, memref)


@irdl_op_definition
class ConstOp(IRDLOperation):
    """A constant buffer; its blob holds the storage values in the physical layout."""

    name = "kernel.const"

    # Unconstrained so that the text keeps the `#aicc.dense_resource` prefix; verify_ checks it.
    value = prop_def()
    offset = opt_prop_def(IntegerAttr[I64])
    result = result_def(MemRefType)

    assembly_format = "$value attr-dict `:` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, value: DenseResourceAttr, memref: MemRefType) -> None:
        super().__init__(result_types=[memref], properties={"value": value})

    @property
    def resource(self) -> DenseResourceAttr:
        assert isinstance(self.value, DenseResourceAttr)
        return self.value

    def verify_(self) -> None:
        if not isinstance(self.value, DenseResourceAttr):
            raise VerifyException(f"{self.name}: value must be an #aicc.dense_resource")
        _verify_buffer(self.name, _memref(self.result))


# -- compute ops -------------------------------------------------------------------


class KernelOp(IRDLOperation):
    """Base of the compute ops: reads `ins`, writes the one `outs` buffer."""

    inputs = var_operand_def(MemRefType)
    output = operand_def(MemRefType)
    onnx_names = prop_def(ArrayAttr[StringAttr])

    assembly_format = (
        "`ins` `(` $inputs `:` type($inputs) `)` `outs` `(` $output `:` type($output) `)` attr-dict"
    )
    irdl_options = (ParsePropInAttrDict(),)

    ARITY: ClassVar[tuple[int, ...]] = (1,)

    def __init__(
        self,
        inputs: Sequence[SSAValue | Operation],
        output: SSAValue | Operation,
        names: Sequence[str],
        **properties: Attribute,
    ) -> None:
        super().__init__(
            operands=[inputs, output],
            properties={"onnx_names": names_attr(names), **properties},
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n.data for n in self.onnx_names.data)

    def describe(self) -> str:
        return f"{self.name} ({', '.join(self.names)})"

    def fail(self, message: str) -> VerifyException:
        return VerifyException(f"{self.describe()}: {message}")

    def in_types(self) -> list[MemRefType]:
        return [_memref(v) for v in self.inputs]

    def out_type(self) -> MemRefType:
        return _memref(self.output)

    def verify_(self) -> None:
        if len(self.inputs) not in self.ARITY:
            raise self.fail(f"takes {' or '.join(map(str, self.ARITY))} inputs")
        if isinstance(self.output.owner, ConstOp):
            raise self.fail("writes a constant buffer")
        if isinstance(self.output.owner, AllocOp) and self.output.owner.layout.data not in LAYOUTS:
            raise self.fail("writes a buffer of unknown layout")
        self.verify_kernel()

    def verify_kernel(self) -> None:
        """The op's own shape and type rules."""

    def require_nhwc(self, value: SSAValue) -> None:
        owner = value.owner
        if isinstance(owner, AllocOp) and owner.layout.data != "nhwc":
            raise self.fail(f"needs nhwc buffers, got layout '{owner.layout.data}'")


def _memref(value: SSAValue) -> MemRefType:
    t = value.type
    assert isinstance(t, MemRefType)
    return t


def _verify_buffer(name: str, memref: MemRefType) -> None:
    if any(d < 0 for d in memref.get_shape()):
        raise VerifyException(f"{name}: buffers have static shapes")
    if element_kind(memref) is None:
        raise VerifyException(f"{name}: element type must be f32, f16 or !quant.uniform")


def element_kind(memref: MemRefType) -> str | None:
    """'f32', 'f16', 'quant' or None (an element type no kernel takes)."""
    element = memref.get_element_type()
    if isinstance(element, Float32Type):
        return "f32"
    if isinstance(element, Float16Type):
        return "f16"
    return "quant" if isinstance(element, UniformQuantizedType) else None


def buffer_dtype(memref: MemRefType) -> np.dtype:
    """The numpy dtype of a buffer's elements (a quantized type's storage type)."""
    element = memref.get_element_type()
    if isinstance(element, UniformQuantizedType):
        return element.storage_dtype
    return numpy_dtype(element)


def buffer_bytes(memref: MemRefType) -> int:
    """The bytes a buffer occupies."""
    return _count(memref.get_shape()) * buffer_dtype(memref).itemsize


def quant_element(memref: MemRefType) -> UniformQuantizedType | None:
    element = memref.get_element_type()
    return element if isinstance(element, UniformQuantizedType) else None


def _verify_activation_like(op: KernelOp, types: Sequence[MemRefType]) -> str:
    """All operands float of one type, or all quantized: the op's precision kind."""
    kinds = {element_kind(t) for t in types}
    if kinds == {"quant"}:
        return "quant"
    if len(kinds) == 1 and len({t.get_element_type() for t in types}) == 1:
        return kinds.pop() or "?"
    raise op.fail("operands must all have one float element type, or all be quantized")


def _verify_per_tensor_8bit(op: KernelOp, memref: MemRefType, role: str) -> None:
    element = quant_element(memref)
    if element is None or element.is_per_axis or element.storage_type.width.data != 8:
        raise op.fail(f"{role} must be i8/u8 quantized per tensor")


def _verify_linear_types(op: KernelOp, x: MemRefType, w: MemRefType, y: MemRefType) -> None:
    """Conv/matmul: one float type, or i8 x/y per tensor and i8 weights per tensor or
    per the output-channel axis (the last) with zero point 0."""
    if _verify_activation_like(op, [x, w, y]) != "quant":
        return
    _verify_per_tensor_8bit(op, x, "the input")
    _verify_per_tensor_8bit(op, y, "the result")
    element = quant_element(w)
    assert element is not None
    if element.storage_type.width.data != 8:
        raise op.fail("weights must be i8/u8 quantized")
    if element.axis is None:
        return
    if element.axis != w.get_num_dims() - 1:
        raise op.fail("per-axis weights must be quantized along the last (output) axis")
    if any(element.zero_points):
        raise op.fail("per-axis weights must have zero point 0")


def _verify_bias(op: KernelOp, bias: MemRefType, y: MemRefType) -> None:
    if element_kind(y) != "quant":
        if bias.get_element_type() != y.get_element_type():
            raise op.fail("the bias must have the result's element type")
        return
    # Usually i32 at the accumulator's scale; any other quantized bias (a Gemm with
    # alpha or beta other than 1 keeps its own) is requantized to it by the lowering.
    if quant_element(bias) is None:
        raise op.fail("a quantized kernel needs a quantized bias")


def _verify_activation(op: KernelOp, activation: ActivationAttr, y: MemRefType) -> None:
    if element_kind(y) == "quant" and activation.kind.data == "leaky_relu":
        raise op.fail("a quantized result takes no leaky_relu activation")


def _window_extent(size: int, kernel: int, stride: int, dilation: int, pad: int) -> int:
    """Output size of a window op (floor), from the padded size."""
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def _check_pairs(op: KernelOp, **arrays: DenseArrayBase[I64]) -> None:
    for key, array in arrays.items():
        expected = 4 if key == "pads" else 2
        values = array.get_values()
        if len(values) != expected:
            raise op.fail(f"{key} needs {expected} values")
        if key != "pads" and min(values) < 1:
            raise op.fail(f"{key} must be positive")
        if key == "pads" and min(values) < 0:
            raise op.fail("pads must be non-negative")


@irdl_op_definition
class ConvOp(KernelOp):
    """2-D convolution, NHWC x HWIO (+ bias) with a fused activation (after
    requantization for i8: the result type's zero point and saturation)."""

    name = "kernel.conv"
    ARITY: ClassVar[tuple[int, ...]] = (2, 3)

    strides = prop_def(_I64_ARRAY)
    dilations = prop_def(_I64_ARRAY)
    pads = prop_def(_I64_ARRAY)
    group = prop_def(IntegerAttr[I64])
    activation = prop_def(ActivationAttr)

    def verify_kernel(self) -> None:
        types = self.in_types()
        x, w, y = types[0], types[1], self.out_type()
        if (x.get_num_dims(), w.get_num_dims(), y.get_num_dims()) != (4, 4, 4):
            raise self.fail("input, weights and result must have rank 4")
        self.require_nhwc(self.inputs[0])
        self.require_nhwc(self.output)
        _check_pairs(self, strides=self.strides, dilations=self.dilations, pads=self.pads)
        n, h, width, c = x.get_shape()
        kh, kw, cg, cout = w.get_shape()
        group = self.group.value.data
        if group < 1 or c != cg * group or cout % group:
            raise self.fail(f"{c} channels, weights {w.get_shape()} and group {group} disagree")
        s, d, p = self.strides.get_values(), self.dilations.get_values(), self.pads.get_values()
        expected = (
            n,
            _window_extent(h, kh, s[0], d[0], p[0] + p[2]),
            _window_extent(width, kw, s[1], d[1], p[1] + p[3]),
            cout,
        )
        if y.get_shape() != expected:
            raise self.fail(f"result shape {y.get_shape()} should be {expected}")
        _verify_linear_types(self, x, w, y)
        if len(types) == 3:
            if types[2].get_shape() != (cout,):
                raise self.fail(f"the bias must have shape ({cout},)")
            _verify_bias(self, types[2], y)
        _verify_activation(self, self.activation, y)


@irdl_op_definition
class MatmulOp(KernelOp):
    """`y = act(alpha * (a @ b) + beta * bias)`, batched with numpy broadcasting."""

    name = "kernel.matmul"
    ARITY: ClassVar[tuple[int, ...]] = (2, 3)

    activation = prop_def(ActivationAttr)
    alpha = prop_def(FloatAttr)
    beta = prop_def(FloatAttr)

    def verify_kernel(self) -> None:
        types = self.in_types()
        a, b, y = types[0].get_shape(), types[1].get_shape(), self.out_type().get_shape()
        if min(len(a), len(b)) < 2:
            raise self.fail("operands must have rank >= 2")
        if a[-1] != b[-2]:
            raise self.fail(f"contraction sizes {a[-1]} and {b[-2]} differ")
        batch = _broadcast(self, a[:-2], b[:-2])
        if y != (*batch, a[-2], b[-1]):
            raise self.fail(f"result shape {y} should be {(*batch, a[-2], b[-1])}")
        _verify_linear_types(self, types[0], types[1], self.out_type())
        if len(types) == 3:
            if _broadcast(self, types[2].get_shape(), y) != y:
                raise self.fail("the bias must broadcast to the result")
            _verify_bias(self, types[2], self.out_type())
        if element_kind(self.out_type()) == "quant" and self.alpha.value.data <= 0:
            raise self.fail("a quantized matmul needs alpha > 0")
        _verify_activation(self, self.activation, self.out_type())


def _broadcast(op: KernelOp, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The numpy broadcast of `shapes`, or a verify error."""
    rank = max((len(s) for s in shapes), default=0)
    out: list[int] = []
    for axis in range(rank):
        dims = {s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0}
        sizes = dims - {1}
        if len(sizes) > 1:
            raise op.fail(f"shapes {', '.join(map(str, shapes))} do not broadcast")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


@irdl_op_definition
class ScaleShiftOp(KernelOp):
    """`y = act(x * scale + shift)` per channel (the last physical axis): a BatchNormalization.
    The parameters may be f32 for an f16 input (computed in f32, rounded once to f16)."""

    name = "kernel.scale_shift"
    ARITY: ClassVar[tuple[int, ...]] = (3,)

    activation = prop_def(ActivationAttr)

    def verify_kernel(self) -> None:
        x, scale, shift = self.in_types()
        y = self.out_type()
        if _verify_activation_like(self, [x, y]) == "quant":
            raise self.fail("takes float operands only")
        if x.get_shape() != y.get_shape() or not x.get_shape():
            raise self.fail("input and result shapes differ")
        channels = (x.get_shape()[-1],)
        for role, t in (("scale", scale), ("shift", shift)):
            if t.get_shape() != channels:
                raise self.fail(f"{role} must have shape {channels}")
            if t.get_element_type() not in (x.get_element_type(), Float32Type()):
                raise self.fail(f"{role} must be f32 or have the input's element type")


@irdl_op_definition
class ElementwiseOp(KernelOp):
    """An elementwise op; binary kinds broadcast in the physical layout like numpy."""

    name = "kernel.elementwise"
    ARITY: ClassVar[tuple[int, ...]] = (1, 2)

    kind = prop_def(StringAttr)
    params = prop_def(_F64_ARRAY)

    def verify_kernel(self) -> None:
        kind, types, y = self.kind.data, self.in_types(), self.out_type()
        arity = 2 if kind in BINARY_KINDS else 1
        if kind not in BINARY_KINDS and kind not in UNARY_KINDS:
            raise self.fail(f"unknown kind '{kind}'")
        if len(types) != arity:
            raise self.fail(f"kind '{kind}' takes {arity} inputs")
        if len(self.params) != UNARY_KINDS.get(kind, 0):
            raise self.fail(f"kind '{kind}' takes {UNARY_KINDS.get(kind, 0)} parameters")
        if _broadcast(self, *(t.get_shape() for t in types), y.get_shape()) != y.get_shape():
            raise self.fail("inputs must broadcast to the result shape")
        precision = _verify_activation_like(self, [*types, y])
        if precision != "quant":
            return
        if kind not in QUANTIZED_ELEMENTWISE:
            raise self.fail(f"kind '{kind}' has no quantized form")
        for index, t in enumerate([*types, y]):
            _verify_per_tensor_8bit(self, t, f"operand {index}")


@irdl_op_definition
class PoolOp(KernelOp):
    """Max or average pooling over H and W of an NHWC buffer (ceil_mode is in the result shape)."""

    name = "kernel.pool"

    kind = prop_def(StringAttr)
    kernel = prop_def(_I64_ARRAY)
    strides = prop_def(_I64_ARRAY)
    dilations = prop_def(_I64_ARRAY)
    pads = prop_def(_I64_ARRAY)
    count_include_pad = prop_def(IntegerAttr[I64])

    def verify_kernel(self) -> None:
        (x,), y = self.in_types(), self.out_type()
        if self.kind.data not in POOL_KINDS:
            raise self.fail(f"kind must be one of {', '.join(POOL_KINDS)}")
        if x.get_num_dims() != 4 or y.get_num_dims() != 4:
            raise self.fail("input and result must have rank 4")
        self.require_nhwc(self.inputs[0])
        self.require_nhwc(self.output)
        _check_pairs(
            self, kernel=self.kernel, strides=self.strides, dilations=self.dilations, pads=self.pads
        )
        n, h, w, c = x.get_shape()
        k, s = self.kernel.get_values(), self.strides.get_values()
        d, p = self.dilations.get_values(), self.pads.get_values()
        oh, ow = y.get_shape()[1:3]
        for axis, (size, out) in enumerate(((h, oh), (w, ow))):
            low = _window_extent(size, k[axis], s[axis], d[axis], p[axis] + p[axis + 2])
            if out not in (low, low + 1):
                raise self.fail(f"result shape {y.get_shape()} disagrees with the window")
        if (y.get_shape()[0], y.get_shape()[3]) != (n, c):
            raise self.fail("pooling keeps batch and channels")
        if _verify_activation_like(self, [x, y]) == "quant":
            _verify_per_tensor_8bit(self, x, "the input")
            _verify_per_tensor_8bit(self, y, "the result")


class _SameShapeFloatOp(KernelOp):
    def verify_kernel(self) -> None:
        (x,), y = self.in_types(), self.out_type()
        if x.get_shape() != y.get_shape():
            raise self.fail("input and result shapes differ")
        if _verify_activation_like(self, [x, y]) == "quant":
            raise self.fail("takes float operands only")


@irdl_op_definition
class SoftmaxOp(_SameShapeFloatOp):
    """Softmax (or log-softmax with `log = 1`) along physical `axis`."""

    name = "kernel.softmax"

    axis = prop_def(IntegerAttr[I64])
    log = prop_def(IntegerAttr[I64])

    def verify_kernel(self) -> None:
        super().verify_kernel()
        if not 0 <= self.axis.value.data < self.out_type().get_num_dims():
            raise self.fail("axis out of range")


@irdl_op_definition
class LrnOp(_SameShapeFloatOp):
    """Local response normalization across the channels (the last axis of an NHWC buffer)."""

    name = "kernel.lrn"

    size = prop_def(IntegerAttr[I64])
    alpha = prop_def(FloatAttr)
    beta = prop_def(FloatAttr)
    bias = prop_def(FloatAttr)

    def verify_kernel(self) -> None:
        super().verify_kernel()
        if self.out_type().get_num_dims() != 4:
            raise self.fail("input and result must have rank 4")
        self.require_nhwc(self.inputs[0])
        self.require_nhwc(self.output)


class _MovingOp(KernelOp):
    """Data movement: the element type never changes (kernel.convert changes it)."""

    def verify_kernel(self) -> None:
        (x,), y = self.in_types(), self.out_type()
        if x.get_element_type() != y.get_element_type():
            raise self.fail("input and result element types differ")
        self.verify_shapes(x.get_shape(), y.get_shape())

    def verify_shapes(self, x: tuple[int, ...], y: tuple[int, ...]) -> None:
        """The op's shape rule."""


@irdl_op_definition
class TransposeOp(_MovingOp):
    """`y = x.transpose(perm)`."""

    name = "kernel.transpose"

    perm = prop_def(_I64_ARRAY)

    def verify_shapes(self, x: tuple[int, ...], y: tuple[int, ...]) -> None:
        perm = self.perm.get_values()
        if sorted(perm) != list(range(len(x))):
            raise self.fail(f"perm {perm} is not a permutation of the {len(x)} axes")
        if y != tuple(x[p] for p in perm):
            raise self.fail(f"result shape {y} is not the input's permuted")


@irdl_op_definition
class CopyOp(_MovingOp):
    """Writes x into the slice of y that starts at `offsets` (Concat)."""

    name = "kernel.copy"

    offsets = prop_def(_I64_ARRAY)

    def verify_shapes(self, x: tuple[int, ...], y: tuple[int, ...]) -> None:
        offsets = self.offsets.get_values()
        if len(offsets) != len(x) or len(y) != len(x):
            raise self.fail("input, result and offsets must have one rank")
        if any(o < 0 or o + a > b for o, a, b in zip(offsets, x, y, strict=True)):
            raise self.fail(f"{x} at offsets {offsets} does not fit in {y}")


@irdl_op_definition
class SliceOp(_MovingOp):
    """`y[i] = x[starts + i * steps]` per axis (Slice, Split); steps may be negative."""

    name = "kernel.slice"

    starts = prop_def(_I64_ARRAY)
    steps = prop_def(_I64_ARRAY)

    def verify_shapes(self, x: tuple[int, ...], y: tuple[int, ...]) -> None:
        starts, steps = self.starts.get_values(), self.steps.get_values()
        if not len(starts) == len(steps) == len(x) == len(y):
            raise self.fail("input, result, starts and steps must have one rank")
        for start, step, size, count in zip(starts, steps, x, y, strict=True):
            last = start + (count - 1) * step
            if step == 0 or (count and not (0 <= start < size and 0 <= last < size)):
                raise self.fail(f"slice {start}:{step} x {count} leaves an axis of size {size}")


@irdl_op_definition
class ReshapeOp(_MovingOp):
    """The same bytes under another row-major shape."""

    name = "kernel.reshape"

    def verify_shapes(self, x: tuple[int, ...], y: tuple[int, ...]) -> None:
        if _count(x) != _count(y):
            raise self.fail(f"{x} and {y} have different element counts")
        for value in (self.inputs[0], self.output):
            owner = value.owner
            if (
                isinstance(owner, AllocOp)
                and owner.layout.data == "nhwc"
                and _count(_memref(value).get_shape()[1:3]) != 1
            ):
                raise self.fail("reshapes row-major buffers (transpose nhwc ones first)")


def _count(shape: Sequence[int]) -> int:
    total = 1
    for d in shape:
        total *= d
    return total


@irdl_op_definition
class ConvertOp(KernelOp):
    """A precision change: quantize, dequantize, requantize, f32 <-> f16 (integer-semantics.md).

    Between two quantized types `mode` says which reference semantics holds:
    "requantize" (the default, `quant.requantize`) is quantize(dequantize(x)) in
    floating point; "move" is the fixed-point `to_type` of sim/kernels/quantized.py
    (`requantize(q - z_in, quantize_multiplier(s_in / s_out)) + z_out`, ties away
    from zero) by which the INT8 reference moves values between the per-tensor
    parameters of a data-movement op's input and result (Concat, Reshape, ...).
    The two differ by one step at ties, so the device must know which it runs.
    """

    name = "kernel.convert"

    mode = prop_def(StringAttr, default_value=StringAttr("requantize"))

    def verify_kernel(self) -> None:
        (x,), y = self.in_types(), self.out_type()
        if x.get_shape() != y.get_shape():
            raise self.fail("input and result shapes differ")
        if x.get_element_type() == y.get_element_type():
            raise self.fail("input and result element types are equal")
        if self.mode.data not in CONVERT_MODES:
            raise self.fail(f"mode must be one of {', '.join(CONVERT_MODES)}")
        if self.mode.data == "move" and not all(_per_tensor(t) for t in (x, y)):
            raise self.fail("mode 'move' converts between per-tensor quantized types")


def _per_tensor(memref: MemRefType) -> bool:
    element = quant_element(memref)
    return element is not None and not element.is_per_axis


Kernel = Dialect(
    "kernel",
    [
        AllocOp,
        ConstOp,
        ConvOp,
        MatmulOp,
        ScaleShiftOp,
        ElementwiseOp,
        PoolOp,
        SoftmaxOp,
        LrnOp,
        TransposeOp,
        CopyOp,
        SliceOp,
        ReshapeOp,
        ConvertOp,
    ],
    [ActivationAttr],
)
