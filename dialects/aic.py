"""The `aic` dialect: per-core instruction streams of the device, with explicit addresses.

A program is one `aic.program` holding its DDR buffers (`aic.buffer`), the useful work
of every layer for the roofline (`aic.layer`) and one `aic.core` per core, whose region
is that core's instruction stream. Instructions have no SSA operands: every operand is
a `#aic.view<space[addr] : shape x type, strides [...]>` naming bytes in DDR or in the
core's scratchpad, strides in elements. Every instruction carries `node`, the ONNX
first-output name(s) of the kernel op it belongs to.

    aic.dma {src, dst, tag}          DDR <-> scratchpad, asynchronous on the core's DMA engine
    aic.wait {tag}                   compute waits for every DMA of `tag` issued so far
    aic.matmul {a, b, c, mode}       c[M,N] (+)= (a[M,K] - za) @ (b[K,N] - zb) on the matrix unit
    aic.conv {input, weight, output} implicit-GEMM convolution of a padded [H,W,C] tile
    aic.vector {opcode, ins, outs}   a `VectorOpcode` on the vector unit (`aicc.sim.device.vector`)
    aic.barrier {id}                 every core reaches it before any goes on

The program carries the target's scratchpad size and alignments as attributes, so
the program-level verifier (`ProgramOp.verify_`) needs no target file. Its checks
(`program_problems`) are shared with the simulator's decoder, which reports the same
text as a device fault.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, NamedTuple, cast

import numpy as np
from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    Float64Type,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    MemRefType,
    StringAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, ParametrizedAttribute, Region
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    opt_prop_def,
    prop_def,
    region_def,
    traits_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import VerifyException

from aicc.base.target import Target
from aicc.dialects.aicc import DenseResourceAttr
from aicc.dialects.elements import element_type, numpy_dtype
from aicc.dialects.quant import UniformQuantizedType

SPACES = ("ddr", "sp")
MODES = ("i8", "f16", "f32")
BUFFER_KINDS = ("input", "output", "constant")


def node_key(names: Sequence[str]) -> str:
    """An instruction's `node`: the ONNX first-output names of its kernel op, joined."""
    return ",".join(names)


def node_names(node: str) -> tuple[str, ...]:
    """The ONNX names an instruction's `node` joins."""
    return tuple(node.split(","))


class VectorOpcode(StrEnum):
    """The vector unit's opcodes, spelled as `aic.vector`'s `opcode` property prints them.

    This is the one list: `aicc.sim.device.vector` implements exactly these (it fails
    to import otherwise) and documents their semantics.
    """

    # elementwise binary
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"
    MAX = "max"
    MIN = "min"
    POW = "pow"
    PRELU = "prelu"
    # elementwise unary (also `bias_act`'s activations)
    RELU = "relu"
    LEAKY_RELU = "leaky_relu"
    CLIP = "clip"
    SIGMOID = "sigmoid"
    TANH = "tanh"
    EXP = "exp"
    LOG = "log"
    ABS = "abs"
    NEG = "neg"
    SQRT = "sqrt"
    RECIPROCAL = "reciprocal"
    ELU = "elu"
    SELU = "selu"
    SOFTPLUS = "softplus"
    SOFTSIGN = "softsign"
    HARD_SIGMOID = "hard_sigmoid"
    HARD_SWISH = "hard_swish"
    # moves
    COPY = "copy"
    FILL = "fill"
    # bias, activation and INT8 arithmetic
    BIAS_ACT = "bias_act"
    REQUANT = "requant"
    QUANTIZE = "quantize"
    DEQUANTIZE = "dequantize"
    REQUANTIZE = "requantize"
    QADD = "qadd"
    QSUB = "qsub"
    QMUL = "qmul"
    # pools and reductions
    POOL_MAX = "pool_max"
    POOL_AVG = "pool_avg"
    REDUCE_SUM = "reduce_sum"
    REDUCE_MAX = "reduce_max"
    REDUCE_MEAN = "reduce_mean"
    # normalizations
    SOFTMAX = "softmax"
    LOG_SOFTMAX = "log_softmax"
    LRN = "lrn"

    @classmethod
    def named(cls, name: str) -> VectorOpcode | None:
        """The opcode spelled `name`, or None."""
        try:
            return cls(name)
        except ValueError:
            return None

    @property
    def broadcasts(self) -> bool:
        """Whether its ins broadcast to its out shape, as the verifier checks; the pools
        and reductions have windows and axes instead, which the simulator checks."""
        return self not in _WINDOWED_OPCODES


_WINDOWED_OPCODES = frozenset(
    {
        VectorOpcode.POOL_MAX,
        VectorOpcode.POOL_AVG,
        VectorOpcode.REDUCE_SUM,
        VectorOpcode.REDUCE_MAX,
        VectorOpcode.REDUCE_MEAN,
    }
)
"""Opcodes whose out shape is not their ins' broadcast shape."""

_VIEW_DTYPES = tuple(np.dtype(t) for t in ("int8", "uint8", "int32", "float16", "float32"))


