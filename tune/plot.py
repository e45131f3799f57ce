"""pareto.png: simulated cycles against worst output SQNR (matplotlib, Agg backend).

matplotlib is the optional `plot` extra; without it the picture is skipped, and
the caller says which extra to install.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from aicc.base.files import write_atomically


class _Point(Protocol):
    @property
    def cycles(self) -> int: ...
    @property
    def worst_sqnr_db(self) -> float: ...


PLOT_EXTRA = "pip install 'aicc[plot]'"


def plot_frontier(
    points: Sequence[_Point],
    baselines: Mapping[str, _Point],
    chosen: _Point | None,
    target_sqnr_db: float | None,
    max_cycles: int | None,
    path: Path,
) -> bool:
    """Draw the frontier, the baselines, the chosen point and the target into `path`;
    False without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def sqnr(db: float) -> float:
        return db if math.isfinite(db) else 200.0

    figure, axes = plt.subplots(figsize=(5, 3.5), dpi=80)
    xs = [p.cycles for p in points]
    ys = [sqnr(p.worst_sqnr_db) for p in points]
    axes.plot(xs, ys, "o-", label="frontier")
    for name, point in baselines.items():
        axes.plot([point.cycles], [sqnr(point.worst_sqnr_db)], "s", label=name)
    if chosen is not None:
        axes.plot([chosen.cycles], [sqnr(chosen.worst_sqnr_db)], "*", markersize=14, label="chosen")
    if target_sqnr_db is not None:
        axes.axhline(target_sqnr_db, linestyle="--", color="gray", label="target")
    if max_cycles is not None:
        axes.axvline(max_cycles, linestyle="--", color="gray", label="target")
    axes.set_xlabel("simulated cycles")
    axes.set_ylabel("worst output SQNR vs FP32 (dB)")
    axes.legend(fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    # No timestamp in the file, so the same frontier gives the same bytes.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    write_atomically(path, buffer.getvalue())
    return True
