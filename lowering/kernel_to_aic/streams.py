"""Building blocks of the kernel -> aic lowering: DDR tensors, scratchpad slots, core streams.

A `DdrTensor` is a strided box of a DDR buffer (element strides, like `#aic.view`); the
emitters cut it into per-core, per-tile boxes. A `CoreStream` collects one core's
instructions for the layer being lowered, each tagged with the layer's node name.
`Scratchpad` hands out aligned scratchpad slots for one layer (every layer starts
from an empty scratchpad: each layer ends by waiting for its stores, `drain`).

`pipeline` is the double-buffered tile loop every emitter uses: loads of tile i+1
are issued before the compute of tile i, each slot has its own load and store DMA
tag, and a slot's result buffer is reused only after its previous store is done.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, StringAttr, i64
from xdsl.ir import Attribute, Operation

from aicc.base.errors import UserError
from aicc.dialects.aic import (
    ConvOp,
    DmaOp,
    MatmulOp,
    ParamValue,
    VectorOp,
    ViewAttr,
    WaitOp,
    contiguous_strides,
)

LOAD_TAGS = (0, 1)
STORE_TAGS = (2, 3)
WEIGHT_TAG = 4


@dataclass(frozen=True)
class DdrTensor:
    """A strided box of DDR: base address in bytes, shape and strides in elements."""

    addr: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: np.dtype

    @staticmethod
    def contiguous(addr: int, shape: Sequence[int], dtype: np.dtype) -> DdrTensor:
        return DdrTensor(addr, tuple(shape), contiguous_strides(shape), np.dtype(dtype))

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    def box(self, starts: Sequence[int], sizes: Sequence[int]) -> DdrTensor:
        offset = sum(s * st for s, st in zip(starts, self.strides, strict=True))
        return DdrTensor(
            self.addr + offset * self.dtype.itemsize, tuple(sizes), self.strides, self.dtype
        )

    def permuted(self, perm: Sequence[int]) -> DdrTensor:
        return DdrTensor(
            self.addr,
            tuple(self.shape[p] for p in perm),
            tuple(self.strides[p] for p in perm),
            self.dtype,
        )

    def reshaped(self, shape: Sequence[int]) -> DdrTensor:
        """The same contiguous bytes under another row-major shape."""
        assert self.strides == contiguous_strides(self.shape), "reshape of a strided box"
        return DdrTensor.contiguous(self.addr, shape, self.dtype)

    def view(self) -> ViewAttr:
        return view("ddr", self.addr, self.shape, self.strides, self.dtype)


@functools.lru_cache(maxsize=1 << 16)
def _cached_view(
    space: str, addr: int, shape: tuple[int, ...], strides: tuple[int, ...], dtype: np.dtype
) -> ViewAttr:
    return ViewAttr.get(space, addr, shape, strides, dtype)


def view(
    space: str, addr: int, shape: Sequence[int], strides: Sequence[int], dtype: np.dtype
) -> ViewAttr:
    """`ViewAttr.get`, shared: every core of a layer reuses the same scratchpad views, and
    building (verifying) an attribute costs far more than looking one up."""
    dims, steps = tuple(int(d) for d in shape), tuple(int(s) for s in strides)
    return _cached_view(space, int(addr), dims, steps, np.dtype(dtype))


def sp_view(addr: int, shape: Sequence[int], dtype: np.dtype) -> ViewAttr:
    return view("sp", addr, shape, contiguous_strides(shape), dtype)


def nbytes(shape: Sequence[int], dtype: np.dtype) -> int:
    return math.prod(shape) * np.dtype(dtype).itemsize


class Scratchpad:
    """A bump allocator of aligned scratchpad bytes for one layer on one core."""

    def __init__(self, size: int, alignment: int, node: str) -> None:
        self.size = size
        self.alignment = alignment
        self.node = node
        self.used = 0

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> ViewAttr:
        addr = self.used
        self.used = addr + self.aligned(nbytes(shape, dtype))
        if self.used > self.size:
            raise UserError(
                f"node '{self.node}': its tiles need {self.used} bytes of scratchpad, "
                f"the target has {self.size}"
            )
        return sp_view(addr, shape, dtype)

    def aligned(self, size: int) -> int:
        return -(-size // self.alignment) * self.alignment


@dataclass
class CoreStream:
    """One core's instructions for the layer being lowered."""

    node: str
    ops: list[Operation] = field(default_factory=list[Operation])

    def dma(self, src: ViewAttr, dst: ViewAttr, tag: int) -> None:
        # The ops' constructors build fresh attributes per call; the hot instructions
        # (DMAs, waits, barriers: most of a program) are created from shared ones.
        properties = {"node": node_attr(self.node), "src": src, "dst": dst, "tag": int_attr(tag)}
        self.ops.append(DmaOp.create(properties=properties))

    def load(self, src: DdrTensor, dst: ViewAttr, tag: int) -> None:
        self.dma(src.view(), retyped(dst, src.shape), tag)

    def store(self, src: ViewAttr, dst: DdrTensor, tag: int) -> None:
        self.dma(retyped(src, dst.shape), dst.view(), tag)

    def wait(self, tag: int) -> None:
        properties = {"node": node_attr(self.node), "tag": int_attr(tag)}
        self.ops.append(WaitOp.create(properties=properties))

    def vector(
        self,
        opcode: str,
        ins: Sequence[ViewAttr],
        outs: Sequence[ViewAttr],
        params: Mapping[str, ParamValue | Sequence[int]] | None = None,
    ) -> None:
        properties: dict[str, Attribute] = {
            "node": node_attr(self.node),
            "opcode": node_attr(opcode),
            "ins": ArrayAttr(ins),
            "outs": ArrayAttr(outs),
        }
        if params:
            properties["params"] = _params_attr(opcode, tuple(params.items()))
        self.ops.append(VectorOp.create(properties=properties))

    def matmul(
        self, a: ViewAttr, b: ViewAttr, c: ViewAttr, mode: str, zero_points: tuple[int, int]
    ) -> None:
        self.ops.append(MatmulOp(a, b, c, mode, self.node, zero_points=zero_points))

    def conv(
        self,
        tile: ViewAttr,
        weight: ViewAttr,
        out: ViewAttr,
        mode: str,
        *,
        strides: Sequence[int],
        dilations: Sequence[int],
        group: int,
        zero_points: tuple[int, int],
    ) -> None:
        self.ops.append(
            ConvOp(
                tile,
                weight,
                out,
                mode,
                self.node,
                strides=strides,
                dilations=dilations,
                group=group,
                zero_points=zero_points,
            )
        )