# -- views -----------------------------------------------------------------------


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major strides in elements."""
    strides: list[int] = []
    step = 1
    for dim in reversed(shape):
        strides.append(step)
        step *= dim
    return tuple(reversed(strides))


_VIEW_DTYPE_CACHE: dict[Attribute, np.dtype] = {}
"""Element type -> numpy dtype; decoding asks for every operand of every instruction."""


class Layout(NamedTuple):
    """A view's parameters as Python values; `span` is `ViewAttr.nbytes_span`."""

    space: str
    addr: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: np.dtype
    span: int


@irdl_attr_definition
class ViewAttr(ParametrizedAttribute):
    """`#aic.view<sp[4096] : 32x96xi8, strides [96, 1]>`: a strided tile of one memory.

    `addr` is in bytes from the start of the space (DDR, or the core's scratchpad);
    strides are in elements, non-negative (0 broadcasts).
    """

    name = "aic.view"

    space_attr: StringAttr
    addr_attr: IntAttr
    shape_attr: ArrayAttr[IntAttr]
    strides_attr: ArrayAttr[IntAttr]
    element_type: Attribute

    @staticmethod
    def get(
        space: str,
        addr: int,
        shape: Sequence[int],
        strides: Sequence[int] | None,
        dtype: np.dtype | type[np.generic],
    ) -> ViewAttr:
        """A view; `strides=None` is row-major contiguous."""
        strides = contiguous_strides(shape) if strides is None else strides
        return ViewAttr(
            StringAttr(space),
            IntAttr(int(addr)),
            ArrayAttr([IntAttr(int(d)) for d in shape]),
            ArrayAttr([IntAttr(int(s)) for s in strides]),
            element_type(np.dtype(dtype)),
        )

    @property
    def space(self) -> str:
        return self.space_attr.data

    @property
    def addr(self) -> int:
        return self.addr_attr.data

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple([d.data for d in self.shape_attr.data])

    @property
    def strides(self) -> tuple[int, ...]:
        return tuple([s.data for s in self.strides_attr.data])

    @property
    def dtype(self) -> np.dtype:
        dtype = _VIEW_DTYPE_CACHE.get(self.element_type)
        if dtype is None:
            dtype = _VIEW_DTYPE_CACHE[self.element_type] = numpy_dtype(self.element_type)
        return dtype

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes_span(self) -> int:
        """Bytes from `addr` to the last element's end (0 for an empty view)."""
        return self.layout().span

    def layout(self) -> Layout:
        """Every parameter as plain Python values, read once (decoding reads each view once)."""
        shape, strides, dtype = self.shape, self.strides, self.dtype
        if 0 in shape:
            span = 0
        else:
            last = sum((d - 1) * s for d, s in zip(shape, strides, strict=True))
            span = (last + 1) * dtype.itemsize
        return Layout(self.space, self.addr, shape, strides, dtype, span)

    def verify(self) -> None:
        if self.space not in SPACES:
            raise VerifyException(f"aic.view: space must be ddr or sp, not '{self.space}'")
        if len(self.strides) != len(self.shape):
            raise VerifyException("aic.view: strides and shape have different ranks")
        if self.addr < 0 or min(self.shape, default=0) < 0 or min(self.strides, default=0) < 0:
            raise VerifyException("aic.view: address, sizes and strides must be non-negative")
        try:
            dtype = self.dtype
        except ValueError:
            dtype = None
        if dtype not in _VIEW_DTYPES:
            raise VerifyException(
                f"aic.view: element type {self.element_type} is not i8, ui8, i32, f16 or f32"
            )

    def print_parameters(self, printer: Printer) -> None:
        dims = "".join(f"{d}x" for d in self.shape)
        printer.print_string(f"<{self.space}[{self.addr}] : {dims}")
        printer.print_attribute(self.element_type)
        printer.print_string(f", strides [{', '.join(str(s) for s in self.strides)}]>")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list[Attribute]:
        with parser.in_angle_brackets():
            space = parser.parse_identifier(" for the memory space (ddr or sp)")
            parser.parse_punctuation("[")
            addr = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation("]")
            parser.parse_punctuation(":")
            shape, elem = parser.parse_ranked_shape()
            strides = contiguous_strides(shape)
            if parser.parse_optional_punctuation(",") is not None:
                parser.parse_keyword("strides")
                strides = parser.parse_comma_separated_list(
                    parser.Delimiter.SQUARE, parser.parse_integer
                )
        return [
            StringAttr(space),
            IntAttr(addr),
            ArrayAttr([IntAttr(d) for d in shape]),
            ArrayAttr([IntAttr(s) for s in strides]),
            elem,
        ]


# -- attribute helpers --------------------------------------------------------------

ParamValue = int | float | str | tuple[int, ...]


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(int(value), i64)


def _ints(values: Sequence[int]) -> DenseArrayBase[I64]:
    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def _values(attr: DenseArrayBase[I64]) -> tuple[int, ...]:
    return attr.get_values()


