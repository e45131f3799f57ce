"""How a layer's work is cut: contiguous ranges per core, then tiles that fit the scratchpad.

Row-split ops (elementwise, conversions, softmax, data movement) cut their output
along one axis: the shallowest axis whose leading rows give every core work and
whose single row fits a scratchpad slot. A core's rows never cross a change of the
leading indices inside one tile, so every tile is one strided box.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from aicc.base.errors import UserError
from aicc.base.target import Target

PIPELINE_SETUPS = 4
"""Two tiles instead of one cost two more DMA setups and hide about half of the shorter of
compute and transfer; they pay when that half clearly exceeds the extra setups."""

Box = tuple[tuple[int, ...], tuple[int, ...]]
"""(starts, sizes) of a tile in the iteration space."""


def split_range(total: int, parts: int) -> list[tuple[int, int]]:
    """`total` items in at most `parts` balanced contiguous ranges (no empty ones)."""
    parts = max(1, min(parts, total))
    return [(total * k // parts, total * (k + 1) // parts) for k in range(parts)]


def best_split(
    cores: int, rows: int, units: int, cycles: Callable[[int, int], float]
) -> tuple[int, int]:
    """(row parts, unit parts), at most `cores` in all, with the fewest estimated
    `cycles(row parts, unit parts)` on one core; ties keep the row split."""
    best: tuple[float, int, int] | None = None
    for unit_parts in range(1, max(1, min(cores, units)) + 1):
        row_parts = max(1, min(cores // unit_parts, rows))
        estimate = cycles(row_parts, unit_parts)
        if best is None or estimate < best[0]:
            best = (estimate, row_parts, unit_parts)
    assert best is not None
    return best[1], best[2]


def dma_cycles(target: Target, cores: int, moved: float) -> float:
    """Cycles one core's DMA engine needs for `moved` bytes at its share of the bandwidth."""
    return moved * target.clock_hz * cores / target.ddr_bytes_per_second


def epilogue_cycles(target: Target, elements: float, passes: int) -> float:
    """Vector cycles of `passes` ops over `elements` accumulator values (4 bytes wide)."""
    return elements * passes / target.vector_lanes_per_cycle["f32"]


def worth_pipelining(
    target: Target, cores: int, compute: float, moved: float, reread: float = 0.0
) -> bool:
    """Whether a core's work (compute cycles, bytes moved) gains from two tiles, which
    read `reread` more bytes (the rows a window's tiles share): about half of the shorter
    of compute and transfer hides, against two more setups and the extra bytes."""
    transfer = dma_cycles(target, cores, moved + reread)
    hidden = min(compute, transfer) / 2
    added = PIPELINE_SETUPS // 2 * target.dma_setup_cycles
    return hidden > added + dma_cycles(target, cores, reread)


def useful_cores(target: Target, cores: int, moved: int) -> int:
    """How many cores a layer moving `moved` bytes should use: each core's share should
    take longer than the DMA setups it adds (a 256-byte tensor runs on one core)."""
    per_core = PIPELINE_SETUPS * target.dma_setup_cycles
    share = per_core * target.ddr_bytes_per_second // (target.clock_hz * cores)
    return max(1, min(cores, moved // max(1, share)))


def outer_tiles(
    shape: Sequence[int],
    max_axis: int,
    row_bytes: Callable[[int], int],
    slot_bytes: int,
    cores: int,
    node: str,
) -> list[list[Box]]:
    """Per core, the boxes of `shape` it computes; `row_bytes(axis)` is the scratchpad a
    single index of `axis` needs (all operands), which must fit `slot_bytes`."""
    shape = tuple(shape)
    if not shape:  # a scalar: one box, on the first core
        return [[((), ())], *([] for _ in range(cores - 1))]
    axis = 0
    while axis < max_axis and (
        math.prod(shape[: axis + 1]) < cores or row_bytes(axis) > slot_bytes
    ):
        axis += 1
    if row_bytes(axis) > slot_bytes:
        raise UserError(
            f"node '{node}': one row of {row_bytes(axis)} bytes does not fit a "
            f"{slot_bytes}-byte scratchpad slot"
        )
    rows_per_tile = max(1, slot_bytes // max(1, row_bytes(axis)))
    lead, size = shape[:axis], shape[axis]
    rest = shape[axis + 1 :]
    per_core: list[list[Box]] = []
    for first, last in split_range(math.prod(lead) * size, cores):
        tiles: list[Box] = []
        flat = first
        while flat < last:
            lead_index, row = divmod(flat, size)
            stop = min(last, (lead_index + 1) * size, flat + rows_per_tile)
            starts = (
                (*np.unravel_index(lead_index, lead), row, *(0 for _ in rest))
                if lead
                else (row, *(0 for _ in rest))
            )
            sizes = (*(1 for _ in lead), stop - flat, *rest)
            tiles.append((tuple(int(s) for s in starts), sizes))
            flat = stop
        per_core.append(tiles)
    return per_core
