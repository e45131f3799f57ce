"""Row-split layers: elementwise ops, conversions, softmax, LRN and data movement.

A `RowSplitLayer` computes its output box by box, each input box being the same box
in the input's coordinates (a broadcast axis of size 1 stays whole). Data movement
(transpose, slice, copy, reshape) has no compute: its input views are strided DDR
views in the output's coordinates, so a strided DMA into the scratchpad and a
contiguous DMA back do the whole job.

Before cutting, adjacent leading axes that every operand walks contiguously are merged
(NHWC [1, 28, 28, C] becomes [784, C]): the cores then get equal shares of pixels
rather than 1 or 2 of 28 rows, and a share that spans several rows is still one DMA.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from aicc.dialects.aic import ParamValue, ViewAttr
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import (
    LOAD_TAGS,
    STORE_TAGS,
    CoreStream,
    DdrTensor,
    pipeline,
    retyped,
)
from aicc.lowering.kernel_to_aic.tiling import Box, outer_tiles, useful_cores

Compute = Callable[[CoreStream, Sequence[ViewAttr], ViewAttr, Sequence[ViewAttr]], None]
"""compute(stream, input tiles, output tile, scratch tiles) emits the tile's vector ops."""


def vector_compute(opcode: str, params: dict[str, ParamValue] | None = None) -> Compute:
    """A tile's compute as one vector op from the input tiles to the output tile."""

    def compute(
        stream: CoreStream, ins: Sequence[ViewAttr], out: ViewAttr, _: Sequence[ViewAttr]
    ) -> None:
        stream.vector(opcode, ins, [out], params)

    return compute


@dataclass(frozen=True)
class RowSplitLayer:
    """A row-split layer: `ins` in the output's coordinates (equal or broadcast axes)."""

    out: DdrTensor
    ins: tuple[DdrTensor, ...]
    compute: Compute | None
    max_axis: int
    """The deepest axis tiles may cut (softmax and LRN keep their last axis whole)."""
    scratch: tuple[np.dtype, ...] = ()
    """Extra per-slot tiles of the output's shape, for multi-step computations."""


def input_box(tensor: DdrTensor, box: Box) -> Box:
    starts, sizes = box
    full = [d != 1 for d in tensor.shape]
    return (
        tuple(s if f else 0 for s, f in zip(starts, full, strict=True)),
        tuple(z if f else 1 for z, f in zip(sizes, full, strict=True)),
    )


def merged(layer: RowSplitLayer) -> RowSplitLayer:
    """`layer` with every pair of adjacent cuttable axes merged where each operand walks
    them as one contiguous (or wholly broadcast) axis. The cores then split the merged
    axis evenly, and a tile that spans several of the original leading indices is still
    one DMA; the last axis stays whole so a tile's rows keep their aligned layout."""
    tensors = [layer.out, *layer.ins]
    max_axis = layer.max_axis
    for axis in reversed(range(min(max_axis, len(layer.out.shape) - 2))):
        if all(_mergeable(t, tensors[0], axis) for t in tensors):
            tensors = [_merge(t, axis) for t in tensors]
            max_axis -= 1
    if max_axis == layer.max_axis:
        return layer
    return RowSplitLayer(tensors[0], tuple(tensors[1:]), layer.compute, max_axis, layer.scratch)


def _mergeable(tensor: DdrTensor, out: DdrTensor, axis: int) -> bool:
    """Whether `tensor` (in `out`'s coordinates) walks `axis` and `axis + 1` as one axis."""
    if out.shape[axis] == 1 or out.shape[axis + 1] == 1:
        return True
    full = [tensor.shape[a] != 1 for a in (axis, axis + 1)]
    if full[0] != full[1]:
        return False
    return not full[0] or tensor.strides[axis] == tensor.strides[axis + 1] * tensor.shape[axis + 1]


def _merge(tensor: DdrTensor, axis: int) -> DdrTensor:
    outer, inner = tensor.shape[axis], tensor.shape[axis + 1]
    stride = tensor.strides[axis] if inner == 1 and outer != 1 else tensor.strides[axis + 1]
    return DdrTensor(
        tensor.addr,
        (*tensor.shape[:axis], outer * inner, *tensor.shape[axis + 2 :]),
        (*tensor.strides[:axis], stride, *tensor.strides[axis + 2 :]),
        tensor.dtype,
    )


def emit_row_split(builder: ProgramBuilder, node: str, layer: RowSplitLayer) -> list[CoreStream]:
    streams = builder.streams_for(node)
    layer = merged(layer)
    alignment = builder.target.alignment.scratchpad_bytes
    tiled = [*layer.ins, layer.out] if layer.compute else [layer.out]
    row_dtypes = [t.dtype for t in tiled] + list(layer.scratch)

    def row_bytes(axis: int) -> int:
        rest = math.prod(layer.out.shape[axis + 1 :])
        return sum(rest * d.itemsize + alignment for d in row_dtypes)

    slot_bytes = builder.target.scratchpad_bytes_per_core // 2
    moved = layer.out.nbytes + sum(t.nbytes for t in layer.ins)
    cores = useful_cores(builder.target, builder.cores, moved)
    per_core = outer_tiles(layer.out.shape, layer.max_axis, row_bytes, slot_bytes, cores, node)
    for stream, tiles in zip(streams, per_core, strict=False):
        _emit_core(builder, stream, layer, tiles)
    return streams


def _emit_core(
    builder: ProgramBuilder, stream: CoreStream, layer: RowSplitLayer, tiles: list[Box]
) -> None:
    if not tiles:
        return
    sp = builder.scratchpad(stream.node)
    biggest = tuple(max(box[1][d] for box in tiles) for d in range(len(layer.out.shape)))
    slots = 2 if len(tiles) > 1 else 1
    ins = [
        [sp.alloc(input_box(t, ((0,) * len(biggest), biggest))[1], t.dtype) for t in layer.ins]
        for _ in range(slots)
    ]
    outs = [sp.alloc(biggest, layer.out.dtype) for _ in range(slots)] if layer.compute else []
    scratch = [[sp.alloc(biggest, d) for d in layer.scratch] for _ in range(slots)]

    def load(index: int, slot: int) -> None:
        for tensor, buffer in zip(layer.ins, ins[slot], strict=True):
            stream.load(tensor.box(*input_box(tensor, tiles[index])), buffer, LOAD_TAGS[slot])

    def compute(index: int, slot: int) -> None:
        if layer.compute is None:
            return
        sizes = tiles[index][1]
        in_views = [
            retyped(buffer, input_box(tensor, tiles[index])[1])
            for tensor, buffer in zip(layer.ins, ins[slot], strict=True)
        ]
        layer.compute(
            stream,
            in_views,
            retyped(outs[slot], sizes),
            [retyped(s, sizes) for s in scratch[slot]],
        )

    def store(index: int, slot: int) -> None:
        result = outs[slot] if layer.compute else ins[slot][0]
        stream.store(result, layer.out.box(*tiles[index]), STORE_TAGS[slot])

    pipeline(stream, len(tiles), load, compute, store)