def _param_attr(value: ParamValue | Sequence[int]) -> Attribute:
    if isinstance(value, bool | int | np.integer):
        return _int(int(value))
    if isinstance(value, float | np.floating):
        return FloatAttr(float(value), Float64Type())
    if isinstance(value, str):
        return StringAttr(value)
    return _ints(value)


def _param_value(attr: Attribute) -> ParamValue:
    if isinstance(attr, IntegerAttr):
        return int(attr.value.data)
    if isinstance(attr, FloatAttr):
        return float(attr.value.data)
    if isinstance(attr, StringAttr):
        return attr.data
    if isinstance(attr, DenseArrayBase):
        return tuple(int(v) for v in cast(DenseArrayBase[I64], attr).get_values())
    raise VerifyException(f"aic.vector: unsupported parameter {attr}")


# -- plain values -----------------------------------------------------------------------
#
# The checks of an instruction read its properties as plain Python values, so that the
# same checks run on xDSL ops (the verifier) and on a decoded binary program (the
# simulator), which never builds xDSL ops.


class Unit:
    """The value of a `UnitAttr` property (a flag that is present)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNIT"


UNIT = Unit()

PlainValue = int | float | str | Unit | tuple[int, ...] | Layout | list[Layout] | dict[str, object]
Values = Mapping[str, object]
"""An op's properties by name, as `plain_value` gives them."""


def plain_value(attr: Attribute) -> PlainValue | None:
    """`attr` as a plain value: a view is a `Layout`, an array of views a list of them, an
    i64 integer an int, an f64 float a float, a string a str, a unit `UNIT`, an i64 dense
    array a tuple, a dictionary a dict of these; None for any other attribute."""
    if isinstance(attr, ViewAttr):
        return attr.layout()
    if isinstance(attr, StringAttr):
        return attr.data
    if isinstance(attr, IntegerAttr):
        return int(attr.value.data) if attr.type == i64 else None
    if isinstance(attr, FloatAttr):
        return float(attr.value.data) if isinstance(attr.type, Float64Type) else None
    if isinstance(attr, UnitAttr):
        return UNIT
    if isinstance(attr, DenseArrayBase):
        array = cast(DenseArrayBase[I64], attr)
        return tuple(int(v) for v in array.get_values()) if array.elt_type == i64 else None
    if isinstance(attr, ArrayAttr):
        items = cast(ArrayAttr[Attribute], attr).data
        if all(isinstance(item, ViewAttr) for item in items):
            return [cast(ViewAttr, item).layout() for item in items]
        return None
    if isinstance(attr, DictionaryAttr):
        values = {key: plain_value(value) for key, value in attr.data.items()}
        return None if any(v is None for v in values.values()) else dict(values)
    return None


def instruction_values(op: Operation) -> dict[str, object]:
    """The op's properties as plain values (an attribute with none is kept as is)."""
    values: dict[str, object] = {}
    for key, attr in op.properties.items():
        value = plain_value(attr)
        values[key] = attr if value is None else value
    return values


def _typed(values: Values, key: str, kind: type, what: str) -> object:
    value = values.get(key)
    if type(value) is not kind:
        raise ValueError(f"property '{key}' is {'missing' if value is None else 'not'} {what}")
    return value


def view_value(values: Values, key: str) -> Layout:
    return cast(Layout, _typed(values, key, Layout, "a view"))


def views_value(values: Values, key: str) -> list[Layout]:
    views = cast(list[object], _typed(values, key, list, "a list of views"))
    if not all(type(view) is Layout for view in views):
        raise ValueError(f"property '{key}' is not a list of views")
    return cast(list[Layout], views)


def int_value(values: Values, key: str, default: int | None = None) -> int:
    if default is not None and key not in values:
        return default
    return cast(int, _typed(values, key, int, "an integer"))


def text_value(values: Values, key: str) -> str:
    return cast(str, _typed(values, key, str, "a string"))


def ints_value(values: Values, key: str) -> tuple[int, ...]:
    return cast(tuple[int, ...], _typed(values, key, tuple, "an integer array"))


def params_value(values: Values, key: str = "params") -> dict[str, ParamValue]:
    """A vector instruction's parameters (none: empty)."""
    if key not in values:
        return {}
    params = cast(dict[str, object], _typed(values, key, dict, "a dictionary"))
    for name, value in params.items():
        if not isinstance(value, int | float | str | tuple):
            raise ValueError(f"parameter '{name}' is not an integer, float, string or array")
    return cast(dict[str, ParamValue], params)


def matrix_zero_points(values: Values) -> tuple[int, int]:
    return int_value(values, "a_zero_point", 0), int_value(values, "b_zero_point", 0)


def value_views(values: Values) -> Iterator[tuple[str, Layout]]:
    """Every operand view of an op's values with its role (`src`, `ins[1]`), in order."""
    for key, value in values.items():
        if type(value) is Layout:
            yield key, value
        elif type(value) is list:
            for index, item in enumerate(cast(list[object], value)):
                if type(item) is Layout:
                    yield f"{key}[{index}]", item


