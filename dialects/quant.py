"""The `quant` dialect: uniform quantized element types and the casts between them.

Element types use MLIR's quant syntax and are valid tensor element types:

    !quant.uniform<i8:f32, 0.05:3>            per tensor, zero point 3
    !quant.uniform<u8:f32, 0.5>               zero point 0 is not printed
    !quant.uniform<i8<-127:127>:f32, 0.1>     narrowed storage range
    !quant.uniform<i8:f32:0, {0.1:0, 0.2:-1}> per axis (channel) 0
    !quant.uniform<i32:f32, 0.00015>          int32 bias

A real value is `scale * (q - zero_point)`. Scales print as the shortest decimal
that reads back as the same float64, so print -> parse -> print is stable.

Ops (all keep the tensor shape; passes insert them, `name` is for reading only):
`quant.quantize` float -> quantized, `quant.dequantize` quantized -> float,
`quant.requantize` quantized -> quantized, `quant.convert` f32 <-> f16. Their exact
arithmetic is written down in docs/integer-semantics.md and implemented by
`aicc.base.int8`; the peepholes live in `quant_canonicalize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    Float16Type,
    Float32Type,
    FloatData,
    IntAttr,
    IntegerType,
    NoneAttr,
    Signedness,
    StringAttr,
    TensorType,
)
from xdsl.ir import (
    Attribute,
    Dialect,
    Operation,
    ParametrizedAttribute,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser
from xdsl.pattern_rewriter import RewritePattern
from xdsl.printer import Printer
from xdsl.traits import HasCanonicalizationPatternsTrait, Pure
from xdsl.utils.exceptions import VerifyException

from aicc.dialects.elements import numpy_dtype

_STORAGE_WIDTHS = (8, 16, 32)
_FLOAT_ELEMENT_TYPES = (Float16Type, Float32Type)


def format_scale(scale: float) -> str:
    """The shortest decimal that reads back as `scale`, in MLIR float-literal form."""
    text = repr(float(scale))
    mantissa, sep, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + sep + exponent


def _storage_bounds(width: int, signed: bool) -> tuple[int, int]:
    if signed:
        return -(1 << (width - 1)), (1 << (width - 1)) - 1
    return 0, (1 << width) - 1


@irdl_attr_definition
class UniformQuantizedType(ParametrizedAttribute, TypeAttribute):
    """`!quant.uniform<...>`: integers standing for `scale * (q - zero_point)`.

    Per-tensor types hold one scale and zero point and `axis` is `NoneAttr`;
    per-axis types hold one of each per index of dimension `axis`.
    """

    name = "quant.uniform"

    storage_type: IntegerType
    expressed_type: AnyFloat
    scales_attr: ArrayAttr[FloatData]
    zero_points_attr: ArrayAttr[IntAttr]
    axis_attr: IntAttr | NoneAttr
    storage_min: IntAttr
    storage_max: IntAttr

    @staticmethod
    def make(
        storage: np.dtype | type[np.integer],
        scales: float | Sequence[float] | np.ndarray,
        zero_points: int | Sequence[int] | np.ndarray = 0,
        *,
        axis: int | None = None,
        expressed_type: AnyFloat | None = None,
        storage_range: tuple[int, int] | None = None,
    ) -> UniformQuantizedType:
        """A quantized type; `axis=None` makes it per tensor (scalar scale and zero point)."""
        dtype = np.dtype(storage)
        signed = dtype.kind == "i"
        width = dtype.itemsize * 8
        scale_list = [float(s) for s in np.atleast_1d(np.asarray(scales, dtype=np.float64))]
        zp_list = [int(z) for z in np.atleast_1d(np.asarray(zero_points, dtype=np.int64))]
        if len(zp_list) == 1 and len(scale_list) > 1:
            zp_list *= len(scale_list)
        low, high = storage_range or _storage_bounds(width, signed)
        return UniformQuantizedType(
            IntegerType(width, Signedness.SIGNED if signed else Signedness.UNSIGNED),
            expressed_type or Float32Type(),
            ArrayAttr([FloatData(s) for s in scale_list]),
            ArrayAttr([IntAttr(z) for z in zp_list]),
            NoneAttr() if axis is None else IntAttr(axis),
            IntAttr(low),
            IntAttr(high),
        )

    @property
    def storage_dtype(self) -> np.dtype:
        return numpy_dtype(self.storage_type)

    @property
    def is_signed(self) -> bool:
        return self.storage_type.signedness.data == Signedness.SIGNED

    @property
    def qmin(self) -> int:
        return self.storage_min.data

    @property
    def qmax(self) -> int:
        return self.storage_max.data

    @property
    def axis(self) -> int | None:
        return None if isinstance(self.axis_attr, NoneAttr) else self.axis_attr.data

    @property
    def is_per_axis(self) -> bool:
        return self.axis is not None

    @property
    def scales(self) -> tuple[float, ...]:
        return tuple(s.data for s in self.scales_attr.data)

    @property
    def zero_points(self) -> tuple[int, ...]:
        return tuple(z.data for z in self.zero_points_attr.data)

    @property
    def scale(self) -> float:
        """The scale of a per-tensor type."""
        assert not self.is_per_axis, f"{self} has one scale per index of axis {self.axis}"
        return self.scales[0]

    @property
    def zero_point(self) -> int:
        """The zero point of a per-tensor type."""
        assert not self.is_per_axis, f"{self} has one zero point per index of axis {self.axis}"
        return self.zero_points[0]

    def scale_array(self) -> np.ndarray:
        return np.asarray(self.scales, dtype=np.float64)

    def zero_point_array(self) -> np.ndarray:
        return np.asarray(self.zero_points, dtype=np.int64)

    def verify(self) -> None:
        width = self.storage_type.width.data
        if width not in _STORAGE_WIDTHS:
            raise VerifyException(f"{self}: storage width must be one of {_STORAGE_WIDTHS}")
        if self.storage_type.signedness.data == Signedness.SIGNLESS:
            raise VerifyException(f"{self}: storage type must be signed or unsigned")
        if not isinstance(self.expressed_type, _FLOAT_ELEMENT_TYPES):
            raise VerifyException(f"{self}: expressed type must be f32 or f16")
        low, high = _storage_bounds(width, self.is_signed)
        if not low <= self.qmin < self.qmax <= high:
            raise VerifyException(f"{self}: storage range must lie within [{low}, {high}]")
        scales, zero_points = self.scales, self.zero_points
        if len(scales) != len(zero_points) or not scales:
            raise VerifyException(f"{self}: needs one zero point per scale")
        if self.axis is None and len(scales) != 1:
            raise VerifyException(f"{self}: a per-tensor type has exactly one scale")
        if self.axis is not None and self.axis < 0:
            raise VerifyException(f"{self}: the quantized axis must be non-negative")
        if not all(np.isfinite(s) and s > 0 for s in scales):
            raise VerifyException(f"{self}: scales must be finite and positive")
        if not all(self.qmin <= z <= self.qmax for z in zero_points):
            raise VerifyException(f"{self}: zero points must lie in the storage range")

    def print_parameters(self, printer: Printer) -> None:
        width = self.storage_type.width.data
        printer.print_string(f"<{'i' if self.is_signed else 'u'}{width}")
        if (self.qmin, self.qmax) != _storage_bounds(width, self.is_signed):
            printer.print_string(f"<{self.qmin}:{self.qmax}>")
        printer.print_string(":")
        printer.print_attribute(self.expressed_type)
        if self.axis is not None:
            printer.print_string(f":{self.axis}")
        pairs = [
            format_scale(s) + (f":{z}" if z else "")
            for s, z in zip(self.scales, self.zero_points, strict=True)
        ]
        body = ", ".join(pairs)
        printer.print_string(f", {{{body}}}>" if self.axis is not None else f", {body}>")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            storage, low, high = _parse_storage(parser)
            parser.parse_punctuation(":")
            pos = parser.pos
            expressed = parser.parse_type()
            if not isinstance(expressed, _FLOAT_ELEMENT_TYPES):
                parser.raise_error("expected f32 or f16 as expressed type", pos, parser.pos)
            axis: Attribute = NoneAttr()
            if parser.parse_optional_punctuation(":") is not None:
                axis = IntAttr(parser.parse_integer(allow_boolean=False, allow_negative=False))
            parser.parse_punctuation(",")
            if isinstance(axis, IntAttr):
                params = parser.parse_comma_separated_list(
                    parser.Delimiter.BRACES, lambda: _parse_scale_zero_point(parser)
                )
            else:
                params = [_parse_scale_zero_point(parser)]
        return [
            storage,
            expressed,
            ArrayAttr([FloatData(s) for s, _ in params]),
            ArrayAttr([IntAttr(z) for _, z in params]),
            axis,
            IntAttr(low),
            IntAttr(high),
        ]


def _parse_storage(parser: AttrParser) -> tuple[IntegerType, int, int]:
    """`i8`, `u8`, ... optionally followed by a storage range `<min:max>`."""
    pos = parser.pos
    spelling = parser.parse_identifier(" (storage type such as i8 or u8)")
    kind, digits = spelling[:1], spelling[1:]
    if kind not in ("i", "u") or not digits.isdigit() or int(digits) not in _STORAGE_WIDTHS:
        parser.raise_error(f"expected i8, u8, i16, u16, i32 or u32, got '{spelling}'", pos)
    signed, width = kind == "i", int(digits)
    low, high = _storage_bounds(width, signed)
    if parser.parse_optional_punctuation("<") is not None:
        low = parser.parse_integer(allow_boolean=False)
        parser.parse_punctuation(":")
        high = parser.parse_integer(allow_boolean=False)
        parser.parse_punctuation(">")
    storage = IntegerType(width, Signedness.SIGNED if signed else Signedness.UNSIGNED)
    return storage, low, high


def _parse_scale_zero_point(parser: AttrParser) -> tuple[float, int]:
    scale = float(parser.parse_number())
    zero_point = 0
    if parser.parse_optional_punctuation(":") is not None:
        zero_point = parser.parse_integer(allow_boolean=False)
    return scale, zero_point


def quantized_element(t: Attribute | None) -> UniformQuantizedType | None:
    """The quantized element type of a tensor type, if it has one (an absent type has none)."""
    if not isinstance(t, TensorType):
        return None
    element = t.get_element_type()
    return element if isinstance(element, UniformQuantizedType) else None


def float_element(t: Attribute) -> AnyFloat | None:
    """The f32/f16 element type of a tensor type, if it has one."""
    if not isinstance(t, TensorType):
        return None
    element = t.get_element_type()
    return element if isinstance(element, _FLOAT_ELEMENT_TYPES) else None


class QuantCanonicalization(HasCanonicalizationPatternsTrait):
    """Attaches the peepholes of `quant_canonicalize` (imported late: it imports the ops)."""

    def get_patterns(self, op: type[Operation]) -> tuple[RewritePattern, ...]:
        from aicc.dialects.quant_canonicalize import PATTERNS_BY_OP

        return PATTERNS_BY_OP.get(op, ())

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        from aicc.dialects.quant_canonicalize import PATTERNS_BY_OP

        return tuple(p for patterns in PATTERNS_BY_OP.values() for p in patterns)


class QuantCastOp(IRDLOperation):
    """Base of the quant ops: one tensor in, one tensor of the same shape out, with the
    element kinds (`float`: f32/f16, `quantized`: `!quant.uniform`) each op declares."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    node_name = opt_prop_def(StringAttr, prop_name="name")

    assembly_format = "$input attr-dict `:` type($input) `to` type($output)"
    traits = traits_def(Pure(), QuantCanonicalization())
    irdl_options = (ParsePropInAttrDict(),)

    INPUT_KIND: ClassVar[str]
    OUTPUT_KIND: ClassVar[str]

    def __init__(self, input: SSAValue, result_type: Attribute, name: str | None = None) -> None:
        properties = {} if name is None else {"name": StringAttr(name)}
        super().__init__(operands=[input], result_types=[result_type], properties=properties)

    def verify_(self) -> None:
        in_type, out_type = self.input.type, self.output.type
        assert isinstance(in_type, TensorType) and isinstance(out_type, TensorType)
        if in_type.get_shape() != out_type.get_shape():
            raise VerifyException(f"{self.name}: input and result shapes differ")
        for role, kind, t in (
            ("input", self.INPUT_KIND, in_type),
            ("result", self.OUTPUT_KIND, out_type),
        ):
            if _element_kind(t) != kind:
                raise VerifyException(f"{self.name}: {role} must have {_KIND_TEXT[kind]} elements")
            _verify_axis(self.name, t)


