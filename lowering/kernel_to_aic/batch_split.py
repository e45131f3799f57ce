"""Splitting a sliding-window layer's batch across cores, where that is cheaper than rows.

A window layer's output rows (batch x OH) are cut into one contiguous range per core.
A range that starts or ends inside an image re-reads the window's halo rows there, and
each image piece of a range costs its own DMA setups. Giving every core whole images
(the output channels cut among the cores that share an image range) avoids both, at
the price of idle cores when the batch does not divide among them. `split_rows`
estimates the busiest core's cycles of both kinds of split from the rows each core
actually loads, and keeps the row split on ties: a batch of 1 is always split by rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import DdrTensor
from aicc.lowering.kernel_to_aic.tiling import dma_cycles, split_range


class _Window(Protocol):
    def in_rows(self, first: int, stop: int) -> tuple[int, int]: ...


class WindowLayer(Protocol):
    """What the estimate reads of `aicc.lowering.kernel_to_aic.windows.WindowLayer`."""

    @property
    def x(self) -> DdrTensor: ...
    @property
    def y(self) -> DdrTensor: ...
    @property
    def window(self) -> _Window: ...
    @property
    def in_per_unit(self) -> int: ...
    @property
    def out_per_unit(self) -> int: ...
    @property
    def macs(self) -> int: ...
    @property
    def rate(self) -> int: ...


Ranges = list[tuple[int, int]]
"""Per core-row part, a range of flat output rows (batch x OH)."""


@dataclass(frozen=True)
class _Costing:
    """What a core's estimate needs of the layer."""

    builder: ProgramBuilder
    layer: WindowLayer
    const_bytes: int
    """The constants of all output channels (weights and channel table)."""
    units: int

    def pieces(self, rows: tuple[int, int]) -> list[tuple[int, int]]:
        """The range's (first, stop) output rows within each image it touches."""
        oh = self.layer.y.shape[1]
        pieces: list[tuple[int, int]] = []
        flat = rows[0]
        while flat < rows[1]:
            row = flat % oh
            stop = min(oh, row + rows[1] - flat)
            pieces.append((row, stop))
            flat += stop - row
        return pieces

    def core_cycles(self, rows: tuple[int, int], unit_parts: int) -> float:
        layer, target = self.layer, self.builder.target
        n, h = layer.x.shape[0], layer.x.shape[1]
        total_rows = n * layer.y.shape[1]
        unit_share = -(-self.units // unit_parts) / self.units
        pieces = self.pieces(rows)
        loaded = 0
        for first, stop in pieces:
            top, bottom = layer.window.in_rows(first, stop)
            loaded += max(0, min(bottom, h) - max(top, 0))
        in_bytes = layer.x.nbytes * loaded / (n * h)
        if layer.in_per_unit:
            in_bytes *= unit_share
        share = (rows[1] - rows[0]) / total_rows * unit_share
        moved = in_bytes + self.const_bytes * unit_share + layer.y.nbytes * share
        compute = layer.macs * share / layer.rate
        setups = 2 * len(pieces) * target.dma_setup_cycles
        return dma_cycles(target, self.builder.cores, moved) + compute + setups

    def busiest(self, ranges: Ranges, unit_parts: int) -> float:
        return max(self.core_cycles(rows, unit_parts) for rows in ranges)


def split_rows(
    builder: ProgramBuilder,
    layer: WindowLayer,
    split: tuple[int, int],
    const_bytes: int,
) -> tuple[Ranges, int]:
    """The row ranges and channel-unit parts of the layer: the row split `split` (row
    parts, unit parts), or whole images per core where the estimate is lower."""
    n, oh, channels = layer.y.shape[0], layer.y.shape[1], layer.y.shape[3]
    row_parts, unit_parts = split
    rows = split_range(n * oh, row_parts)
    if n == 1:
        return rows, unit_parts
    units = -(-channels // layer.out_per_unit)
    costing = _Costing(builder, layer, const_bytes, units)
    best = (costing.busiest(rows, unit_parts), rows, unit_parts)
    for parts in range(1, min(builder.cores, units) + 1):
        images = split_range(n, builder.cores // parts)
        ranges = [(first * oh, stop * oh) for first, stop in images]
        estimate = costing.busiest(ranges, parts)
        if estimate < best[0]:
            best = (estimate, ranges, parts)
    return best[1], best[2]