# -- program structure ---------------------------------------------------------------


class _RegionOp(IRDLOperation):
    """An op printed as `name {attributes} { region }` (its properties are the attributes)."""

    body = region_def("single_block")
    traits = traits_def(NoTerminator())

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attr_dict(self.properties)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)

    @classmethod
    def parse(cls, parser: Parser) -> _RegionOp:
        properties = parser.parse_optional_attr_dict()
        body = parser.parse_region()
        if not body.blocks:  # `{ }`: an empty stream (a core with nothing to do)
            body.add_block(Block())
        return cls.create(properties=properties, regions=[body])

    @property
    def ops(self) -> Iterator[Operation]:
        return iter(self.body.block.ops)


@irdl_op_definition
class ProgramOp(_RegionOp):
    """`aic.program {target, cores, ddr_bytes, scratchpad_bytes, ddr_alignment, sp_alignment}`."""

    name = "aic.program"

    target = prop_def(StringAttr)
    cores = prop_def(IntegerAttr)
    ddr_bytes = prop_def(IntegerAttr)
    scratchpad_bytes = prop_def(IntegerAttr)
    ddr_alignment = prop_def(IntegerAttr)
    sp_alignment = prop_def(IntegerAttr)

    def __init__(
        self,
        *,
        target: str,
        cores: int,
        ddr_bytes: int,
        scratchpad_bytes: int,
        ddr_alignment: int,
        sp_alignment: int,
        body: Sequence[Operation],
    ) -> None:
        properties: dict[str, Attribute] = {
            "target": StringAttr(target),
            "cores": _int(cores),
            "ddr_bytes": _int(ddr_bytes),
            "scratchpad_bytes": _int(scratchpad_bytes),
            "ddr_alignment": _int(ddr_alignment),
            "sp_alignment": _int(sp_alignment),
        }
        super().__init__(properties=properties, regions=[Region([Block(body)])])

    @staticmethod
    def for_target(
        target: Target, ddr_bytes: int, body: Sequence[Operation], cores: int | None = None
    ) -> ProgramOp:
        """A program for `target`, recording its scratchpad size and alignments."""
        return ProgramOp(
            target=target.name,
            cores=target.cores if cores is None else cores,
            ddr_bytes=ddr_bytes,
            scratchpad_bytes=target.scratchpad_bytes_per_core,
            ddr_alignment=target.alignment.ddr_bytes,
            sp_alignment=target.alignment.scratchpad_bytes,
            body=body,
        )

    @property
    def limits(self) -> Limits:
        return Limits(
            ddr_bytes=self.ddr_bytes.value.data,
            scratchpad_bytes=self.scratchpad_bytes.value.data,
            ddr_alignment=self.ddr_alignment.value.data,
            sp_alignment=self.sp_alignment.value.data,
        )

    @property
    def num_cores(self) -> int:
        return self.cores.value.data

    @property
    def buffers(self) -> list[BufferOp]:
        return [op for op in self.ops if isinstance(op, BufferOp)]

    @property
    def layers(self) -> list[LayerOp]:
        return [op for op in self.ops if isinstance(op, LayerOp)]

    @property
    def core_ops(self) -> list[CoreOp]:
        return [op for op in self.ops if isinstance(op, CoreOp)]

    def verify_(self) -> None:
        for problem in program_problems(self):
            raise VerifyException(problem)


@irdl_op_definition
class BufferOp(IRDLOperation):
    """`aic.buffer {name, kind, offset, type[, value]}`: a DDR buffer (io or constant)."""

    name = "aic.buffer"

    sym = prop_def(StringAttr, prop_name="name")
    kind = prop_def(StringAttr)
    offset = prop_def(IntegerAttr)
    type = prop_def(MemRefType)
    value = opt_prop_def(DenseResourceAttr)

    assembly_format = "attr-dict"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(
        self,
        name: str,
        kind: str,
        offset: int,
        type: MemRefType,
        value: DenseResourceAttr | None = None,
    ) -> None:
        properties: dict[str, Attribute] = {
            "name": StringAttr(name),
            "kind": StringAttr(kind),
            "offset": _int(offset),
            "type": type,
        }
        if value is not None:
            properties["value"] = value
        super().__init__(properties=properties)

    @property
    def buffer_name(self) -> str:
        return self.sym.data

    @property
    def buffer_kind(self) -> str:
        return self.kind.data

    @property
    def addr(self) -> int:
        return self.offset.value.data

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.type.get_shape())

    @property
    def storage_dtype(self) -> np.dtype:
        """The numpy dtype of the stored elements (a quantized type's storage type)."""
        elem = self.type.get_element_type()
        if isinstance(elem, UniformQuantizedType):
            return elem.storage_dtype
        return numpy_dtype(elem)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.storage_dtype.itemsize


