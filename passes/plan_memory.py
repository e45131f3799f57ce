"""Pass `plan-memory`: give every kernel buffer a DDR offset.

The DDR image is `[inputs | outputs | constants | activations]`; every base is
aligned to the target's `alignment.ddr_bytes` and every size rounded up to it.
Inputs are `@main`'s arguments and outputs the buffers it returns (their offsets
go to the `aicc.offset` arg/result attributes; a returned `kernel.alloc` also
gets `offset`). Constants get one slot per blob. The other `kernel.alloc`s are
activations: each is live from the first op that touches it to the last one,
and activations whose live ranges do not overlap share space. Placement is
best-fit over the free blocks as ops go by (freed blocks coalesce with their
neighbours), O(n log n) in the number of buffers for the searches.

`@main` gets `aicc.ddr_bytes` (the whole image) and `aicc.peak_activation_bytes`
(the activation region), and a remark reports the peak against the bytes that
the activations would take without reuse.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, IntegerAttr, MemRefType, ModuleOp, i64
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, SSAValue
from xdsl.passes import ModulePass

from aicc.base.errors import UserError, remark
from aicc.base.target import load_target
from aicc.dialects.aicc import DDR_BYTES_ATTR, OFFSET_ATTR, PEAK_ATTR
from aicc.dialects.graph import main_func
from aicc.dialects.kernel import AllocOp, ConstOp, buffer_bytes


def align(n: int, alignment: int) -> int:
    return -(-n // alignment) * alignment


@dataclass(frozen=True)
class Interval:
    """An activation buffer: its live range over op indices and its aligned size."""

    start: int
    end: int
    size: int
    alloc: AllocOp


@dataclass
class FreeList:
    """Free blocks of the activation region: best-fit by size, coalesced by address."""

    alignment: int
    top: int = 0
    by_size: list[tuple[int, int]] = field(default_factory=list[tuple[int, int]])
    by_start: dict[int, int] = field(default_factory=dict[int, int])
    by_end: dict[int, int] = field(default_factory=dict[int, int])

    def _add(self, start: int, size: int) -> None:
        bisect.insort(self.by_size, (size, start))
        self.by_start[start] = size
        self.by_end[start + size] = start

    def _remove(self, start: int) -> int:
        size = self.by_start.pop(start)
        del self.by_end[start + size]
        del self.by_size[bisect.bisect_left(self.by_size, (size, start))]
        return size

    def take(self, size: int) -> int:
        """The offset of a new block of `size` bytes (best fit, else at the top)."""
        index = bisect.bisect_left(self.by_size, (size, -1))
        if index < len(self.by_size):
            block_size, start = self.by_size[index]
            self._remove(start)
            if block_size > size:
                self._add(start + size, block_size - size)
            return start
        start = self.by_end.get(self.top, self.top)
        if start != self.top:
            self._remove(start)
        self.top = start + size
        return start

    def give(self, start: int, size: int) -> None:
        """Returns a block, merged with the free blocks around it."""
        before = self.by_end.get(start)
        if before is not None:
            size += self._remove(before)
            start = before
        if start + size in self.by_start:
            size += self._remove(start + size)
        self._add(start, size)


def plan_activations(intervals: list[Interval], alignment: int) -> tuple[dict[AllocOp, int], int]:
    """Offsets (relative to the activation base) and the region's size."""
    free = FreeList(alignment)
    ending: list[tuple[int, int, int]] = []  # a heap of (last use, offset, size)
    offsets: dict[AllocOp, int] = {}
    for interval in sorted(intervals, key=lambda i: (i.start, -i.size)):
        while ending and ending[0][0] < interval.start:
            _, start, size = heapq.heappop(ending)
            free.give(start, size)
        offset = free.take(interval.size)
        offsets[interval.alloc] = offset
        heapq.heappush(ending, (interval.end, offset, interval.size))
    return offsets, free.top