_KIND_TEXT = {"float": "f32 or f16", "quantized": "!quant.uniform"}


def _element_kind(t: TensorType) -> str | None:
    if float_element(t) is not None:
        return "float"
    return "quantized" if quantized_element(t) is not None else None


def _verify_axis(op_name: str, t: TensorType) -> None:
    element = quantized_element(t)
    if element is None or element.axis is None:
        return
    shape = t.get_shape()
    if element.axis >= len(shape):
        raise VerifyException(f"{op_name}: quantized axis {element.axis} beyond rank {len(shape)}")
    if shape[element.axis] not in (-1, len(element.scales)):
        raise VerifyException(
            f"{op_name}: {len(element.scales)} scales for dimension {element.axis} "
            f"of size {shape[element.axis]}"
        )


@irdl_op_definition
class QuantizeOp(QuantCastOp):
    """Float (f32 or f16) tensor to quantized tensor."""

    name = "quant.quantize"
    INPUT_KIND: ClassVar[str] = "float"
    OUTPUT_KIND: ClassVar[str] = "quantized"


@irdl_op_definition
class DequantizeOp(QuantCastOp):
    """Quantized tensor to float (f32 or f16) tensor."""

    name = "quant.dequantize"
    INPUT_KIND: ClassVar[str] = "quantized"
    OUTPUT_KIND: ClassVar[str] = "float"


@irdl_op_definition
class RequantizeOp(QuantCastOp):
    """Quantized tensor to quantized tensor at new scales and zero points."""

    name = "quant.requantize"
    INPUT_KIND: ClassVar[str] = "quantized"
    OUTPUT_KIND: ClassVar[str] = "quantized"


@irdl_op_definition
class ConvertOp(QuantCastOp):
    """f32 tensor to f16 tensor or back."""

    name = "quant.convert"
    INPUT_KIND: ClassVar[str] = "float"
    OUTPUT_KIND: ClassVar[str] = "float"

    def verify_(self) -> None:
        super().verify_()
        if float_element(self.input.type) == float_element(self.output.type):
            raise VerifyException(f"{self.name}: input and result element types must differ")


Quant = Dialect(
    "quant",
    [QuantizeOp, DequantizeOp, RequantizeOp, ConvertOp],
    [UniformQuantizedType],
)