@irdl_op_definition
class LayerOp(IRDLOperation):
    """`aic.layer {node, kind, precision, macs, bytes}`: one kernel op's useful work."""

    name = "aic.layer"

    node = prop_def(StringAttr)
    kind = prop_def(StringAttr)
    precision = prop_def(StringAttr)
    macs = prop_def(IntegerAttr)
    bytes = prop_def(IntegerAttr)

    assembly_format = "attr-dict"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, node: str, kind: str, precision: str, macs: int, nbytes: int) -> None:
        super().__init__(
            properties={
                "node": StringAttr(node),
                "kind": StringAttr(kind),
                "precision": StringAttr(precision),
                "macs": _int(macs),
                "bytes": _int(nbytes),
            }
        )


@irdl_op_definition
class CoreOp(_RegionOp):
    """`aic.core {id} { instructions }`: one core's instruction stream, in order."""

    name = "aic.core"

    id = prop_def(IntegerAttr)

    def __init__(self, id: int, instructions: Sequence[Operation]) -> None:
        super().__init__(properties={"id": _int(id)}, regions=[Region([Block(instructions)])])

    @property
    def core_id(self) -> int:
        return self.id.value.data


# -- instructions --------------------------------------------------------------------


class InstructionOp(IRDLOperation):
    """Base of the instructions: properties printed as the attribute dictionary."""

    node = prop_def(StringAttr)

    assembly_format = "attr-dict"
    irdl_options = (ParsePropInAttrDict(),)

    @property
    def node_name(self) -> str:
        return self.node.data

    VIEW_ROLES: ClassVar[tuple[str, ...]] = ()
    """The properties holding operand views."""
    WRITES: ClassVar[tuple[str, ...]] = ()
    """The properties holding the views it writes (a view or a list of views)."""

    def views(self) -> list[tuple[str, ViewAttr]]:
        """Every operand view with its role."""
        return [(role, cast(ViewAttr, self.properties[role])) for role in self.VIEW_ROLES]

    def problem(self) -> str | None:
        """What is wrong with the shapes/dtypes of this instruction (None: nothing)."""
        return self.check(instruction_values(self))

    @classmethod
    def check(cls, values: Values) -> str | None:
        """`problem` on plain values: `instruction_values`, or a decoded binary program's
        (which may be hand-made, so a missing or mistyped property is a `ValueError`)."""
        return None


def _props(node: str, **values: Attribute | None) -> dict[str, Attribute]:
    properties: dict[str, Attribute] = {"node": StringAttr(node)}
    properties.update({k: v for k, v in values.items() if v is not None})
    return properties


@irdl_op_definition
class DmaOp(InstructionOp):
    """`aic.dma {src, dst, tag, node}`: copy a view between DDR and the scratchpad."""

    name = "aic.dma"
    VIEW_ROLES: ClassVar[tuple[str, ...]] = ("src", "dst")
    WRITES: ClassVar[tuple[str, ...]] = ("dst",)

    src = prop_def(ViewAttr)
    dst = prop_def(ViewAttr)
    tag = prop_def(IntegerAttr)

    def __init__(self, src: ViewAttr, dst: ViewAttr, tag: int, node: str) -> None:
        super().__init__(properties=_props(node, src=src, dst=dst, tag=_int(tag)))

    @property
    def tag_value(self) -> int:
        return self.tag.value.data

    @classmethod
    def check(cls, values: Values) -> str | None:
        src, dst = view_value(values, "src"), view_value(values, "dst")
        if {src.space, dst.space} != {"ddr", "sp"}:
            return f"copies {src.space} to {dst.space}; a DMA moves between ddr and sp"
        if src.shape != dst.shape or src.dtype != dst.dtype:
            return f"src {_describe(src)} and dst {_describe(dst)} differ in shape or element type"
        return None


class _NumberedOp(InstructionOp):
    """An instruction whose one operand is a number (a DMA tag, a barrier id)."""

    NUMBER: ClassVar[str]

    def __init__(self, number: int, node: str) -> None:
        super().__init__(properties=_props(node, **{self.NUMBER: _int(number)}))

    @property
    def number(self) -> int:
        return cast(IntegerAttr, self.properties[self.NUMBER]).value.data


@irdl_op_definition
class WaitOp(_NumberedOp):
    """`aic.wait {tag, node}`: compute waits until the core's DMAs of `tag` are done."""

    name = "aic.wait"
    NUMBER: ClassVar[str] = "tag"

    tag = prop_def(IntegerAttr)


