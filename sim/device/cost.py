"""The cost model: per-core compute and DMA timelines, joined at barriers.

Every figure comes from the `Target`:
- a DMA starts when both the core's DMA engine is free and compute has reached it
  (issuing costs compute nothing), and takes `dma_setup_cycles + ceil(bytes * clock_hz
  * cores / ddr_bytes_per_second)`: each core's engine gets an equal share of DDR;
- `aic.wait {tag}` moves compute to the end of the last DMA of that tag issued so far;
- a matrix instruction takes `ceil(padded MACs / matrix_macs_per_cycle[mode])`, with
  M, N and K rounded up to the tile multiples (per group for a grouped conv);
- a vector instruction takes `ceil(elements / vector_lanes_per_cycle[p])`, `p` by the
  widest element of its views (1 byte i8, 2 bytes f16, 4 bytes f32); a pool counts
  every tap;
- a barrier moves every core to the latest compute or DMA end of any core.
The program's time is the latest end on any timeline. The model depends on no data,
so it is computed once per program. `simulate(..., trace=Trace())` also records every
interval of every core's compute and DMA engine, the barriers and the stalls (compute
waiting for a DMA tag or a barrier), for pictures; recording changes no figure.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from aicc.base.target import Target
from aicc.sim.device.decode import Instruction
from aicc.sim.device.report import CostReport, NodeCost

Segments = list[list[list[Instruction]]]
"""[segment between barriers][core] -> that core's instructions in the segment."""


@dataclass(frozen=True)
class Interval:
    """One busy (or stalled) stretch of a core's unit, in cycles."""

    core: int
    lane: str
    """"compute" (matrix and vector), "dma" or "stall" (compute waiting)."""
    start: int
    end: int
    node: str


@dataclass
class Trace:
    """What the cost model did, interval by interval."""

    intervals: list[Interval] = field(default_factory=list[Interval])
    barriers: list[int] = field(default_factory=list[int])
    """The cycle every core reached each barrier."""
    stall_cycles: dict[str, int] = field(default_factory=dict[str, int])
    """Per node, summed over cores: compute cycles spent waiting for DMAs or a barrier."""

    def add(self, core: int, lane: str, start: int, end: int, node: str) -> None:
        if end <= start:
            return
        if lane == "stall":
            self.stall_cycles[node] = self.stall_cycles.get(node, 0) + end - start
        self.intervals.append(Interval(core, lane, start, end, node))


class Layer(NamedTuple):
    """An `aic.layer`: one kernel op's useful work, for its roofline."""

    node: str
    kind: str
    precision: str
    macs: int
    bytes: int


def simulate(
    segments: Segments, layers: list[Layer], target: Target, trace: Trace | None = None
) -> CostReport:
    cores = len(segments[0]) if segments else 0
    timeline = _Timelines(cores, trace)
    for index, segment in enumerate(segments):
        for core, instructions in enumerate(segment):
            for instruction in instructions:
                timeline.step(core, instruction)
        if index + 1 < len(segments):
            last = [instructions[-1].node if instructions else "" for instructions in segment]
            timeline.barrier(last)
    return CostReport(
        target=target.name,
        clock_hz=target.clock_hz,
        cores=target.cores,
        total_cycles=timeline.end(),
        core_busy_cycles=timeline.busy,
        bytes_to_scratchpad=timeline.bytes_in,
        bytes_to_ddr=timeline.bytes_out,
        instructions=dict(timeline.kinds),
        nodes=_nodes(timeline, layers, target),
    )


class _Timelines:
    """The clocks of every core, and what each node and unit accumulated."""

    def __init__(self, cores: int, trace: Trace | None) -> None:
        self.trace = trace
        self.now = [0] * cores
        self.dma_free = [0] * cores
        self.tags: list[dict[int, int]] = [{} for _ in range(cores)]
        self.busy = [0] * cores
        self.bytes_in = 0
        self.bytes_out = 0
        self.kinds: Counter[str] = Counter()
        self.nodes: dict[str, NodeCost] = {}
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def step(self, core: int, instruction: Instruction) -> None:
        self.kinds[instruction.kind] += 1
        unit = instruction.unit
        if unit == "barrier":
            return
        node = self.nodes.setdefault(instruction.node, NodeCost())
        if unit == "wait":
            done = self.tags[core].get(instruction.key, 0)
            if self.trace is not None:
                self.trace.add(core, "stall", self.now[core], done, instruction.node)
            self.now[core] = max(self.now[core], done)
            self._span(instruction.node, self.now[core], self.now[core])
            return
        if unit == "dma":
            start = max(self.dma_free[core], self.now[core])
            end = start + instruction.cycles
            self.dma_free[core] = end
            tags = self.tags[core]
            tags[instruction.key] = max(tags.get(instruction.key, 0), end)
            node.dma_cycles += instruction.cycles
            if instruction.inbound:
                self.bytes_in += instruction.nbytes
            else:
                self.bytes_out += instruction.nbytes
        else:
            start = self.now[core]
            end = start + instruction.cycles
            self.now[core] = end
            self.busy[core] += instruction.cycles
            node.compute_cycles += instruction.cycles
        if self.trace is not None:
            self.trace.add(
                core, "dma" if unit == "dma" else "compute", start, end, instruction.node
            )
        self._span(instruction.node, start, end)

    def _span(self, node: str, start: int, end: int) -> None:
        self.first[node] = min(self.first.get(node, start), start)
        self.last[node] = max(self.last.get(node, end), end)

    def barrier(self, nodes: list[str]) -> None:
        """Every core waits for the others; `nodes[core]` is what each waited in."""
        joined = max(max(self.now, default=0), max(self.dma_free, default=0))
        if self.trace is not None:
            self.trace.barriers.append(joined)
            for core, node in enumerate(nodes):
                self.trace.add(core, "stall", self.now[core], joined, node)
        self.now = [joined] * len(self.now)

    def end(self) -> int:
        return max(max(self.now, default=0), max(self.dma_free, default=0))


def _nodes(timeline: _Timelines, layers: list[Layer], target: Target) -> dict[str, NodeCost]:
    """Per node, in layer order then first appearance, with spans and rooflines."""
    nodes: dict[str, NodeCost] = {}
    for layer in layers:
        cost = timeline.nodes.get(layer.node, NodeCost())
        precision = layer.precision
        seconds = target.roofline_seconds(
            layer.macs,
            layer.bytes,
            precision,  # pyright: ignore[reportArgumentType]
        )
        cost.kind, cost.precision = layer.kind, precision
        # Rounded first so that float noise never adds a cycle to an exact figure.
        cost.roofline_cycles = math.ceil(round(seconds * target.clock_hz, 6))
        nodes[layer.node] = cost
    for name, cost in timeline.nodes.items():
        nodes.setdefault(name, cost)
    for name, cost in nodes.items():
        cost.span_cycles = timeline.last.get(name, 0) - timeline.first.get(name, 0)
    return nodes
