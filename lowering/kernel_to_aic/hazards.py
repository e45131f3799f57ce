"""Where the lowering places barriers: the DDR regions layers read and write.

A layer that reads what an earlier layer since the last barrier wrote, or
overwrites what one touched, waits for a barrier on every core; independent layers
(the copies of a Concat, parallel branches) share one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.ir import SSAValue

from aicc.lowering.kernel_to_aic.program import ProgramBuilder


@dataclass(frozen=True)
class Region:
    """What a layer reads or writes: a box of a row-major DDR buffer."""

    addr: int
    shape: tuple[int, ...]
    itemsize: int
    starts: tuple[int, ...]
    sizes: tuple[int, ...]

    @staticmethod
    def of(builder: ProgramBuilder, value: SSAValue) -> Region:
        tensor = builder.tensor(value)
        rank = len(tensor.shape)
        return Region(tensor.addr, tensor.shape, tensor.dtype.itemsize, (0,) * rank, tensor.shape)

    def box(self, starts: Sequence[int], sizes: Sequence[int]) -> Region:
        return Region(self.addr, self.shape, self.itemsize, tuple(starts), tuple(sizes))

    @property
    def extent(self) -> tuple[int, int]:
        """[first byte, end) of the whole buffer."""
        return self.addr, self.addr + math.prod(self.shape) * self.itemsize

    def overlaps(self, other: Region) -> bool:
        first, end = self.extent
        other_first, other_end = other.extent
        if not (first < other_end and other_first < end):
            return False
        if (self.addr, self.shape, self.itemsize) != (other.addr, other.shape, other.itemsize):
            return True  # buffers aliasing under other shapes: assume they touch
        return all(
            a < b + m and b < a + n
            for a, n, b, m in zip(self.starts, self.sizes, other.starts, other.sizes, strict=True)
        )


@dataclass
class Hazards:
    """DDR regions read and written since the last barrier. A layer that reads what an
    earlier one wrote, or writes what an earlier one touched, must wait for a barrier;
    independent layers (the copies of a Concat, parallel branches) share one."""

    reads: list[Region] = field(default_factory=list[Region])
    writes: list[Region] = field(default_factory=list[Region])

    def conflict(self, reads: list[Region], write: Region) -> bool:
        if len(self.writes) >= MAX_LAYERS_PER_BARRIER:
            return True
        touched = [*self.reads, *self.writes]
        return any(r.overlaps(w) for r in reads for w in self.writes) or any(
            write.overlaps(t) for t in touched
        )

    def add(self, reads: list[Region], write: Region) -> None:
        self.reads.extend(reads)
        self.writes.append(write)


MAX_LAYERS_PER_BARRIER = 32
"""Bounds the hazard checks (linear in graph size) and the layers between barriers."""