class _MatrixOp(InstructionOp):
    """Shared properties of the matrix-unit instructions."""

    mode = prop_def(StringAttr)
    a_zero_point = opt_prop_def(IntegerAttr)
    b_zero_point = opt_prop_def(IntegerAttr)
    accumulate = opt_prop_def(UnitAttr)

    @property
    def mode_name(self) -> str:
        return self.mode.data

    @property
    def zero_points(self) -> tuple[int, int]:
        za, zb = self.a_zero_point, self.b_zero_point
        return (0 if za is None else za.value.data, 0 if zb is None else zb.value.data)

    @property
    def accumulates(self) -> bool:
        return self.accumulate is not None

    @classmethod
    def matrix_problem(cls, values: Values, a: Layout, b: Layout, c: Layout) -> str | None:
        mode = text_value(values, "mode")
        if mode not in MODES:
            return f"mode '{mode}' is not i8, f16 or f32"
        ins_ok = _MODE_INPUTS[mode]
        if a.dtype not in ins_ok or b.dtype not in ins_ok or c.dtype != _MODE_OUTPUT[mode]:
            return (
                f"mode {mode} takes {'/'.join(str(d) for d in ins_ok)} operands and "
                f"a {_MODE_OUTPUT[mode]} result, not {a.dtype}, {b.dtype} -> {c.dtype}"
            )
        if mode != "i8" and matrix_zero_points(values) != (0, 0):
            return f"zero points are only for mode i8, not {mode}"
        return _all_in_sp(cls.name, values)


_MODE_INPUTS = {
    "i8": (np.dtype(np.int8), np.dtype(np.uint8)),
    "f16": (np.dtype(np.float16),),
    "f32": (np.dtype(np.float32),),
}
_MODE_OUTPUT = {"i8": np.dtype(np.int32), "f16": np.dtype(np.float32), "f32": np.dtype(np.float32)}


def _matrix_props(
    node: str, mode: str, zero_points: tuple[int, int], accumulate: bool
) -> dict[str, Attribute | None]:
    za, zb = zero_points
    return {
        "mode": StringAttr(mode),
        "a_zero_point": _int(za) if za else None,
        "b_zero_point": _int(zb) if zb else None,
        "accumulate": UnitAttr() if accumulate else None,
    }


@irdl_op_definition
class MatmulOp(_MatrixOp):
    """`aic.matmul {a, b, c, mode}`: c[..., M, N] (+)= (a[..., M, K] - za) @ (b[..., K, N] - zb)."""

    name = "aic.matmul"
    VIEW_ROLES: ClassVar[tuple[str, ...]] = ("a", "b", "c")
    WRITES: ClassVar[tuple[str, ...]] = ("c",)

    a = prop_def(ViewAttr)
    b = prop_def(ViewAttr)
    c = prop_def(ViewAttr)

    def __init__(
        self,
        a: ViewAttr,
        b: ViewAttr,
        c: ViewAttr,
        mode: str,
        node: str,
        *,
        zero_points: tuple[int, int] = (0, 0),
        accumulate: bool = False,
    ) -> None:
        props = _matrix_props(node, mode, zero_points, accumulate)
        super().__init__(properties=_props(node, a=a, b=b, c=c, **props))

    @classmethod
    def check(cls, values: Values) -> str | None:
        views = [view_value(values, role) for role in cls.VIEW_ROLES]
        a, b, c = (view.shape for view in views)
        if min(len(a), len(b), len(c)) < 2:
            return "a, b and c must have rank >= 2"
        try:
            batch = np.broadcast_shapes(a[:-2], b[:-2])
        except ValueError:
            batch = None
        if a[-1] != b[-2] or batch != c[:-2] or (a[-2], b[-1]) != c[-2:]:
            return f"shapes {_dims(a)} @ {_dims(b)} do not give {_dims(c)}"
        return cls.matrix_problem(values, *views)


@irdl_op_definition
class ConvOp(_MatrixOp):
    """`aic.conv {input, weight, output, strides, dilations, group, mode}`: implicit-GEMM
    convolution of a padded tile: input [H, W, C], weight [KH, KW, C/g, N], output [OH, OW, N]."""

    name = "aic.conv"
    VIEW_ROLES: ClassVar[tuple[str, ...]] = ("input", "weight", "output")
    WRITES: ClassVar[tuple[str, ...]] = ("output",)

    input = prop_def(ViewAttr)
    weight = prop_def(ViewAttr)
    output = prop_def(ViewAttr)
    strides = prop_def(DenseArrayBase[I64])
    dilations = prop_def(DenseArrayBase[I64])
    group = prop_def(IntegerAttr)

    def __init__(
        self,
        input: ViewAttr,
        weight: ViewAttr,
        output: ViewAttr,
        mode: str,
        node: str,
        *,
        strides: Sequence[int] = (1, 1),
        dilations: Sequence[int] = (1, 1),
        group: int = 1,
        zero_points: tuple[int, int] = (0, 0),
        accumulate: bool = False,
    ) -> None:
        props = _matrix_props(node, mode, zero_points, accumulate)
        super().__init__(
            properties=_props(
                node,
                input=input,
                weight=weight,
                output=output,
                strides=_ints(strides),
                dilations=_ints(dilations),
                group=_int(group),
                **props,
            )
        )

    @property
    def stride_values(self) -> tuple[int, int]:
        sh, sw = cast(tuple[int, int], _values(self.strides))
        return sh, sw

    @property
    def dilation_values(self) -> tuple[int, int]:
        dh, dw = cast(tuple[int, int], _values(self.dilations))
        return dh, dw

    @property
    def groups(self) -> int:
        return self.group.value.data

    @classmethod
    def check(cls, values: Values) -> str | None:
        views = [view_value(values, role) for role in cls.VIEW_ROLES]
        x, w, y = (view.shape for view in views)
        if (len(x), len(w), len(y)) != (3, 4, 3):
            return "input, weight and output must be [H,W,C], [KH,KW,C/g,N] and [OH,OW,N]"
        strides, dilations = ints_value(values, "strides"), ints_value(values, "dilations")
        if len(strides) != 2 or len(dilations) != 2 or min(strides + dilations) < 1:
            return "strides and dilations must be two positive values"
        g = int_value(values, "group")
        if g < 1 or x[2] != g * w[2] or w[3] != y[2] or y[2] % g:
            return f"input {_dims(x)} and weight {_dims(w)} with group {g} do not match"
        for axis in range(2):
            taps = (w[axis] - 1) * dilations[axis] + 1
            expected = (x[axis] - taps) // strides[axis] + 1
            if y[axis] != expected:
                return (
                    f"output {_dims(y)}: dimension {axis} is {y[axis]}, the padded input and "
                    f"window give {expected}"
                )
        return cls.matrix_problem(values, *views)


