"""The binary form of an `aic` program: typed column tables, and the one codec between
them and the IR (see docs/bundle-format.md).

    tables, constants = encode(module)        # aic IR -> tables (+ constants by key)
    data = program_bytes(tables)              # tables -> the `.aicb` file's bytes
    tables = read_program(path)               # checked: magic, version, columns, indices
    module = tables_module(tables, load)      # tables -> aic IR (for printing)

The encoding is generic over the ops and their properties: every op of the module is a
row of the op table (its name, its parent row, its property count), and every property
a row of the property table, typed by `Kind`. Views are deduplicated rows of the view
table (space, dtype, address, shape and strides), so the simulator's decoder and the
vectorized bounds check (`flagged_ops`) read them as numpy columns. An op or opcode
added to the `aic` dialect needs no change here.

Constants are referred to by key; the constant table maps each key of the program to
a key of a constant store (an `.npz`) and an optional axis permutation, so that a
bundle stores one array for a model's weights and their device layout.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from pathlib import Path
from typing import NamedTuple, cast

import numpy as np
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    NoneAttr,
    StringAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region
from xdsl.irdl import IRDLOperation
from xdsl.parser import Parser
from xdsl.printer import Printer

from aicc.base.errors import UserError
from aicc.dialects.aic import SPACES, UNIT, Layout, Limits, Unit, ViewAttr, plain_value
from aicc.dialects.aicc import Blob, DenseResourceAttr
from aicc.dialects.elements import numpy_dtype
from aicc.dialects.quant import UniformQuantizedType

MAGIC = b"AICB"
VERSION = 1
"""The version of the table encoding (a bundle's `format_version` is the manifest's)."""
_ALIGN = 64
MAX_RANK = 8
"""The largest view rank (and constant rank for a permutation) the encoding holds."""

DTYPES: tuple[np.dtype, ...] = tuple(
    np.dtype(name)
    for name in (
        "int8",
        "uint8",
        "int16",
        "uint16",
        "int32",
        "uint32",
        "int64",
        "uint64",
        "float16",
        "float32",
        "float64",
        "bool",
    )
)
NO_DTYPE = 255
_DTYPE_CODES = {dtype: code for code, dtype in enumerate(DTYPES)}


class Kind(IntEnum):
    """How a property row holds its value (`value`, `count`, `aux`, `dtype` columns)."""

    INT = 0  # value: an i64 integer
    FLOAT = 1  # value: the f64's bits
    STRING = 2  # value: a string row
    UNIT = 3  # a present flag
    INTS = 4  # ints[value : value + count], an i64 dense array
    DICT = 5  # the next `count` rows are its entries
    VIEW = 6  # value: a view row
    VIEWS = 7  # view rows value .. value + count - 1
    MEMREF = 8  # shape ints[value : value + count], aux: element type text, dtype: storage
    RESOURCE = 9  # value: the constant's key (a string row)
    ATTR = 10  # aux: any other attribute, as MLIR text


ATTRIBUTE_FLAG = 1
"""`prop_flags` bit: a discardable attribute, not a property."""

_COLUMNS: dict[str, tuple[str, int]] = {
    "op_name": ("<i4", 1),
    "op_parent": ("<i4", 1),
    "op_prop_count": ("<i4", 1),
    "prop_name": ("<i4", 1),
    "prop_kind": ("|u1", 1),
    "prop_flags": ("|u1", 1),
    "prop_value": ("<i8", 1),
    "prop_count": ("<i4", 1),
    "prop_aux": ("<i4", 1),
    "prop_dtype": ("|u1", 1),
    "view_space": ("|u1", 1),
    "view_dtype": ("|u1", 1),
    "view_rank": ("|u1", 1),
    "view_addr": ("<i8", 1),
    "view_shape": ("<i8", 2),
    "view_strides": ("<i8", 2),
    "ints": ("<i8", 1),
    "strings": ("|u1", 1),
    "string_ends": ("<i8", 1),
    "const_key": ("<i4", 1),
    "const_store": ("<i4", 1),
    "const_perm": ("|i1", 2),
}
"""Every table column: its little-endian dtype and rank. Columns of one prefix have one
length; a 2-D column's second axis is the program's widest rank."""


class MemRefValue(NamedTuple):
    """A `memref<...>` property: shape, storage dtype (None if it has none), element text."""

    shape: tuple[int, ...]
    dtype: np.dtype | None
    element: str


class Resource(NamedTuple):
    """A `#aicc.dense_resource<key>` property."""

    key: str


class AttrText(NamedTuple):
    """Any other attribute, as MLIR text."""

    text: str


class ConstantRef(NamedTuple):
    """A program constant in the store: `transpose(squeeze(store[key]), perm)` (no perm:
    the stored array's bytes as they are)."""

    key: str
    store: str
    perm: tuple[int, ...] | None


@dataclass(frozen=True)
class AicTables:
    """An `aic` module as columns (`_COLUMNS`)."""

    columns: dict[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]


# -- encoding ----------------------------------------------------------------------------


def _text(attr: Attribute) -> str:
    out = io.StringIO()
    Printer(stream=out).print_attribute(attr)
    return out.getvalue()


def _storage_dtype(element: Attribute) -> np.dtype | None:
    if isinstance(element, UniformQuantizedType):
        return element.storage_dtype
    try:
        return numpy_dtype(element)
    except ValueError:
        return None


class _Encoder:
    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self.ops: list[tuple[int, int, int]] = []
        self.props: list[tuple[int, int, int, int, int, int, int]] = []
        self.views: list[Layout] = []
        self.view_rows: dict[Layout, int] = {}
        self.view_lists: dict[tuple[Layout, ...], int] = {}
        self.ints: list[int] = []
        self.constants: dict[str, np.ndarray | None] = {}

    def string(self, text: str) -> int:
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def view(self, layout: Layout) -> int:
        index = self.view_rows.get(layout)
        if index is None:
            index = self.view_rows[layout] = self._append(layout)
        return index

    def view_list(self, layouts: list[Layout]) -> int:
        """The first of consecutive view rows holding `layouts` (shared by equal lists)."""
        key = tuple(layouts)
        first = self.view_lists.get(key)
        if first is None:
            first = self.view_lists[key] = len(self.views)
            for layout in layouts:
                self.view_rows[layout] = self._append(layout)
        return first

    def _append(self, layout: Layout) -> int:
        if len(layout.shape) > MAX_RANK:
            raise ValueError(f"a view of rank {len(layout.shape)} is above {MAX_RANK}")
        self.views.append(layout)
        return len(self.views) - 1

    def op(self, op: Operation, parent: int) -> None:
        if op.operands or op.results or len(op.regions) > 1:
            raise ValueError(f"{op.name}: an op with operands, results or regions is not aic")
        row = len(self.ops)
        first = len(self.props)
        for name, attr in op.properties.items():
            self.prop(name, attr, 0)
        for name, attr in op.attributes.items():
            self.prop(name, attr, ATTRIBUTE_FLAG)
        self.ops.append((self.string(op.name), parent, len(self.props) - first))
        for region in op.regions:
            if len(region.blocks) > 1 or any(block.args for block in region.blocks):
                raise ValueError(f"{op.name}: a region of more than one block is not aic")
            for child in region.ops:
                self.op(child, row)

    def row(
        self, name: str, kind: Kind, flags: int, value: int = 0, count: int = 0, aux: int = -1
    ) -> None:
        self.props.append((self.string(name), kind, flags, value, count, aux, NO_DTYPE))

    def prop(self, name: str, attr: Attribute, flags: int) -> None:
        value = plain_value(attr)
        if value is None:
            self.other(name, attr, flags)
        elif isinstance(value, Unit):
            self.row(name, Kind.UNIT, flags)
        elif isinstance(value, Layout):
            self.row(name, Kind.VIEW, flags, self.view(value))
        elif isinstance(value, str):
            self.row(name, Kind.STRING, flags, self.string(value))
        elif isinstance(value, int):
            self.row(name, Kind.INT, flags, value)
        elif isinstance(value, float):
            bits = int(np.array(value, np.float64).view(np.int64))
            self.row(name, Kind.FLOAT, flags, bits)
        elif isinstance(value, tuple):
            self.row(name, Kind.INTS, flags, len(self.ints), len(value))
            self.ints.extend(value)
        elif isinstance(value, list):
            self.row(name, Kind.VIEWS, flags, self.view_list(value), len(value))
        else:
            self.row(name, Kind.DICT, flags, 0, len(value))
            for key, item in cast(DictionaryAttr, attr).data.items():
                self.prop(key, item, flags)

    def other(self, name: str, attr: Attribute, flags: int) -> None:
        if isinstance(attr, DenseResourceAttr):
            self.constants.setdefault(attr.key, attr.blob.array)
            self.row(name, Kind.RESOURCE, flags, self.string(attr.key))
            return
        if (
            isinstance(attr, MemRefType)
            and isinstance(attr.layout, NoneAttr)
            and isinstance(attr.memory_space, NoneAttr)
        ):
            element = attr.get_element_type()
            shape = tuple(attr.get_shape())
            self.props.append(
                (
                    self.string(name),
                    Kind.MEMREF,
                    flags,
                    len(self.ints),
                    len(shape),
                    self.string(_text(element)),
                    _DTYPE_CODES.get(cast(np.dtype, _storage_dtype(element)), NO_DTYPE),
                )
            )
            self.ints.extend(shape)
            return
        self.row(name, Kind.ATTR, flags, 0, 0, self.string(_text(attr)))

    def tables(self) -> AicTables:
        views = self.views
        width = max((len(v.shape) for v in views), default=0) or 1
        shape = np.ones((len(views), width), np.int64)
        strides = np.zeros((len(views), width), np.int64)
        for row, view in enumerate(views):
            shape[row, : len(view.shape)] = view.shape
            strides[row, : len(view.strides)] = view.strides
        ops = np.array(self.ops, np.int64).reshape(-1, 3)
        props = np.array(self.props, np.int64).reshape(-1, 7)
        encoded = [text.encode() for text in self.strings]
        columns = {
            "op_name": ops[:, 0],
            "op_parent": ops[:, 1],
            "op_prop_count": ops[:, 2],
            "prop_name": props[:, 0],
            "prop_kind": props[:, 1],
            "prop_flags": props[:, 2],
            "prop_value": props[:, 3],
            "prop_count": props[:, 4],
            "prop_aux": props[:, 5],
            "prop_dtype": props[:, 6],
            "view_space": np.array([SPACES.index(v.space) for v in views], np.int64),
            "view_dtype": np.array([_DTYPE_CODES[v.dtype] for v in views], np.int64),
            "view_rank": np.array([len(v.shape) for v in views], np.int64),
            "view_addr": np.array([v.addr for v in views], np.int64),
            "view_shape": shape,
            "view_strides": strides,
            "ints": np.array(self.ints, np.int64),
            "strings": np.frombuffer(b"".join(encoded), np.uint8),
            "string_ends": np.cumsum([len(b) for b in encoded], dtype=np.int64),
            "const_key": np.zeros(0, np.int32),
            "const_store": np.zeros(0, np.int32),
            "const_perm": np.zeros((0, 0), np.int8),
        }
        tables = AicTables(_typed_columns(columns))
        refs = [ConstantRef(key, key, None) for key in sorted(self.constants)]
        return with_constants(tables, refs)


def _typed_columns(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    typed: dict[str, np.ndarray] = {}
    for name, (dtype, rank) in _COLUMNS.items():
        array = np.asarray(columns[name])
        if rank == 2 and array.ndim == 1:
            array = array.reshape(-1, 0)
        typed[name] = np.ascontiguousarray(array, dtype=np.dtype(dtype))
    return typed


def encode(module: ModuleOp) -> tuple[AicTables, dict[str, np.ndarray | None]]:
    """The module as tables, and the constants it refers to by key (None: elided)."""
    encoder = _Encoder()
    encoder.op(module, -1)
    return encoder.tables(), encoder.constants


def with_constants(tables: AicTables, refs: list[ConstantRef]) -> AicTables:
    """`tables` with the constant table `refs` (keys must be the program's)."""
    strings = _strings(tables)
    index = {text: row for row, text in enumerate(strings)}
    added = [ref.store for ref in refs if ref.store not in index]
    for text in dict.fromkeys(added):
        index[text] = len(strings)
        strings.append(text)
    width = max((len(ref.perm or ()) for ref in refs), default=0)
    perm = np.full((len(refs), width), -1, np.int8)
    for row, ref in enumerate(refs):
        perm[row, : len(ref.perm or ())] = ref.perm or ()
    encoded = [text.encode() for text in strings]
    columns = dict(tables.columns)
    columns.update(
        strings=np.frombuffer(b"".join(encoded), np.uint8),
        string_ends=np.cumsum([len(b) for b in encoded], dtype=np.int64),
        const_key=np.array([index[ref.key] for ref in refs], np.int32),
        const_store=np.array([index[ref.store] for ref in refs], np.int32),
        const_perm=perm,
    )
    return AicTables(_typed_columns(columns))


# -- the file -----------------------------------------------------------------------------


def program_bytes(tables: AicTables) -> bytes:
    """The `.aicb` file: magic, version, a JSON header naming each column's dtype, shape
    and offset, then the columns, each at a 64-byte-aligned offset."""
    entries: list[dict[str, object]] = []
    offset = 0
    for name in _COLUMNS:
        array = tables[name]
        entries.append(
            {"name": name, "dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        )
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"columns": entries}, sort_keys=True).encode()
    start = -(-(16 + len(header)) // _ALIGN) * _ALIGN
    out = bytearray(start + offset)
    out[:4] = MAGIC
    out[4:8] = VERSION.to_bytes(4, "little")
    out[8:16] = len(header).to_bytes(8, "little")
    out[16 : 16 + len(header)] = header
    for entry, name in zip(entries, _COLUMNS, strict=True):
        data = tables[name].tobytes()
        at = start + cast(int, entry["offset"])
        out[at : at + len(data)] = data
    return bytes(out)


def read_program(path: Path, data: bytes | None = None) -> AicTables:
    """The tables of the `.aicb` file at `path` (or of its bytes `data`), checked; any
    problem is a one-line `UserError` naming the file."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise UserError(f"{path}: cannot read: {e.strerror}") from None
    try:
        tables = _columns(data)
        _check(tables)
    except ValueError as e:
        raise UserError(f"{path}: {e}; recompile the bundle") from None
    return tables


def _columns(data: bytes) -> AicTables:
    if data[:4] != MAGIC:
        raise ValueError("not an aic binary program (no AICB magic)")
    version = int.from_bytes(data[4:8], "little")
    if version != VERSION:
        raise ValueError(f"binary program version {version} is not {VERSION}")
    size = int.from_bytes(data[8:16], "little")
    try:
        header = json.loads(data[16 : 16 + size])
        entries = {entry["name"]: entry for entry in header["columns"]}
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise ValueError("the binary program's header is not valid") from None
    start = -(-(16 + size) // _ALIGN) * _ALIGN
    columns: dict[str, np.ndarray] = {}
    for name, (dtype, rank) in _COLUMNS.items():
        entry = entries.get(name)
        if not isinstance(entry, dict):
            raise ValueError(f"column '{name}' is missing")
        shape, offset = entry.get("shape"), entry.get("offset")
        if (
            entry.get("dtype") != np.dtype(dtype).str
            or not isinstance(shape, list)
            or len(shape) != rank
            or not all(type(d) is int and 0 <= d < 2**40 for d in shape)
            or type(offset) is not int
            or offset < 0
        ):
            raise ValueError(f"column '{name}' is not {rank}-D {dtype}")
        count = int(np.prod(shape, dtype=np.int64))
        nbytes = count * np.dtype(dtype).itemsize
        if start + offset + nbytes > len(data):
            raise ValueError(f"column '{name}' runs past the end of the file")
        array = np.frombuffer(data, np.dtype(dtype), count, start + offset)
        columns[name] = array.reshape(shape)
    return AicTables(columns)


def _check(tables: AicTables) -> None:
    """Every length and index of the tables, vectorized; the decoders then index freely."""
    t = tables.columns
    for prefix in ("op_", "prop_", "view_", "const_"):
        lengths = {len(a) for n, a in t.items() if n.startswith(prefix)}
        if len(lengths) != 1:
            raise ValueError(f"the {prefix[:-1]} columns differ in length")
    nstrings, nviews, nints = len(t["string_ends"]), len(t["view_addr"]), len(t["ints"])
    ends = t["string_ends"]
    if np.any(np.diff(ends) < 0) or (nstrings and (ends[0] < 0 or ends[-1] != len(t["strings"]))):
        raise ValueError("the string table is not valid")
    nops = len(t["op_name"])
    rows = np.arange(nops)
    if nops == 0 or np.any(t["op_parent"] >= rows) or np.any(t["op_parent"][1:] < 0):
        raise ValueError("the op table is not one tree in pre-order")
    counts = t["op_prop_count"]
    if np.any(counts < 0) or int(counts.sum()) != len(t["prop_name"]):
        raise ValueError("the op table's property counts do not add up to the property table")
    _in_range(t["op_name"], nstrings, "an op name")
    _in_range(t["prop_name"], nstrings, "a property name")
    kind, value, count, aux = t["prop_kind"], t["prop_value"], t["prop_count"], t["prop_aux"]
    if np.any(kind > max(Kind)) or np.any(t["prop_flags"] > ATTRIBUTE_FLAG) or np.any(count < 0):
        raise ValueError("a property has an unknown kind, flag or a negative count")
    for kinds, limit, what in (
        ((Kind.STRING, Kind.RESOURCE), nstrings, "string"),
        ((Kind.VIEW,), nviews, "view"),
    ):
        _in_range(value[np.isin(kind, kinds)], limit, f"a {what} property")
    for kinds, limit, what in (
        ((Kind.VIEWS,), nviews, "view"),
        ((Kind.INTS, Kind.MEMREF), nints, "int"),
    ):
        mask = np.isin(kind, kinds)
        if np.any(value[mask] < 0) or np.any(value[mask] + count[mask] > limit):
            raise ValueError(f"a property's {what} rows are out of range")
    _in_range(aux[np.isin(kind, (Kind.MEMREF, Kind.ATTR))], nstrings, "an attribute text")
    dtypes = t["prop_dtype"][kind == Kind.MEMREF]
    if np.any((dtypes >= len(DTYPES)) & (dtypes != NO_DTYPE)):
        raise ValueError("a memref has an unknown storage dtype")
    width = t["view_shape"].shape[1]
    if (
        t["view_strides"].shape[1] != width
        or np.any(t["view_space"] >= len(SPACES))
        or np.any(t["view_dtype"] >= len(DTYPES))
        or np.any(t["view_rank"] > min(width, MAX_RANK))
        or np.any(t["view_addr"] < 0)
        or np.any(t["view_shape"] < 0)
        or np.any(t["view_strides"] < 0)
    ):
        raise ValueError("a view has an unknown space or dtype, or a bad rank, address or size")
    _in_range(t["const_key"], nstrings, "a constant key")
    _in_range(t["const_store"], nstrings, "a constant store key")
    if t["const_perm"].shape[1] > MAX_RANK or np.any(t["const_perm"] >= MAX_RANK):
        raise ValueError("a constant's permutation is not valid")


def _in_range(indices: np.ndarray, limit: int, what: str) -> None:
    if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= limit):
        raise ValueError(f"{what} refers to a row that does not exist")


def _strings(tables: AicTables) -> list[str]:
    data = tables["strings"].tobytes()
    ends = tables["string_ends"].tolist()
    starts = [0, *ends[:-1]]
    try:
        return [data[a:b].decode() for a, b in zip(starts, ends, strict=True)]
    except UnicodeDecodeError:
        raise ValueError("the string table is not UTF-8") from None


# -- decoding -------------------------------------------------------------------------------


_NOT_SIMPLE = object()


class TableReader:
    """Plain values of checked tables: op names, tree, properties (`aic.plain_value`'s
    types, plus `MemRefValue`, `Resource` and `AttrText`)."""

    def __init__(self, tables: AicTables) -> None:
        t = tables.columns
        self.tables = tables
        self.strings = _strings(tables)
        self.names = [self.strings[i] for i in t["op_name"].tolist()]
        self.parents: list[int] = t["op_parent"].tolist()
        counts: list[int] = t["op_prop_count"].tolist()
        self.first = list(itertools.accumulate([0, *counts[:-1]]))
        self.counts = counts
        self.prop_name: list[int] = t["prop_name"].tolist()
        self.prop_kind: list[int] = t["prop_kind"].tolist()
        self.prop_flags: list[int] = t["prop_flags"].tolist()
        self.prop_value: list[int] = t["prop_value"].tolist()
        self.prop_count: list[int] = t["prop_count"].tolist()
        self.prop_aux: list[int] = t["prop_aux"].tolist()
        self.prop_dtype: list[int] = t["prop_dtype"].tolist()
        self.ints: list[int] = t["ints"].tolist()
        self.views = _layouts(tables)
        self.prop_names = [self.strings[i] for i in self.prop_name]
        views, strings = self.views, self.strings
        # The one-row kinds that most properties are, decoded once.
        self.simple: list[object] = [
            views[v]
            if k == Kind.VIEW
            else v
            if k == Kind.INT
            else strings[v]
            if k == Kind.STRING
            else _NOT_SIMPLE
            for k, v in zip(self.prop_kind, self.prop_value, strict=True)
        ]
        children: list[list[int]] = [[] for _ in self.names]
        for row, parent in enumerate(self.parents):
            if parent >= 0:
                children[parent].append(row)
        self.children = children

    def properties(self, row: int, flags: int = 0) -> dict[str, object]:
        """The op's properties (`flags=ATTRIBUTE_FLAG`: its discardable attributes)."""
        values: dict[str, object] = {}
        end = self.first[row] + self.counts[row]
        index = self.first[row]
        simple, names, prop_flags = self.simple, self.prop_names, self.prop_flags
        while index < end:
            value = simple[index]
            after = index + 1
            if value is _NOT_SIMPLE:
                value, after = self._value(index, end)
            if prop_flags[index] == flags:
                values[names[index]] = value
            index = after
        return values

    def _value(self, index: int, end: int) -> tuple[object, int]:
        kind, value, count = self.prop_kind[index], self.prop_value[index], self.prop_count[index]
        if kind == Kind.VIEW:
            return self.views[value], index + 1
        if kind == Kind.INT:
            return value, index + 1
        if kind == Kind.STRING:
            return self.strings[value], index + 1
        if kind == Kind.VIEWS:
            return self.views[value : value + count], index + 1
        if kind == Kind.UNIT:
            return UNIT, index + 1
        if kind == Kind.INTS:
            return tuple(self.ints[value : value + count]), index + 1
        if kind == Kind.FLOAT:
            return float(np.array(value, np.int64).view(np.float64)), index + 1
        if kind == Kind.DICT:
            if index + 1 + count > end:
                raise ValueError("a dictionary property runs past its op")
            entries: dict[str, object] = {}
            entry = index + 1
            for _ in range(count):
                entries[self.strings[self.prop_name[entry]]], entry = self._value(entry, end)
                if entry > end:
                    raise ValueError("a dictionary property runs past its op")
            return entries, entry
        if kind == Kind.MEMREF:
            code = self.prop_dtype[index]
            dtype = None if code == NO_DTYPE else DTYPES[code]
            shape = tuple(self.ints[value : value + count])
            return MemRefValue(shape, dtype, self.strings[self.prop_aux[index]]), index + 1
        if kind == Kind.RESOURCE:
            return Resource(self.strings[value]), index + 1
        return AttrText(self.strings[self.prop_aux[index]]), index + 1

    def constants(self) -> list[ConstantRef]:
        t = self.tables.columns
        refs: list[ConstantRef] = []
        for key, store, perm in zip(
            t["const_key"].tolist(),
            t["const_store"].tolist(),
            t["const_perm"].tolist(),
            strict=True,
        ):
            axes = tuple(a for a in perm if a >= 0)
            refs.append(ConstantRef(self.strings[key], self.strings[store], axes or None))
        return refs

    def view_owners(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (view row, op row) pair of an op's operand views."""
        t = self.tables.columns
        kind, value, count = t["prop_kind"], t["prop_value"], t["prop_count"]
        owner = np.repeat(np.arange(len(self.names)), t["op_prop_count"])
        single = kind == Kind.VIEW
        lists = kind == Kind.VIEWS
        sizes = count[lists].astype(np.int64)
        offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        listed = np.repeat(value[lists], sizes) + offsets
        views = np.concatenate([value[single], listed])
        owners = np.concatenate([owner[single], np.repeat(owner[lists], sizes)])
        return views.astype(np.int64), owners

    def flagged_ops(self, limits: Limits, dma_rows: np.ndarray) -> set[int]:
        """The op rows with an operand view that may break `aic.view_problem` (bounds,
        alignment), checked over the view columns at once; `dma_rows` marks DMA ops,
        whose DDR views must be aligned to their elements."""
        t = self.tables.columns
        itemsize = np.array([d.itemsize for d in DTYPES], np.float64)[t["view_dtype"]]
        shape = t["view_shape"].astype(np.float64)
        strides = t["view_strides"].astype(np.float64)
        last = ((shape - 1) * strides).sum(axis=1)
        span = np.where((shape == 0).any(axis=1), 0.0, (last + 1) * itemsize)
        addr = t["view_addr"]
        end = addr.astype(np.float64) + span
        sp = t["view_space"] == SPACES.index("sp")
        bad = np.where(
            sp,
            (end > limits.scratchpad_bytes) | (addr % limits.sp_alignment != 0),
            end > limits.ddr_bytes,
        )
        misaligned = ~sp & (addr % itemsize.astype(np.int64) != 0)
        views, owners = self.view_owners()
        flagged = bad[views] | (misaligned[views] & dma_rows[owners])
        return set(owners[flagged].tolist())


def _layouts(tables: AicTables) -> list[Layout]:
    t = tables.columns
    layouts: list[Layout] = []
    itemsizes = [d.itemsize for d in DTYPES]
    for space, code, rank, addr, shape, strides in zip(
        t["view_space"].tolist(),
        t["view_dtype"].tolist(),
        t["view_rank"].tolist(),
        t["view_addr"].tolist(),
        t["view_shape"].tolist(),
        t["view_strides"].tolist(),
        strict=True,
    ):
        dims, steps = tuple(shape[:rank]), tuple(strides[:rank])
        if 0 in dims:
            span = 0
        else:
            span = (sum((d - 1) * s for d, s in zip(dims, steps, strict=True)) + 1) * itemsizes[
                code
            ]
        layouts.append(Layout(SPACES[space], addr, dims, steps, DTYPES[code], span))
    return layouts


def program_constants(
    reader: TableReader, load: Callable[[str], np.ndarray | None]
) -> dict[str, np.ndarray | None]:
    """Each program constant's array by key, from the store's arrays (`load(store key)`)."""
    arrays: dict[str, np.ndarray | None] = {}
    for ref in reader.constants():
        array = load(ref.store)
        if array is not None and ref.perm is not None:
            squeezed = np.squeeze(array)
            if sorted(ref.perm) != list(range(squeezed.ndim)):
                raise UserError(
                    f"constant '{ref.key}': permutation {list(ref.perm)} does not fit the "
                    f"{squeezed.ndim}-D array '{ref.store}'; recompile the bundle"
                )
            array = np.transpose(squeezed, ref.perm)
        arrays[ref.key] = array
    return arrays


@cache
def _parsing_context() -> object:
    from aicc.dialects.context import make_context

    return make_context()


def parse_attribute(text: str) -> Attribute:
    """An attribute from its MLIR text (io element types, `AttrText`)."""
    from xdsl.context import Context

    ctx = cast(Context, _parsing_context())
    return Parser(ctx, text, name="<aicb>").parse_attribute()


def _attribute(value: object, blobs: dict[str, Blob]) -> Attribute:
    if isinstance(value, Layout):
        return ViewAttr.get(value.space, value.addr, value.shape, value.strides, value.dtype)
    if isinstance(value, Unit):
        return UnitAttr()
    if isinstance(value, str):
        return StringAttr(value)
    if isinstance(value, int):
        return IntegerAttr(value, i64)
    if isinstance(value, float):
        return FloatAttr(value, Float64Type())
    if isinstance(value, MemRefValue):
        return MemRefType(parse_attribute(value.element), value.shape)
    if isinstance(value, Resource):
        return DenseResourceAttr((value.key, blobs.setdefault(value.key, Blob())))
    if isinstance(value, AttrText):
        return parse_attribute(value.text)
    if isinstance(value, tuple):
        return DenseArrayBase.from_list(i64, list(cast(tuple[int, ...], value)))
    if isinstance(value, list):
        return ArrayAttr([_attribute(item, blobs) for item in cast(list[object], value)])
    items = cast(dict[str, object], value).items()
    return DictionaryAttr({key: _attribute(item, blobs) for key, item in items})


def tables_module(tables: AicTables, load: Callable[[str], np.ndarray | None]) -> ModuleOp:
    """The `aic` module the tables encode, its constants from the store (`load`)."""
    from xdsl.context import Context

    reader = TableReader(tables)
    arrays = program_constants(reader, load)
    blobs = {key: Blob(array) for key, array in arrays.items()}
    ctx = cast(Context, _parsing_context())

    def build(row: int) -> Operation:
        name = reader.names[row]
        op_type = ctx.get_optional_op(name)
        if op_type is None:
            raise UserError(f"the binary program holds an unknown op '{name}'")
        properties = {k: _attribute(v, blobs) for k, v in reader.properties(row).items()}
        attributes = reader.properties(row, ATTRIBUTE_FLAG)
        regions = []
        if issubclass(op_type, IRDLOperation) and op_type.get_irdl_definition().regions:
            regions = [Region(Block([build(child) for child in reader.children[row]]))]
        return op_type.create(
            properties=properties,
            attributes={k: _attribute(v, blobs) for k, v in attributes.items()},
            regions=regions,
        )

    module = build(0)
    if not isinstance(module, ModuleOp):
        raise UserError("the binary program's root is not a builtin.module")
    return module


def share_constants(
    program: Mapping[str, np.ndarray | None], store: Mapping[str, np.ndarray]
) -> tuple[list[ConstantRef], dict[str, np.ndarray]]:
    """The constant table of a program whose constants go into `store` (a model's), and
    the store with what it lacks. A program constant equal to a stored array, or to a
    permutation of its axes (a weight in the device's layout), refers to that array."""
    shared = dict(store)
    candidates: dict[tuple[str, int], list[str]] = {}
    for key, array in shared.items():
        candidates.setdefault((array.dtype.str, array.size), []).append(key)
    refs: list[ConstantRef] = []
    for key, array in sorted(program.items()):
        if array is None:
            raise ValueError(f"constant '{key}' has no data (it was elided)")
        for other in candidates.get((array.dtype.str, array.size), []):
            perm = _permutation(shared[other], array)
            if perm is not None:
                refs.append(ConstantRef(key, other, perm or None))
                break
        else:
            name = key
            while name in shared:
                name += "'"
            shared[name] = array
            candidates.setdefault((array.dtype.str, array.size), []).append(name)
            refs.append(ConstantRef(key, name, None))
    return refs, shared


_MAX_PERMUTED_RANK = 5


def _permutation(source: np.ndarray, target: np.ndarray) -> tuple[int, ...] | None:
    """() if `target` has `source`'s bytes; the axes that permute the squeezed `source`
    into `target`'s bytes; None if neither."""
    # Bits, not values: -0.0 and 0.0 (and NaNs) must stay as they are.
    source, target = _bits(source), _bits(target)
    if source.shape == target.shape and np.array_equal(source, target):
        return ()
    squeezed, wanted = np.squeeze(source), np.squeeze(target)
    if not 1 <= squeezed.ndim == wanted.ndim <= _MAX_PERMUTED_RANK:
        return None
    for perm in itertools.permutations(range(squeezed.ndim)):
        if tuple(squeezed.shape[axis] for axis in perm) != wanted.shape:
            continue
        if np.array_equal(np.transpose(squeezed, perm), wanted):
            return perm
    return None


def _bits(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array).view(f"u{array.dtype.itemsize}")