@functools.lru_cache(maxsize=1 << 12)
def int_attr(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


@functools.lru_cache(maxsize=1 << 12)
def node_attr(node: str) -> StringAttr:
    return StringAttr(node)


@functools.lru_cache(maxsize=1 << 12)
def _params_attr(
    opcode: str, params: tuple[tuple[str, ParamValue | Sequence[int]], ...]
) -> Attribute:
    """The params dictionary VectorOp builds, made once per distinct parameters."""
    prototype = VectorOp(opcode, [], [], "", dict(params))
    assert prototype.params is not None
    return prototype.params


def retyped(view: ViewAttr, shape: Sequence[int]) -> ViewAttr:
    """A contiguous sp view re-shaped (same element count) to match a DDR box."""
    if view.shape == tuple(shape):
        return view
    return sp_view(view.addr, shape, view.dtype)


def pipeline(
    stream: CoreStream,
    count: int,
    load: Callable[[int, int], None],
    compute: Callable[[int, int], None],
    store: Callable[[int, int], None],
) -> None:
    """`count` tiles through two slots: load(i, slot) with tag LOAD_TAGS[slot] ahead of
    compute(i, slot), then store(i, slot) with tag STORE_TAGS[slot]."""
    if count == 0:
        return
    load(0, 0)
    for index in range(count):
        slot = index % 2
        if index + 1 < count:
            load(index + 1, 1 - slot)
        stream.wait(LOAD_TAGS[slot])
        if index >= 2:
            stream.wait(STORE_TAGS[slot])
        compute(index, slot)
        store(index, slot)


def drain(stream: CoreStream) -> None:
    """Wait for the layer's stores, so its results are in DDR at the barrier (every load
    was waited for before the compute that reads it)."""
    used = {op.tag_value for op in stream.ops if isinstance(op, DmaOp)}
    for tag in STORE_TAGS:
        if tag in used:
            stream.wait(tag)


@dataclass(frozen=True)
class ChannelTable:
    """Per-output-channel vectors (bias, multipliers, shifts, ...) packed in one constant
    [rows, C], so a channel chunk needs one DMA; each row lands on an aligned address."""

    tensor: DdrTensor

    @property
    def bytes_per_channel(self) -> int:
        return self.tensor.shape[0] * self.tensor.dtype.itemsize

    def load(
        self, stream: CoreStream, sp: Scratchpad, first: int, count: int
    ) -> tuple[ViewAttr, ...]:
        """DMA channels [first, first + count) (tag WEIGHT_TAG); the rows' views."""
        rows, dtype = self.tensor.shape[0], self.tensor.dtype
        per = max(1, sp.alignment // dtype.itemsize)
        pitch = -(-count // per) * per
        buffer = sp.alloc((rows, pitch), dtype)
        dst = view("sp", buffer.addr, (rows, count), (pitch, 1), dtype)
        stream.dma(self.tensor.box((0, first), (rows, count)).view(), dst, WEIGHT_TAG)
        step = pitch * dtype.itemsize
        return tuple(sp_view(buffer.addr + i * step, (count,), dtype) for i in range(rows))