@irdl_op_definition
class VectorOp(InstructionOp):
    """`aic.vector {opcode, ins, outs, params}`: one vector-unit operation on sp views."""

    name = "aic.vector"
    WRITES: ClassVar[tuple[str, ...]] = ("outs",)

    opcode = prop_def(StringAttr)
    ins = prop_def(ArrayAttr[ViewAttr])
    outs = prop_def(ArrayAttr[ViewAttr])
    params = opt_prop_def(DictionaryAttr)

    def __init__(
        self,
        opcode: VectorOpcode | str,
        ins: Sequence[ViewAttr],
        outs: Sequence[ViewAttr],
        node: str,
        params: Mapping[str, ParamValue | Sequence[int]] | None = None,
    ) -> None:
        dictionary = (
            DictionaryAttr({k: _param_attr(v) for k, v in params.items()}) if params else None
        )
        super().__init__(
            properties=_props(
                node,
                # A plain str, as parsing gives: equal attributes whichever spelling built them.
                opcode=StringAttr(str(opcode)),
                ins=ArrayAttr(ins),
                outs=ArrayAttr(outs),
                params=dictionary,
            )
        )

    @property
    def opcode_name(self) -> str:
        return self.opcode.data

    @property
    def in_views(self) -> list[ViewAttr]:
        return list(self.ins.data)

    @property
    def out_views(self) -> list[ViewAttr]:
        return list(self.outs.data)

    def param_values(self) -> dict[str, ParamValue]:
        if self.params is None:
            return {}
        return {k: _param_value(v) for k, v in self.params.data.items()}

    def views(self) -> list[tuple[str, ViewAttr]]:
        return [(f"ins[{i}]", v) for i, v in enumerate(self.in_views)] + [
            (f"outs[{i}]", v) for i, v in enumerate(self.out_views)
        ]

    @classmethod
    def check(cls, values: Values) -> str | None:
        name = text_value(values, "opcode")
        opcode = VectorOpcode.named(name)
        if opcode is None:
            return f"unknown vector opcode '{name}'"
        ins, outs = views_value(values, "ins"), views_value(values, "outs")
        if not outs:
            return f"vector {opcode} writes no view"
        problem = _all_in_sp(cls.name, values)
        return problem or (_broadcast_problem(ins, outs[0].shape) if opcode.broadcasts else None)


def _broadcast_problem(ins: Sequence[Layout], out: tuple[int, ...]) -> str | None:
    """Every in broadcasts to the out shape (numpy rules)."""
    for index, view in enumerate(ins):
        shape = view.shape
        # numpy's rule, for a result equal to `out`: no more dims, each 1 or out's.
        fits = len(shape) <= len(out) and all(
            d in (1, o) for d, o in zip(reversed(shape), reversed(out), strict=False)
        )
        if not fits:
            return f"ins[{index}] {_dims(view.shape)} does not broadcast to {_dims(out)}"
    return None


@irdl_op_definition
class BarrierOp(_NumberedOp):
    """`aic.barrier {id, node}`: no core goes on before every core reached barrier `id`."""

    name = "aic.barrier"
    NUMBER: ClassVar[str] = "id"

    id = prop_def(IntegerAttr)


def _dims(shape: Sequence[int]) -> str:
    return f"[{', '.join(str(d) for d in shape)}]"


def _describe(view: Layout) -> str:
    return f"{_dims(view.shape)} {view.dtype}"


def _all_in_sp(name: str, values: Values) -> str | None:
    for role, view in value_views(values):
        if view.space != "sp":
            return f"{role} is in {view.space}; {name} works on scratchpad views"
    return None


# -- program-level checks --------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The memory sizes and alignments a program is checked against."""

    ddr_bytes: int
    scratchpad_bytes: int
    ddr_alignment: int
    sp_alignment: int


