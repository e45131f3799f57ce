"""Element types and constant values: between xDSL attributes and numpy arrays.

A constant value attribute is one of
- `dense<...>` (builtin), only for tiny tensors so that tests can state them;
- `#aicc.splat<v>`, never materialized until a kernel asks;
- `#aicc.dense_resource<key>`, a numpy array held in a blob.
"""

from __future__ import annotations

import re

import numpy as np
from xdsl.dialects.builtin import (
    AnyFloat,
    BFloat16Type,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    TensorType,
)
from xdsl.ir import Attribute

from aicc.dialects.aicc import DenseResourceAttr, SplatAttr

ElementsAttr = DenseIntOrFPElementsAttr | DenseResourceAttr | SplatAttr

INLINE_MAX_ELEMENTS = 8
"""Constants with at most this many elements print inline as `dense<...>`."""

# bfloat16 has no numpy dtype: its blobs hold the raw uint16 bit patterns.
_BF16_STORAGE = np.dtype(np.uint16)

_FLOAT_TYPES: list[tuple[type[AnyFloat], np.dtype]] = [
    (Float16Type, np.dtype(np.float16)),
    (Float32Type, np.dtype(np.float32)),
    (Float64Type, np.dtype(np.float64)),
]


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype that stores elements of an xDSL element type."""
    for xdsl_type, dtype in _FLOAT_TYPES:
        if isinstance(element_type, xdsl_type):
            return dtype
    if isinstance(element_type, BFloat16Type):
        return _BF16_STORAGE
    if isinstance(element_type, IntegerType):
        width = element_type.width.data
        if width == 1:
            return np.dtype(np.bool_)
        unsigned = element_type.signedness.data == Signedness.UNSIGNED
        return np.dtype(f"{'u' if unsigned else 'i'}{width // 8}")
    raise ValueError(f"no numpy dtype for element type {element_type}")


def element_type(dtype: np.dtype) -> AnyFloat | IntegerType:
    """The xDSL element type for a numpy dtype (signless for signed integers)."""
    dtype = np.dtype(dtype)
    for xdsl_type, candidate in _FLOAT_TYPES:
        if candidate == dtype:
            return xdsl_type()
    if dtype == np.bool_:
        return IntegerType(1)
    if dtype.kind == "u":
        return IntegerType(dtype.itemsize * 8, Signedness.UNSIGNED)
    if dtype.kind == "i":
        return IntegerType(dtype.itemsize * 8)
    raise ValueError(f"no element type for numpy dtype {dtype}")


def tensor_type(shape: tuple[int, ...], dtype: np.dtype) -> TensorType[Attribute]:
    return TensorType(element_type(dtype), shape)


def shape_of(t: Attribute) -> tuple[int, ...]:
    assert isinstance(t, TensorType), f"expected a ranked tensor, got {t}"
    return tuple(t.get_shape())


def dtype_of(t: Attribute) -> np.dtype:
    assert isinstance(t, TensorType), f"expected a ranked tensor, got {t}"
    return numpy_dtype(t.get_element_type())


class Splat:
    """A constant whose elements all equal one scalar; materialized on demand."""

    __slots__ = ("dtype", "shape", "value")

    def __init__(self, value: float | int, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.value = value
        self.shape = shape
        self.dtype = np.dtype(dtype)

    def materialize(self) -> np.ndarray:
        return np.full(self.shape, self.value, dtype=self.dtype)


def elements_value(attr: Attribute, t: Attribute) -> np.ndarray | Splat:
    """The value of a constant attribute of type `t`; splats stay splats."""
    shape, dtype = shape_of(t), dtype_of(t)
    if isinstance(attr, SplatAttr):
        return Splat(attr.scalar(), shape, dtype)
    if isinstance(attr, DenseResourceAttr):
        return attr.blob.view(dtype, shape, attr.key)
    if isinstance(attr, DenseIntOrFPElementsAttr):
        raw = np.frombuffer(attr.data.data, dtype=_packed_dtype(attr, dtype))
        array = raw.astype(dtype) if raw.dtype != dtype else raw
        if array.size == int(np.prod(shape, dtype=np.int64)):
            return array.reshape(shape)
        # xDSL stores a parsed splat `dense<v>` as one element.
        return np.broadcast_to(array.reshape(()), shape)
    raise ValueError(f"not a constant value attribute: {attr}")


def elements_array(attr: Attribute, t: Attribute) -> np.ndarray:
    value = elements_value(attr, t)
    return value.materialize() if isinstance(value, Splat) else value


def _packed_dtype(attr: DenseIntOrFPElementsAttr, dtype: np.dtype) -> np.dtype:
    # xDSL packs i1 as one byte per element, like numpy's bool.
    return np.dtype(np.uint8) if dtype == np.bool_ else dtype


_KEY_CHARS = re.compile(r"[^A-Za-z0-9_.$]")


def resource_key(name: str) -> str:
    """A resource key (a bare identifier) derived from a tensor name."""
    key = _KEY_CHARS.sub("_", name) or "cst"
    return key if (key[0].isalpha() or key[0] == "_") else f"_{key}"


def make_elements(array: np.ndarray | Splat, key: str) -> ElementsAttr:
    """The attribute for a constant value: a splat, a tiny inline dense, or a blob."""
    if isinstance(array, Splat):
        return _splat_attr(array.value, array.dtype)
    inline = array.size <= INLINE_MAX_ELEMENTS and array.dtype.kind in "fiu"
    if array.size > 1 and np.all(array.reshape(-1) == array.reshape(-1)[0]) and inline:
        return _splat_attr(array.reshape(-1)[0].item(), array.dtype)
    if inline and array.dtype != _BF16_STORAGE:
        elt, flat = element_type(array.dtype), array.reshape(-1).tolist()
        # from_list has one overload per element kind, so each call needs a narrowed type.
        if isinstance(elt, IntegerType):
            return DenseIntOrFPElementsAttr.from_list(TensorType(elt, array.shape), flat)
        return DenseIntOrFPElementsAttr.from_list(TensorType(elt, array.shape), flat)
    return DenseResourceAttr.from_array(resource_key(key), array)


def _splat_attr(value: float | int | bool, dtype: np.dtype) -> SplatAttr:
    et = element_type(dtype)
    if isinstance(et, IntegerType):
        return SplatAttr(IntegerAttr(int(value), et))
    assert isinstance(et, AnyFloat)
    return SplatAttr(FloatAttr(float(value), et))
