"""Sliding-window layers on NHWC buffers: convolution and pooling.

Work is cut along output rows (batch x OH) and output-channel units; the split with
the fewest estimated cycles per core wins (every core's DMA engine has 1/cores of
the DDR bandwidth, so loading every weight on every core costs cores x the weight
traffic, and small late layers split by channels); with a batch, whole images per
core where that is cheaper (aicc.lowering.kernel_to_aic.batch_split). A unit window
with unit strides and no padding arrives as [N, H*W, 1, C], so its rows are single
pixels and the cores split them evenly. A core's channel chunk is cut again when its constants
would take more than half of the scratchpad; its rows are cut into tiles that fit,
and into two tiles where the compute (the matrix op and its vector epilogue) or
transfer that double buffering hides outweighs the extra DMA setups and the input
rows both tiles read.

A tile is padded in the scratchpad: its border strips are filled with the pad value,
then the interior rows come in by one strided DMA. Every scratchpad view must start
on an aligned address, so a padded tile keeps each pixel on its own aligned slot
(channels padded to the alignment, the strides of the `aic.conv` input view skipping
the gap).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aicc.base.errors import UserError
from aicc.dialects.aic import ViewAttr
from aicc.lowering.kernel_to_aic.batch_split import split_rows
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import (
    LOAD_TAGS,
    STORE_TAGS,
    WEIGHT_TAG,
    ChannelTable,
    CoreStream,
    DdrTensor,
    Scratchpad,
    nbytes,
    pipeline,
    sp_view,
    view,
)
from aicc.lowering.kernel_to_aic.tiling import (
    best_split,
    dma_cycles,
    epilogue_cycles,
    split_range,
    worth_pipelining,
)


@dataclass(frozen=True)
class Window:
    kernel: tuple[int, int]
    strides: tuple[int, int]
    dilations: tuple[int, int]
    pads: tuple[int, int, int, int]
    """top, left, bottom, right"""

    def taps(self, axis: int) -> int:
        return (self.kernel[axis] - 1) * self.dilations[axis] + 1

    def in_rows(self, first: int, stop: int) -> tuple[int, int]:
        """Input rows (in unpadded coordinates, may leave [0, H)) of output rows [first, stop)."""
        start = first * self.strides[0] - self.pads[0]
        return start, (stop - 1) * self.strides[0] - self.pads[0] + self.taps(0)

    def tile_width(self, out_width: int) -> int:
        return (out_width - 1) * self.strides[1] + self.taps(1)


@dataclass(frozen=True)
class Chunk:
    """Output channels [out_first, out_stop) and the input channels they read."""

    out_first: int
    out_stop: int
    in_first: int
    in_stop: int

    @property
    def outs(self) -> int:
        return self.out_stop - self.out_first

    @property
    def ins(self) -> int:
        return self.in_stop - self.in_first


@dataclass(frozen=True)
class Tile:
    batch: int
    first: int
    stop: int


@dataclass(frozen=True)
class TileViews:
    """The scratchpad views one tile's compute works on."""

    input: ViewAttr
    output: ViewAttr
    weight: ViewAttr | None
    table: tuple[ViewAttr, ...]
    """The chunk's rows of the layer's channel table."""
    acc: ViewAttr | None
    rows: tuple[ViewAttr, ...]
    """The tile's rows of the layer's per-position constants ([rows, OW])."""
    tile: Tile
    chunk: Chunk


Body = Callable[[CoreStream, TileViews], None]


@dataclass(frozen=True)
class WindowLayer:
    """A conv or pool over NHWC `x` into NHWC `y`."""

    x: DdrTensor
    y: DdrTensor
    window: Window
    pad_value: float | int
    in_per_unit: int
    """Input channels per channel unit; 0 when every unit reads all of them (group 1)."""
    out_per_unit: int
    weight: DdrTensor | None
    """HWIO weights, cut along the last axis with the output channels."""
    table: ChannelTable | None
    acc_dtype: np.dtype | None
    body: Body
    macs: int
    rate: int
    """MACs (or vector elements) per cycle of one core, for the split estimate."""
    row_consts: tuple[DdrTensor, ...] = ()
    """Per-output-position constants [OH, OW] (pooling divisors), loaded with each tile."""
    epilogue_passes: int = 0
    """Vector ops the body runs over each accumulator tile after the matrix op."""


