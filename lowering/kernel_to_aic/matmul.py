"""Matrix products (Gemm, MatMul): `y[..., M, N] = epilogue(a[..., M, K] @ b[..., K, N])`.

Work is cut along the rows (batch x M) and the columns of N (in units of the matrix
unit's N step), whichever split costs fewer estimated cycles. A `b` shared by every
batch (the usual constant weights) is loaded once per core and column chunk; a
batched `b`, and a bias that is not per column (Gemm's C as a graph input or a
matrix), travel with each tile. `lower_matmul` describes a `kernel.matmul` (Gemm's
alpha and beta folded into its epilogue) as such a layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from xdsl.ir import SSAValue

from aicc.base.errors import UserError
from aicc.base.precision import Precision
from aicc.dialects.kernel import ConstOp, KernelOp, MatmulOp, quant_element
from aicc.lowering.kernel_to_aic.epilogue import (
    Epilogue,
    QuantTypes,
    float_epilogue,
    requant_epilogue,
)
from aicc.lowering.kernel_to_aic.operands import (
    at_rank,
    const_array,
    memref,
    precision,
    quant,
    record_layer,
)
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import (
    LOAD_TAGS,
    STORE_TAGS,
    WEIGHT_TAG,
    CoreStream,
    DdrTensor,
    Scratchpad,
    nbytes,
    pipeline,
    sp_view,
)
from aicc.lowering.kernel_to_aic.tiling import (
    best_split,
    dma_cycles,
    epilogue_cycles,
    split_range,
    worth_pipelining,
)


@dataclass(frozen=True)
class MatmulLayer:
    """Operands at the result's rank (leading broadcast axes of size 1)."""

    a: DdrTensor
    b: DdrTensor
    y: DdrTensor
    mode: Precision
    zero_points: tuple[int, int]
    acc_dtype: np.dtype
    epilogue: Epilogue
    bias: DdrTensor | None = None
    """A bias loaded with each tile (at the result's rank, broadcast axes of size 1)."""

    @property
    def batch(self) -> tuple[int, ...]:
        return self.y.shape[:-2]

    @property
    def shared_b(self) -> bool:
        return math.prod(self.b.shape[:-2]) == 1

    @property
    def macs(self) -> int:
        return math.prod(self.y.shape) * self.a.shape[-1]


def lower_matmul(builder: ProgramBuilder, op: KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, MatmulOp)
    y = builder.tensor(op.output)
    rank = len(y.shape)
    a = at_rank(builder.tensor(op.inputs[0]), rank)
    b = at_rank(builder.tensor(op.inputs[1]), rank)
    record_layer(builder, op, "matmul", math.prod(y.shape) * a.shape[-1])
    alpha, beta = op.alpha.value.data, op.beta.value.data
    yt = op.out_type()
    channels = y.shape[-1]
    mode = precision(yt)
    bias_tile = None
    if len(op.inputs) == 3 and beta != 0.0 and not _per_column(op.inputs[2], channels):
        if mode == "i8":
            raise UserError(f"node '{node}': an INT8 bias that is not per column is not supported")
        bias_tile = at_rank(builder.tensor(op.inputs[2]), rank)
    bias = const_array(op.inputs[2], node) if len(op.inputs) == 3 and not bias_tile else None
    if mode == "i8":
        types = QuantTypes(
            quant(memref(op.inputs[0]), node, "a"),
            quant(memref(op.inputs[1]), node, "b"),
            quant(yt, node, "the result"),
            None if bias is None else quant_element(memref(op.inputs[2])),
        )
        epilogue: Epilogue = requant_epilogue(
            builder, node, types, op.activation, channels, bias, alpha, beta
        )
        zero_points = (types.x.zero_point, 0 if types.w.is_per_axis else types.w.zero_point)
        acc = np.dtype(np.int32)
    else:
        epilogue = float_epilogue(
            builder, node, op.activation, channels, bias, alpha, beta, bias_tile is not None
        )
        zero_points, acc = (0, 0), np.dtype(np.float32)
    layer = MatmulLayer(a, b, y, mode, zero_points, acc, epilogue, bias_tile)
    return emit_matmul(builder, node, layer)


def _per_column(value: SSAValue, channels: int) -> bool:
    """Whether a matmul bias is a constant that broadcasts along the columns only."""
    if not isinstance(value.owner, ConstOp):
        return False
    shape = memref(value).get_shape()
    return math.prod(shape) == 1 or (math.prod(shape) == channels and shape[-1] == channels)