def where(core: int, index: int, op: Operation) -> str:
    """`core 3, instruction 17 (aic.dma, node 'conv0')`: how diagnostics name an instruction
    (a vector instruction as `aic.vector.<opcode>`)."""
    node = op.node_name if isinstance(op, InstructionOp) else "?"
    kind = f"{op.name}.{op.opcode_name}" if isinstance(op, VectorOp) else op.name
    return located(core, index, kind, node)


def located(core: int, index: int, kind: str, node: str) -> str:
    """`where` from an instruction's kind (`instruction_kind`) and node."""
    return f"core {core}, instruction {index} ({kind}, node '{node}')"


def instruction_kind(name: str, values: Values) -> str:
    """The op name, with the opcode for a vector instruction (`aic.vector.relu`)."""
    opcode = values.get("opcode")
    return f"{name}.{opcode}" if name == VectorOp.name and isinstance(opcode, str) else name


def view_problem(view: ViewAttr | Layout, role: str, limits: Limits, dma: bool) -> str | None:
    """Bounds and alignment of one view, or None."""
    space, addr, _, _, dtype, span = view.layout() if isinstance(view, ViewAttr) else view
    if space == "sp":
        if span > limits.scratchpad_bytes:
            return (
                f"{role} tile of {span} bytes is larger than the "
                f"{limits.scratchpad_bytes}-byte scratchpad"
            )
        if addr + span > limits.scratchpad_bytes:
            return (
                f"{role}: sp address {addr} + {span} bytes is outside the "
                f"{limits.scratchpad_bytes}-byte scratchpad"
            )
        if addr % limits.sp_alignment:
            return f"{role}: sp address {addr} is not a multiple of {limits.sp_alignment}"
        return None
    if addr + span > limits.ddr_bytes:
        return (
            f"{role}: ddr address {addr} + {span} bytes is outside the {limits.ddr_bytes}-byte DDR"
        )
    if dma and addr % dtype.itemsize:
        return f"{role}: ddr address {addr} is not aligned to its {dtype.itemsize}-byte elements"
    return None


def instruction_problem(op: Operation, limits: Limits) -> str | None:
    """The first problem of one instruction: its kind, views, then shapes and dtypes."""
    if not isinstance(op, InstructionOp):
        return "is not an aic instruction"
    dma = isinstance(op, DmaOp)
    for role, view in op.views():
        problem = view_problem(view, role, limits, dma)
        if problem is not None:
            return problem
    return op.problem()


def program_problems(program: ProgramOp) -> Iterator[str]:
    """Every check of the program-level verifier, as diagnostics."""
    limits = program.limits
    for buffer in program.buffers:
        yield from buffer_problems(buffer, limits)
    cores = program.core_ops
    ids = [core.core_id for core in cores]
    if sorted(ids) != list(range(len(ids))) or len(ids) > program.num_cores:
        yield f"aic.program: core ids {ids} must be 0..n-1 with n <= cores = {program.num_cores}"
    barriers: list[tuple[int, list[int]]] = []
    for core in cores:
        sequence: list[int] = []
        for index, op in enumerate(core.ops):
            problem = instruction_problem(op, limits)
            if problem is not None:
                yield f"{where(core.core_id, index, op)}: {problem}"
            if isinstance(op, BarrierOp):
                sequence.append(op.number)
        barriers.append((core.core_id, sequence))
    for core_id, sequence in barriers[1:]:
        first_id, first = barriers[0]
        if sequence != first:
            yield (
                f"aic.program: core {core_id} reaches barriers {sequence}, "
                f"core {first_id} reaches {first}; every core must reach the same in order"
            )


def buffer_problems(buffer: BufferOp, limits: Limits) -> Iterator[str]:
    yield from buffer_fields_problems(
        buffer.buffer_name,
        buffer.buffer_kind,
        buffer.addr,
        buffer.nbytes,
        buffer.value is not None,
        limits,
    )


def buffer_fields_problems(
    name: str, kind: str, addr: int, nbytes: int, has_value: bool, limits: Limits
) -> Iterator[str]:
    """`buffer_problems` of a buffer given by its fields."""
    label = f"aic.buffer '{name}'"
    if kind not in BUFFER_KINDS:
        yield f"{label}: kind must be input, output or constant, not '{kind}'"
    if addr % limits.ddr_alignment:
        yield f"{label}: offset {addr} is not a multiple of {limits.ddr_alignment}"
    if addr < 0 or addr + nbytes > limits.ddr_bytes:
        yield f"{label}: offset {addr} + {nbytes} bytes is outside the {limits.ddr_bytes}-byte DDR"
    if (kind == "constant") != has_value:
        yield f"{label}: a constant buffer, and only one, has a value"


Aic = Dialect(
    "aic",
    [
        ProgramOp,
        BufferOp,
        LayerOp,
        CoreOp,
        DmaOp,
        WaitOp,
        MatmulOp,
        ConvOp,
        VectorOp,
        BarrierOp,
    ],
    [ViewAttr],
)

INSTRUCTIONS: dict[str, type[InstructionOp]] = {
    op.name: op for op in Aic.operations if issubclass(op, InstructionOp)
}
"""The instruction ops by name."""
