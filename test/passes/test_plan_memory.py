"""plan-memory's activation placement on random live ranges (hypothesis), checked by brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.dialects.builtin import MemRefType, f32

from aicc.dialects.kernel import AllocOp
from aicc.passes.plan_memory import Interval, plan_activations

ALIGNMENT = 64


@st.composite
def live_ranges(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    """(start, length, size in alignment units) per buffer."""
    count = draw(st.integers(1, 40))
    return [
        (draw(st.integers(0, 60)), draw(st.integers(0, 8)), draw(st.integers(1, 6)))
        for _ in range(count)
    ]


@settings(max_examples=200, deadline=None)
@given(live_ranges())
def test_buffers_live_together_never_share_a_byte(ranges: list[tuple[int, int, int]]) -> None:
    alloc = AllocOp(MemRefType(f32, [1]), "rowmajor")
    intervals = [
        Interval(start, start + length, size * ALIGNMENT, alloc.clone())
        for start, length, size in ranges
    ]
    offsets, peak = plan_activations(intervals, ALIGNMENT)
    lo = np.array([offsets[i.alloc] for i in intervals])
    hi = lo + np.array([i.size for i in intervals])
    first = np.array([i.start for i in intervals])
    last = np.array([i.end for i in intervals])
    assert (lo % ALIGNMENT == 0).all() and (lo >= 0).all() and hi.max() == peak
    space = (lo[:, None] < hi[None, :]) & (lo[None, :] < hi[:, None])
    time = (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
    assert not (space & time & ~np.eye(len(intervals), dtype=bool)).any()
    # The region holds at least what is live at the busiest op, and at most everything.
    busiest = max(sum(i.size for i in intervals if i.start <= t <= i.end) for t in range(0, 70))
    assert busiest <= peak <= sum(i.size for i in intervals)