@dataclass(frozen=True)
class _Tile:
    batch: tuple[int, ...]
    first: int
    stop: int


def emit_matmul(builder: ProgramBuilder, node: str, layer: MatmulLayer) -> list[CoreStream]:
    streams = builder.streams_for(node)
    m = layer.y.shape[-2]
    rows = math.prod(layer.batch) * m
    step = builder.target.alignment.tile_n_multiple
    units = -(-layer.y.shape[-1] // step)
    rate = builder.target.matrix_macs_per_cycle[layer.mode]
    table = layer.epilogue.table
    consts = layer.b.nbytes + (0 if table is None else table.tensor.nbytes)

    def cycles(row_parts: int, unit_parts: int) -> float:
        row_share = -(-rows // row_parts) / rows
        unit_share = -(-units // unit_parts) / units
        moved = layer.a.nbytes * row_share + consts * unit_share
        moved += layer.y.nbytes * row_share * unit_share
        compute = layer.macs * row_share * unit_share / rate
        return dma_cycles(builder.target, builder.cores, moved) + compute

    row_parts, unit_parts = best_split(builder.cores, rows, units, cycles)
    core = 0
    for row_range in split_range(rows, row_parts):
        for first, stop in split_range(units, unit_parts):
            columns = (first * step, min(stop * step, layer.y.shape[-1]))
            _emit_core(builder, streams[core], layer, row_range, columns)
            core += 1
    return streams


def _emit_core(
    builder: ProgramBuilder,
    stream: CoreStream,
    layer: MatmulLayer,
    rows: tuple[int, int],
    columns: tuple[int, int],
) -> None:
    k = layer.a.shape[-1]
    table = layer.epilogue.table
    per_column = k * layer.b.dtype.itemsize + (0 if table is None else table.bytes_per_channel)
    width = columns[1] - columns[0]
    chunk = max(1, min(width, (builder.target.scratchpad_bytes_per_core // 2) // per_column))
    for first in range(columns[0], columns[1], chunk):
        _emit_chunk(builder, stream, layer, rows, (first, min(first + chunk, columns[1])))


def _emit_chunk(
    builder: ProgramBuilder,
    stream: CoreStream,
    layer: MatmulLayer,
    rows: tuple[int, int],
    columns: tuple[int, int],
) -> None:
    sp = builder.scratchpad(stream.node)
    k, width = layer.a.shape[-1], columns[1] - columns[0]
    rank = len(layer.y.shape)
    b_shape = (k, width)
    weights = None
    if layer.shared_b:
        weights = sp.alloc(b_shape, layer.b.dtype)
        stream.load(_b_box(layer, (0,) * (rank - 2), columns), weights, WEIGHT_TAG)
    table = layer.epilogue.table
    table_rows = () if table is None else table.load(stream, sp, columns[0], width)
    tiles = _tiles(builder, sp, layer, rows, width)
    height = max(t.stop - t.first for t in tiles)
    slots = 2 if len(tiles) > 1 else 1
    a_bufs = [sp.alloc((height, k), layer.a.dtype) for _ in range(slots)]
    b_bufs = [] if layer.shared_b else [sp.alloc(b_shape, layer.b.dtype) for _ in range(slots)]
    outs = [sp.alloc((height, width), layer.y.dtype) for _ in range(slots)]
    acc = sp.alloc((height, width), layer.acc_dtype)
    bias = layer.bias
    bias_bufs = (
        []
        if bias is None
        else [
            (
                sp.alloc(_bias_shape(bias, height, width), bias.dtype),
                sp.alloc((height, width), acc.dtype),
            )
            for _ in range(slots)
        ]
    )
    if weights is not None or table_rows:
        stream.wait(WEIGHT_TAG)

    def load(index: int, slot: int) -> None:
        tile = tiles[index]
        a_box = _box(layer.a, tile.batch, (tile.first, 0), (tile.stop - tile.first, k))
        stream.load(a_box, a_bufs[slot], LOAD_TAGS[slot])
        if b_bufs:
            stream.load(_b_box(layer, tile.batch, columns), b_bufs[slot], LOAD_TAGS[slot])
        if bias is not None:
            box = _bias_box(bias, tile, columns)
            stream.load(box, bias_bufs[slot][0], LOAD_TAGS[slot])

    def compute(index: int, slot: int) -> None:
        tile = tiles[index]
        count = tile.stop - tile.first
        a = sp_view(a_bufs[slot].addr, (count, k), layer.a.dtype)
        b = weights if weights is not None else b_bufs[slot]
        c = sp_view(acc.addr, (count, width), layer.acc_dtype)
        stream.matmul(a, b, c, layer.mode, layer.zero_points)
        out = sp_view(outs[slot].addr, (count, width), layer.y.dtype)
        tile_bias = None
        if bias is not None:
            box = _bias_box(bias, tile, columns)
            tile_bias = (
                sp_view(bias_bufs[slot][0].addr, box.shape, bias.dtype),
                sp_view(bias_bufs[slot][1].addr, (count, width), acc.dtype),
            )
        layer.epilogue.emit(stream, c, out, table_rows, tile_bias)

    def store(index: int, slot: int) -> None:
        tile = tiles[index]
        count = tile.stop - tile.first
        box = _box(layer.y, tile.batch, (tile.first, columns[0]), (count, width))
        stream.store(outs[slot], box, STORE_TAGS[slot])

    pipeline(stream, len(tiles), load, compute, store)


def _box(
    tensor: DdrTensor, batch: tuple[int, ...], starts: tuple[int, int], sizes: tuple[int, int]
) -> DdrTensor:
    """A 2-D box of `tensor` at batch index `batch` (broadcast axes read index 0)."""
    lead = tuple(i if d != 1 else 0 for i, d in zip(batch, tensor.shape[:-2], strict=True))
    box = tensor.box((*lead, *starts), (*(1 for _ in lead), *sizes))
    return DdrTensor(box.addr, sizes, box.strides[-2:], box.dtype)


def _bias_shape(bias: DdrTensor, height: int, width: int) -> tuple[int, int]:
    return (1 if bias.shape[-2] == 1 else height, 1 if bias.shape[-1] == 1 else width)


def _bias_box(bias: DdrTensor, tile: _Tile, columns: tuple[int, int]) -> DdrTensor:
    """The tile's box of a broadcasting bias (axes of size 1 stay whole)."""
    rows = (0, 1) if bias.shape[-2] == 1 else (tile.first, tile.stop - tile.first)
    cols = (0, 1) if bias.shape[-1] == 1 else (columns[0], columns[1] - columns[0])
    return _box(bias, tile.batch, (rows[0], cols[0]), (rows[1], cols[1]))


def _b_box(layer: MatmulLayer, batch: tuple[int, ...], columns: tuple[int, int]) -> DdrTensor:
    k = layer.b.shape[-2]
    return _box(layer.b, batch, (0, columns[0]), (k, columns[1] - columns[0]))


def _tiles(
    builder: ProgramBuilder, sp: Scratchpad, layer: MatmulLayer, rows: tuple[int, int], width: int
) -> list[_Tile]:
    """The core's rows in tiles (within one batch each) that fit what is left of `sp`."""
    free, aligned = sp.size - sp.used, sp.aligned
    k, m = layer.a.shape[-1], layer.y.shape[-2]
    b_tile = 0 if layer.shared_b else 2 * aligned(nbytes((k, width), layer.b.dtype))

    def need(height: int) -> int:
        a_tile = aligned(nbytes((height, k), layer.a.dtype))
        out = aligned(nbytes((height, width), layer.y.dtype))
        acc = aligned(nbytes((height, width), layer.acc_dtype))
        bias = 0 if layer.bias is None else 2 * acc
        return 2 * (a_tile + out + bias) + acc + b_tile

    count = rows[1] - rows[0]
    height = min(count, m)
    while height > 1 and need(height) > free:
        height = max(1, height * 3 // 4)
    if need(height) > free:
        raise UserError(
            f"node '{sp.node}': one row of the product needs {need(1)} bytes of scratchpad, "
            f"{free} are left"
        )
    moved = nbytes((count, k), layer.a.dtype) + nbytes((count, width), layer.y.dtype)
    rate = builder.target.matrix_macs_per_cycle[layer.mode]
    compute = count * k * width / rate
    compute += epilogue_cycles(builder.target, count * width, layer.epilogue.passes)
    if height >= count >= 2 and worth_pipelining(builder.target, builder.cores, compute, moved):
        height = -(-count // 2)
    tiles: list[_Tile] = []
    flat = rows[0]
    while flat < rows[1]:
        batch_index, row = divmod(flat, m)
        stop = min(m, row + height, row + rows[1] - flat)
        batch = (
            tuple(int(i) for i in np.unravel_index(batch_index, layer.batch)) if layer.batch else ()
        )
        tiles.append(_Tile(batch, row, stop))
        flat += stop - row
    return tiles
