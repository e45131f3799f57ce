"""aicc-fuzz in CI: a fixed-seed run over a fixed number of graphs, every oracle, no
finding. Split into chunks so that `pytest -n 2` spreads it over both workers; graph
`i` is the same whichever chunk runs it."""

from __future__ import annotations

import pytest

from aicc.fuzz.runner import FuzzOptions, run_fuzz

SEED = 1
CHUNKS = 4
GRAPHS_PER_CHUNK = 12
MAX_NODES = 20


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_fixed_seed_run_has_no_findings(chunk: int) -> None:
    options = FuzzOptions(
        seed=SEED, start=chunk * GRAPHS_PER_CHUNK, count=GRAPHS_PER_CHUNK, max_nodes=MAX_NODES
    )
    summary = run_fuzz(options)
    assert len(summary.results) == GRAPHS_PER_CHUNK
    assert not summary.findings, "\n".join(
        f"graph {r.index} (seed {r.seed}), oracle {n}: {d}" for r, n, d in summary.findings
    )
