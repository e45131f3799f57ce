"""The `aicc` dialect: aicc's own attributes for constant data.

Weights never live inside attributes as Python lists. A large constant is a
`#aicc.dense_resource<key>` attribute that points at a `Blob`, a cell holding
one numpy array. The blobs of one parse belong to the `ConstantStore` of that
parse's `Context`: every Context that loads this dialect gets a fresh store, so
parsing the same text twice in one process never renames or drops data (unlike
xDSL's process-wide builtin blob table). Blobs created in memory (import,
folding) are owned by the attributes that reference them and are freed with the
module.

A splat (every `ConstantOfShape`) is a `#aicc.splat<value>` and is never
materialized until a kernel needs it.

In text, blob data travels in the MLIR file-metadata section
`{-# dialect_resources: { aicc: { key: "0x..." } } #-}`, written by
`aicc.dialects.ir_io.print_module`; large blobs may be elided or moved to
an `.npz` sidecar (see that module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
from xdsl.dialects.builtin import ArrayAttr, FloatAttr, IntegerAttr, ModuleOp, StringAttr
from xdsl.ir import Data, Dialect, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition, param_def
from xdsl.parser import AttrParser
from xdsl.printer import Printer

# MLIR's blob encoding starts with a little-endian u32 alignment.
_ALIGNMENT_PREFIX = (16).to_bytes(4, "little")
ELIDED = "__elided__"
SIDECAR = "__sidecar__"

# Discardable attributes that one pass writes and later passes or tools read. The
# precision attributes are `aicc.base.precision`'s.
FUSED_FROM_ATTR = "aicc.fused_from"
"""On a Conv that `fuse-conv-bn` fused: the first output names of the Conv and the BN."""
OFFSET_ATTR = "aicc.offset"
"""On a buffer that `plan-memory` placed: its DDR byte offset."""
DDR_BYTES_ATTR = "aicc.ddr_bytes"
"""On `@main` after `plan-memory`: the DDR image's size in bytes."""
PEAK_ATTR = "aicc.peak_activation_bytes"
"""On `@main` after `plan-memory` (and on the device module): peak activation bytes."""
FOLDED_NAMES_ATTR = "aicc.folded_names"
"""On the module after `constant-fold-reference`: the first output names of the model's
ops it folded away (identity Transposes, ops on constants, ...), which node-precision-info
files may still name."""


class Blob:
    """A mutable cell holding the bytes of one constant, as a numpy array.

    The array may be stored with any dtype and shape (raw uint8 after a parse);
    `view` reinterprets it for the type that the referencing op declares.
    `array is None` means the data was elided when the text was printed.
    """

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray | None = None) -> None:
        if array is not None:
            array = np.ascontiguousarray(array)
            array.flags.writeable = False
        self.array = array

    def view(self, dtype: np.dtype, shape: tuple[int, ...], key: str) -> np.ndarray:
        if self.array is None:
            raise ValueError(
                f"constant '{key}' has no data: it was elided when printed "
                "(print with -o FILE to keep weights in a sidecar)"
            )
        if self.array.dtype == dtype and self.array.shape == shape:
            return self.array
        flat = self.array.reshape(-1).view(np.uint8)
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if flat.size != expected:
            raise ValueError(f"constant '{key}' holds {flat.size} bytes, its type needs {expected}")
        return flat.view(dtype).reshape(shape)


@irdl_attr_definition
class DenseResourceAttr(Data[tuple[str, Blob]]):
    """`#aicc.dense_resource<key>`: a reference to one blob of constant data."""

    name = "aicc.dense_resource"

    @property
    def key(self) -> str:
        return self.data[0]

    @property
    def blob(self) -> Blob:
        return self.data[1]

    @staticmethod
    def from_array(key: str, array: np.ndarray) -> DenseResourceAttr:
        return DenseResourceAttr((key, Blob(array)))

    @classmethod
    def parse_parameter(cls, parser: AttrParser) -> tuple[str, Blob]:
        with parser.in_angle_brackets():
            key = parser.parse_identifier(" for resource key")
        store = constant_store(parser.ctx)
        return key, store.declare(key)

    def print_parameter(self, printer: Printer) -> None:
        printer.print_string(f"<{self.key}>")


@irdl_attr_definition
class SplatAttr(ParametrizedAttribute):
    """`#aicc.splat<v : type>`: every element has the same value."""

    name = "aicc.splat"
    value: FloatAttr | IntegerAttr = param_def()

    def scalar(self) -> float | int:
        return self.value.value.data

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.value)


class ConstantStore(OpAsmDialectInterface):
    """The blobs parsed in one Context, by key.

    Parsing only ever fills blobs: equal keys in a text are the same blob, and
    parsing the same text again in this Context refills the same blobs with the
    same bytes, so keys are stable.
    """

    def __init__(self) -> None:
        super().__init__()
        self.blobs: dict[str, Blob] = {}
        self.sidecar: Callable[[str], np.ndarray] | None = None

    def declare(self, key: str) -> Blob:
        blob = self.blobs.get(key)
        if blob is None:
            blob = self.blobs[key] = Blob()
        return blob

    def declare_resource(self, key: str) -> str:
        self.declare(key)
        return key

    def parse_resource(self, key: str, val: str) -> None:
        blob = self.declare(key)
        if val == ELIDED:
            blob.array = None
            return
        if val == SIDECAR:
            if self.sidecar is None:
                raise ValueError(f"resource '{key}' lives in a sidecar file, and none was found")
            blob.array = self.sidecar(key)
            return
        if not val.startswith("0x"):
            raise ValueError(f"resource '{key}' must be a hex blob, got {val[:20]!r}")
        raw = bytes.fromhex(val[2:])[len(_ALIGNMENT_PREFIX) :]
        array = np.frombuffer(raw, dtype=np.uint8)
        array.flags.writeable = False
        blob.array = array

    def lookup(self, key: str) -> str | None:
        blob = self.blobs.get(key)
        return None if blob is None or blob.array is None else encode_blob(blob.array)

    def build_resources(self, keys: Iterable[str]) -> dict[str, str]:
        return {key: value for key in keys if (value := self.lookup(key)) is not None}


def encode_blob(array: np.ndarray) -> str:
    return "0x" + (_ALIGNMENT_PREFIX + np.ascontiguousarray(array).tobytes()).hex().upper()


def constant_store(ctx: object) -> ConstantStore:
    """The ConstantStore of a Context that has loaded the aicc dialect."""
    from xdsl.context import Context

    assert isinstance(ctx, Context)
    store = ctx.get_dialect("aicc").get_interface(ConstantStore)
    assert store is not None, "the aicc dialect was built without its ConstantStore"
    return store


@dataclass(frozen=True)
class _AiccDialectFactory:
    """Builds a fresh dialect object, and so a fresh ConstantStore, per Context."""

    def __call__(self) -> Dialect:
        return Dialect("aicc", [], [DenseResourceAttr, SplatAttr], [ConstantStore()])


make_aicc_dialect = _AiccDialectFactory()
"""Register with `ctx.register_dialect("aicc", make_aicc_dialect)`."""

Aicc = make_aicc_dialect()
"""A dialect object for tools that list dialects; contexts should use the factory."""


def folded_names(module: ModuleOp) -> tuple[str, ...]:
    """The names of the model's ops that `constant-fold-reference` folded away."""
    attr = module.attributes.get(FOLDED_NAMES_ATTR)
    if not isinstance(attr, ArrayAttr):
        return ()
    return tuple(a.data for a in attr.data if isinstance(a, StringAttr))