def emit_window(builder: ProgramBuilder, node: str, layer: WindowLayer) -> list[CoreStream]:
    streams = builder.streams_for(node)
    n, oh = layer.y.shape[0], layer.y.shape[1]
    channels = layer.y.shape[3]
    units = -(-channels // layer.out_per_unit)
    split = _choose_split(builder, layer, n * oh, units)
    row_ranges, unit_parts = split_rows(builder, layer, split, _channel_bytes(layer) * channels)
    core = 0
    for rows in row_ranges:
        for unit_range in split_range(units, unit_parts):
            _emit_core(builder, streams[core], layer, rows, unit_range)
            core += 1
    return streams


def _choose_split(
    builder: ProgramBuilder, layer: WindowLayer, rows: int, units: int
) -> tuple[int, int]:
    """(row parts, channel-unit parts) with the fewest estimated cycles on one core."""
    height = layer.x.shape[0] * layer.x.shape[1]
    consts = _channel_bytes(layer) * layer.y.shape[3]

    def cycles(row_parts: int, unit_parts: int) -> float:
        core_rows = -(-rows // row_parts)
        unit_share = -(-units // unit_parts) / units
        first, stop = layer.window.in_rows(0, core_rows)
        in_share = min(1.0, (stop - first) / height)
        in_bytes = layer.x.nbytes * in_share * (unit_share if layer.in_per_unit else 1.0)
        row_share = core_rows / rows
        moved = in_bytes + consts * unit_share + layer.y.nbytes * row_share * unit_share
        compute = layer.macs * row_share * unit_share / layer.rate
        return dma_cycles(builder.target, builder.cores, moved) + compute

    return best_split(builder.cores, rows, units, cycles)


def _chunk(layer: WindowLayer, out_first: int, out_stop: int) -> Chunk:
    """Output channels [out_first, out_stop) (whole groups when grouped) and their inputs."""
    if not layer.in_per_unit:
        return Chunk(out_first, out_stop, 0, layer.x.shape[3])
    first_unit = out_first // layer.out_per_unit
    stop_unit = -(-out_stop // layer.out_per_unit)
    return Chunk(out_first, out_stop, first_unit * layer.in_per_unit, stop_unit * layer.in_per_unit)


def _emit_core(
    builder: ProgramBuilder,
    stream: CoreStream,
    layer: WindowLayer,
    rows: tuple[int, int],
    unit_range: tuple[int, int],
) -> None:
    """The core's channels in chunks whose constants take at most half the scratchpad."""
    channels = layer.y.shape[3]
    first = unit_range[0] * layer.out_per_unit
    stop = min(unit_range[1] * layer.out_per_unit, channels)
    per_channel = _channel_bytes(layer)
    step = layer.out_per_unit if layer.in_per_unit else 1
    half = builder.target.scratchpad_bytes_per_core // 2
    size = max(step, half // max(1, per_channel) // step * step)
    for start in range(first, stop, size):
        _emit_chunk(builder, stream, layer, rows, _chunk(layer, start, min(start + size, stop)))


def _emit_chunk(
    builder: ProgramBuilder,
    stream: CoreStream,
    layer: WindowLayer,
    rows: tuple[int, int],
    chunk: Chunk,
) -> None:
    sp = builder.scratchpad(stream.node)
    weight = None
    if layer.weight is not None:
        kh, kw, cg, _ = layer.weight.shape
        box = layer.weight.box((0, 0, 0, chunk.out_first), (kh, kw, cg, chunk.outs))
        weight = sp.alloc(box.shape, box.dtype)
        stream.load(box, weight, WEIGHT_TAG)
    table = () if layer.table is None else layer.table.load(stream, sp, chunk.out_first, chunk.outs)
    tiles = _tiles(builder, sp, layer, rows, chunk)
    if not tiles:
        return
    height = max(t.stop - t.first for t in tiles)
    slots = 2 if len(tiles) > 1 else 1
    padded = _needs_padding(layer)
    in_shape = _tile_shape(layer, height, chunk, padded, sp.alignment)
    ins = [sp.alloc(in_shape, layer.x.dtype) for _ in range(slots)]
    out_shape = (height, layer.y.shape[2], chunk.outs)
    outs = [sp.alloc(out_shape, layer.y.dtype) for _ in range(slots)]
    acc = sp.alloc(out_shape, layer.acc_dtype) if layer.acc_dtype is not None else None
    row_bufs = [
        [sp.alloc((height, t.shape[1]), t.dtype) for t in layer.row_consts] for _ in range(slots)
    ]
    if weight is not None or table:
        stream.wait(WEIGHT_TAG)

    def load(index: int, slot: int) -> None:
        tile = tiles[index]
        _load_tile(stream, layer, tile, chunk, ins[slot], padded, LOAD_TAGS[slot])
        for tensor, buffer in zip(layer.row_consts, row_bufs[slot], strict=True):
            box = tensor.box((tile.first, 0), (tile.stop - tile.first, tensor.shape[1]))
            stream.load(box, buffer, LOAD_TAGS[slot])

    def compute(index: int, slot: int) -> None:
        tile = tiles[index]
        rows_out = tile.stop - tile.first
        shape = (rows_out, layer.y.shape[2], chunk.outs)
        views = TileViews(
            input=_input_view(layer, tile, chunk, ins[slot], padded),
            output=sp_view(outs[slot].addr, shape, layer.y.dtype),
            weight=weight,
            table=table,
            acc=None if acc is None else sp_view(acc.addr, shape, acc.dtype),
            rows=tuple(sp_view(b.addr, (rows_out, b.shape[1]), b.dtype) for b in row_bufs[slot]),
            tile=tile,
            chunk=chunk,
        )
        layer.body(stream, views)

    def store(index: int, slot: int) -> None:
        tile = tiles[index]
        box = layer.y.box(
            (tile.batch, tile.first, 0, chunk.out_first),
            (1, tile.stop - tile.first, layer.y.shape[2], chunk.outs),
        )
        stream.store(outs[slot], _drop_batch(box), STORE_TAGS[slot])

    pipeline(stream, len(tiles), load, compute, store)


def _tiles(
    builder: ProgramBuilder,
    sp: Scratchpad,
    layer: WindowLayer,
    rows: tuple[int, int],
    chunk: Chunk,
) -> list[Tile]:
    """The core's output rows in tiles that fit what is left of the scratchpad."""
    oh = layer.y.shape[1]
    count = rows[1] - rows[0]
    free = sp.size - sp.used
    padded = _needs_padding(layer)
    out_row = nbytes((layer.y.shape[2], chunk.outs), layer.y.dtype)
    acc_row = (
        0 if layer.acc_dtype is None else nbytes((layer.y.shape[2], chunk.outs), layer.acc_dtype)
    )
    const_row = sum(nbytes(t.shape[1:], t.dtype) for t in layer.row_consts)

    def need(height: int) -> int:
        tile = nbytes(_tile_shape(layer, height, chunk, padded, sp.alignment), layer.x.dtype)
        slot = sp.aligned(tile) + sp.aligned(height * out_row) + sp.aligned(height * const_row)
        return 2 * slot + sp.aligned(height * acc_row)

    height = min(count, oh)
    while height > 1 and need(height) > free:
        height = max(1, height * 3 // 4 if need(height * 3 // 4) > free else height - 1)
    if need(height) > free:
        raise UserError(
            f"node '{sp.node}': one output row needs {need(1)} bytes of scratchpad, {free} are left"
        )
    if height >= count >= 2 and _worth_pipelining(builder, layer, count, chunk):
        height = -(-count // 2)
    tiles: list[Tile] = []
    flat = rows[0]
    while flat < rows[1]:
        batch, row = divmod(flat, oh)
        stop = min(oh, row + height, row + rows[1] - flat)
        tiles.append(Tile(batch, row, stop))
        flat += stop - row
    return tiles


def _worth_pipelining(
    builder: ProgramBuilder, layer: WindowLayer, count: int, chunk: Chunk
) -> bool:
    """Whether `count` output rows of `chunk` gain from two tiles over one."""
    window, half = layer.window, -(-count // 2)
    row_bytes = nbytes((layer.x.shape[2], chunk.ins), layer.x.dtype)
    first, stop = window.in_rows(0, count)
    moved = (stop - first) * row_bytes
    moved += nbytes((count, layer.y.shape[2], chunk.outs), layer.y.dtype)
    tiles = [window.in_rows(0, half), window.in_rows(half, count)]
    reread = (sum(b - a for a, b in tiles) - (stop - first)) * row_bytes
    share = count * chunk.outs / (layer.y.shape[0] * layer.y.shape[1] * layer.y.shape[3])
    compute = layer.macs * share / layer.rate
    elements = count * layer.y.shape[2] * chunk.outs
    compute += epilogue_cycles(builder.target, elements, layer.epilogue_passes)
    return worth_pipelining(builder.target, builder.cores, compute, moved, max(0, reread))


def _needs_padding(layer: WindowLayer) -> bool:
    window, (h, w) = layer.window, layer.x.shape[1:3]
    first, stop = window.in_rows(0, layer.y.shape[1])
    width = window.tile_width(layer.y.shape[2])
    return first < 0 or stop > h or window.pads[1] > 0 or width - window.pads[1] > w


def _pixel_pitch(channels: int, dtype: np.dtype, alignment: int, padded: bool) -> int:
    """Elements between pixels of a tile: the channels, padded to the alignment if needed."""
    if not padded:
        return channels
    per = alignment // np.dtype(dtype).itemsize
    return -(-channels // per) * per


def _tile_shape(
    layer: WindowLayer, height: int, chunk: Chunk, padded: bool, alignment: int
) -> tuple[int, int, int]:
    first, stop = layer.window.in_rows(0, height)
    width = layer.window.tile_width(layer.y.shape[2])
    return (stop - first, width, _pixel_pitch(chunk.ins, layer.x.dtype, alignment, padded))


def _input_view(
    layer: WindowLayer, tile: Tile, chunk: Chunk, buffer: ViewAttr, padded: bool
) -> ViewAttr:
    first, stop = layer.window.in_rows(tile.first, tile.stop)
    width = layer.window.tile_width(layer.y.shape[2])
    pitch = buffer.shape[2]
    return view(
        "sp", buffer.addr, (stop - first, width, chunk.ins), (width * pitch, pitch, 1), buffer.dtype
    )


def _load_tile(
    stream: CoreStream,
    layer: WindowLayer,
    tile: Tile,
    chunk: Chunk,
    buffer: ViewAttr,
    padded: bool,
    tag: int,
) -> None:
    h, w = layer.x.shape[1:3]
    window = layer.window
    first, stop = window.in_rows(tile.first, tile.stop)
    width = window.tile_width(layer.y.shape[2])
    top, bottom = max(first, 0), min(stop, h)
    left = window.pads[1]
    cols = min(w, width - left)
    pitch = buffer.shape[2]
    if padded:
        _fill_border(
            stream,
            layer,
            buffer,
            (stop - first, width, chunk.ins),
            (top - first, bottom - first),
            (left, left + cols),
        )
    if bottom <= top:
        return
    source = layer.x.box((tile.batch, top, 0, chunk.in_first), (1, bottom - top, cols, chunk.ins))
    offset = ((top - first) * width + left) * pitch * buffer.dtype.itemsize
    dst = view(
        "sp",
        buffer.addr + offset,
        (bottom - top, cols, chunk.ins),
        (width * pitch, pitch, 1),
        buffer.dtype,
    )
    stream.dma(_drop_batch(source).view(), dst, tag)


def _fill_border(
    stream: CoreStream,
    layer: WindowLayer,
    buffer: ViewAttr,
    shape: tuple[int, int, int],
    rows: tuple[int, int],
    cols: tuple[int, int],
) -> None:
    """Fill the tile outside the interior rows x cols with the pad value; each strip starts
    on a pixel, so on an aligned address (the interior is DMA'd next)."""
    height, width, channels = shape
    if rows[1] <= rows[0]:
        rows = (height, height)
    strips = (
        (0, rows[0], 0, width),
        (rows[1], height - rows[1], 0, width),
        (rows[0], rows[1] - rows[0], 0, cols[0]),
        (rows[0], rows[1] - rows[0], cols[1], width - cols[1]),
    )
    pitch, itemsize = buffer.shape[2], buffer.dtype.itemsize
    for row, count, col, span in strips:
        if count <= 0 or span <= 0:
            continue
        addr = buffer.addr + (row * width + col) * pitch * itemsize
        strip = view("sp", addr, (count, span, channels), (width * pitch, pitch, 1), buffer.dtype)
        stream.vector("fill", [], [strip], {"value": layer.pad_value})


def _drop_batch(box: DdrTensor) -> DdrTensor:
    return DdrTensor(box.addr, box.shape[1:], box.strides[1:], box.dtype)


def _channel_bytes(layer: WindowLayer) -> int:
    """Constant bytes per output channel: its weights and its channel-table column."""
    weights = 0 if layer.weight is None else layer.weight.nbytes // layer.weight.shape[-1]
    return weights + (0 if layer.table is None else layer.table.bytes_per_channel)
