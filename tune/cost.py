"""The cycle model of a precision assignment, from the lowering and the device cost model.

The model is lowered twice, all INT8 and all FP16, and the device cost model
(`aicc.sim.device`, which needs no data) prices every kernel in both programs. An
assignment costs the span of each kernel in its precision, the kernels that are no
candidate as in the INT8 program, and one conversion per tensor that crosses from
one precision to the other: a vector pass at the FP16 rate over its elements on
every core, plus one DMA in and one out of its INT8 and FP16 bytes. No candidate
set is simulated in full; the frontier's points are (`aicc.tune.search`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aicc.base.target import Target
from aicc.tune.sensitivity import Group

_CONVERT_BYTES_PER_ELEMENT = 3
"""One INT8 byte and two FP16 bytes move per converted element."""


@dataclass(frozen=True)
class CostModel:
    """Cycles per kernel in each precision and per boundary conversion."""

    int8: Mapping[str, int]
    fp16: Mapping[str, int]
    fixed: int
    """The kernels that are no candidate, as in the INT8 program."""
    convert: Mapping[str, int]
    """Per group: cycles of converting its output to the other precision."""
    groups: tuple[Group, ...]

    def cycles(self, fp16: frozenset[str]) -> int:
        total = self.fixed
        for group in self.groups:
            mine = group.key in fp16
            total += self.fp16[group.key] if mine else self.int8[group.key]
            if any((c in fp16) != mine for c in group.consumers):
                total += self.convert[group.key]
        return total


def convert_cycles(elements: int, target: Target) -> int:
    """A boundary conversion of `elements` values spread over every core."""
    per_core = math.ceil(elements / target.cores)
    vector = math.ceil(per_core / target.vector_lanes_per_cycle["f16"])
    transfers = target.dma_cycles(per_core * _CONVERT_BYTES_PER_ELEMENT * target.cores)
    return vector + transfers + target.dma_setup_cycles


def cost_model(
    groups: Sequence[Group],
    int8_spans: Mapping[str, int],
    fp16_spans: Mapping[str, int],
    target: Target,
) -> CostModel:
    """The model from each program's per-kernel spans (`CostReport.nodes[k].span_cycles`)."""
    keys = {g.key for g in groups}
    fixed = sum(span for key, span in int8_spans.items() if key not in keys)
    fp16 = {g.key: fp16_spans.get(g.key, int8_spans[g.key]) for g in groups}
    convert = {g.key: convert_cycles(g.elements, target) for g in groups}
    return CostModel(dict(int8_spans), fp16, fixed, convert, tuple(groups))