@dataclass(frozen=True)
class PlanMemoryPass(ModulePass):
    """Assigns DDR offsets to inputs, outputs, constants and (with reuse) activations."""

    name = "plan-memory"

    target: str = ""
    """Target description file; "" is the shipped default."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        alignment = load_target(Path(self.target) if self.target else None).alignment.ddr_bytes
        Planner(main_func(op), alignment).run()


class Planner:
    """Lays out one function's buffers."""

    def __init__(self, func: FuncOp, alignment: int) -> None:
        self.func = func
        self.alignment = alignment
        self.cursor = 0

    def _place(self, memref: Attribute) -> int:
        if not isinstance(memref, MemRefType):
            raise UserError(
                f"plan-memory: @main passes {memref}, not a buffer: run lower-onnx-to-kernel first"
            )
        offset = self.cursor
        self.cursor = align(offset + buffer_bytes(memref), self.alignment)
        return offset

    def run(self) -> None:
        block = self.func.body.block
        ret = block.last_op
        assert isinstance(ret, ReturnOp), "@main must end with func.return"
        arg_offsets = [self._place(arg.type) for arg in block.args]
        outputs: dict[SSAValue, int] = {}
        for value in ret.arguments:
            if value not in outputs:
                outputs[value] = self._place(value.type)
                if isinstance(value.owner, AllocOp):
                    value.owner.offset = IntegerAttr(outputs[value], i64)
        self._place_constants()
        base = self.cursor
        intervals = self._intervals(set(outputs))
        offsets, peak = plan_activations(intervals, self.alignment)
        for alloc, offset in offsets.items():
            alloc.offset = IntegerAttr(base + offset, i64)
        total = base + peak
        self.func.arg_attrs = _with_offsets(self.func.arg_attrs, arg_offsets)
        self.func.res_attrs = _with_offsets(
            self.func.res_attrs, [outputs[v] for v in ret.arguments]
        )
        self.func.attributes[DDR_BYTES_ATTR] = IntegerAttr(total, i64)
        self.func.attributes[PEAK_ATTR] = IntegerAttr(peak, i64)
        unshared = sum(i.size for i in intervals)
        remark(
            f"plan-memory: peak activation memory {peak} bytes ({len(intervals)} buffers, "
            f"{unshared} bytes without reuse); DDR image {total} bytes"
        )

    def _place_constants(self) -> None:
        by_key: dict[str, int] = {}
        for op in self.func.body.block.ops:
            if not isinstance(op, ConstOp):
                continue
            key = op.resource.key
            if key not in by_key:
                by_key[key] = self._place(op.result.type)
            op.offset = IntegerAttr(by_key[key], i64)

    def _intervals(self, outputs: set[SSAValue]) -> list[Interval]:
        first: dict[AllocOp, int] = {}
        last: dict[AllocOp, int] = {}
        allocs: list[AllocOp] = []
        for index, op in enumerate(self.func.body.block.ops):
            if isinstance(op, AllocOp) and op.result not in outputs:
                allocs.append(op)
                first[op] = last[op] = index
            for operand in op.operands:
                owner = operand.owner
                if isinstance(owner, AllocOp):
                    last[owner] = index
        intervals: list[Interval] = []
        for alloc in allocs:
            size = align(buffer_bytes(alloc.result.type), self.alignment)
            intervals.append(Interval(first[alloc], last[alloc], size, alloc))
        return intervals


def _with_offsets(
    attrs: ArrayAttr[DictionaryAttr] | None, offsets: list[int]
) -> ArrayAttr[DictionaryAttr]:
    """Arg/result attribute dictionaries with `aicc.offset` set."""
    old = attrs.data if attrs is not None else [DictionaryAttr({})] * len(offsets)
    return ArrayAttr(
        [
            DictionaryAttr({**d.data, OFFSET_ATTR: IntegerAttr(offset, i64)})
            for d, offset in zip(old, offsets, strict=True)
        ]
    )
