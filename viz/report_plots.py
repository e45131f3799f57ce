"""The cost report as pictures: roofline, per-core timeline and cycles per layer.

Each picture is drawn from a JSON document that is written beside it, so what is
plotted can be read back and checked against the report:
- `roofline.json`: per `aic.layer`, its MACs and compulsory DDR bytes, operational
  intensity (MACs per byte), achieved throughput (MACs over its span) and whether
  DDR sets its bound; the target's peak MAC rates and DDR bandwidth (the roofs);
- `timeline.json`: per core, the compute, DMA and stall intervals (consecutive
  intervals of one node joined), and the cycle of every barrier;
- `layers.json`: per node, compute, DMA and stall cycles summed over cores, and its span.
Figures use matplotlib's object API on the Agg canvas: no display, no global state.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from aicc.base.files import write_files_atomically
from aicc.base.precision import PRECISIONS
from aicc.base.target import Target
from aicc.dialects.op_graph import MEMORY_BOUND_COLOR, PRECISION_COLORS, PRECISION_NAMES
from aicc.sim.device import CostReport, Layer, Trace
from aicc.viz.extra import import_plot_module

PICTURES = ("roofline", "timeline", "layers")
LANE_COLORS = {"compute": "#4c72b0", "dma": "#dd8452", "stall": "#d9d9d9"}
_DPI = 100


def roofline_data(report: CostReport, layers: list[Layer], target: Target) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    for layer in layers:
        name, macs, nbytes = layer.node, layer.macs, layer.bytes
        precision = layer.precision
        cost = report.nodes.get(name)
        span = cost.span_cycles if cost is not None else 0
        seconds = span / report.clock_hz
        nodes.append(
            {
                "node": name,
                "kind": layer.kind,
                "precision": precision,
                "macs": macs,
                "bytes": nbytes,
                "intensity": macs / nbytes if nbytes else None,
                "span_cycles": span,
                "achieved_macs_per_second": macs / seconds if seconds else None,
                "roofline_cycles": cost.roofline_cycles if cost is not None else 0,
                "ratio": cost.ratio if cost is not None else None,
                "memory_bound": target.memory_bound(macs, nbytes, precision),  # pyright: ignore[reportArgumentType]
            }
        )
    return {
        "target": report.target,
        "clock_hz": report.clock_hz,
        "cores": report.cores,
        "ddr_bytes_per_second": target.ddr_bytes_per_second,
        "peak_macs_per_second": {p: target.macs_per_second(p) for p in PRECISIONS},
        "nodes": nodes,
    }


def timeline_data(report: CostReport, trace: Trace) -> dict[str, Any]:
    lanes: dict[str, list[list[Any]]] = {"compute": [], "dma": [], "stall": []}
    open_: dict[tuple[int, str], list[Any]] = {}
    for interval in sorted(trace.intervals, key=lambda i: (i.core, i.lane, i.start)):
        key = (interval.core, interval.lane)
        last = open_.get(key)
        if last is not None and last[2] == interval.start and last[3] == interval.node:
            last[2] = interval.end
            continue
        entry = [interval.core, interval.start, interval.end, interval.node]
        lanes[interval.lane].append(entry)
        open_[key] = entry
    return {
        "total_cycles": report.total_cycles,
        "cores": report.cores,
        "barriers": list(trace.barriers),
        "intervals": lanes,
        "columns": ["core", "start", "end", "node"],
    }


def layers_data(report: CostReport, trace: Trace) -> dict[str, Any]:
    return {
        "nodes": [
            {
                "node": name,
                "compute_cycles": cost.compute_cycles,
                "dma_cycles": cost.dma_cycles,
                "stall_cycles": trace.stall_cycles.get(name, 0),
                "span_cycles": cost.span_cycles,
            }
            for name, cost in report.nodes.items()
        ]
    }


def write_plots(
    directory: Path, report: CostReport, trace: Trace, layers: list[Layer], target: Target
) -> list[Path]:
    """Draw the three pictures and their JSON into `directory` (which must exist)."""
    figure_class = import_plot_module("matplotlib.figure", "--plot").Figure
    data = {
        "roofline": roofline_data(report, layers, target),
        "timeline": timeline_data(report, trace),
        "layers": layers_data(report, trace),
    }
    draw = {"roofline": _roofline, "timeline": _timeline, "layers": _layers}
    files: dict[Path, str | bytes] = {}
    for name in PICTURES:
        figure = figure_class(figsize=(9, 5.5), dpi=_DPI, layout="constrained")
        draw[name](figure, data[name])
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=_DPI)
        files[directory / f"{name}.png"] = png.getvalue()
        files[directory / f"{name}.json"] = json.dumps(data[name], indent=1, sort_keys=True) + "\n"
    write_files_atomically(files)
    return sorted(files)


def _short(node: str) -> str:
    return node.replace(",", " + ")


def _roofline(figure: Any, data: dict[str, Any]) -> None:
    axes = figure.add_subplot()
    points = [n for n in data["nodes"] if n["intensity"] and n["achieved_macs_per_second"]]
    low = min((n["intensity"] for n in points), default=1.0) / 4
    high = max((n["intensity"] for n in points), default=1.0) * 4
    bandwidth = data["ddr_bytes_per_second"]
    used = sorted({n["precision"] for n in points}, key=PRECISIONS.index) or list(PRECISIONS)
    # Past the highest ridge point, so every compute roof shows.
    high = max(high, *(data["peak_macs_per_second"][p] / bandwidth * 4 for p in used))
    for precision in used:
        peak = data["peak_macs_per_second"][precision]
        ridge = peak / bandwidth
        xs = [low, *([ridge] if low < ridge < high else []), high]
        axes.plot(
            xs,
            [min(peak, bandwidth * x) for x in xs],
            color=PRECISION_COLORS[precision],
            linewidth=2,
            label=f"{PRECISION_NAMES[precision]} roof ({peak / 1e12:.3g} TMAC/s)",
        )
    for node in points:
        color = PRECISION_COLORS.get(node["precision"], "#777777")
        edge = MEMORY_BOUND_COLOR if node["memory_bound"] else "black"
        axes.scatter(
            node["intensity"],
            node["achieved_macs_per_second"],
            color=color,
            edgecolors=edge,
            linewidths=2 if node["memory_bound"] else 0.8,
            marker="v" if node["memory_bound"] else "o",
            s=60,
            zorder=3,
        )
        axes.annotate(
            _short(node["node"]),
            (node["intensity"], node["achieved_macs_per_second"]),
            textcoords="offset points",
            xytext=(5, 4),
            fontsize=7,
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("operational intensity (MACs per DDR byte)")
    axes.set_ylabel("achieved MACs per second")
    axes.set_title(
        f"roofline: {data['target']}, {data['cores']} cores, "
        f"DDR {bandwidth / 1e9:g} GB/s (v, red edge: memory-bound)"
    )
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")


def _timeline(figure: Any, data: dict[str, Any]) -> None:
    axes = figure.add_subplot()
    rows = {"compute": 0.05, "stall": 0.05, "dma": 0.5}
    for lane, entries in data["intervals"].items():
        bars: dict[int, list[tuple[int, int]]] = {}
        for core, start, end, _ in entries:
            bars.setdefault(core, []).append((start, end - start))
        for core, spans in bars.items():
            axes.broken_barh(
                spans, (core + rows[lane], 0.4), facecolors=LANE_COLORS[lane], linewidth=0
            )
    for cycle in data["barriers"]:
        axes.axvline(cycle, color="black", linestyle=":", linewidth=0.6)
    cores = data["cores"]
    axes.set_yticks([core + 0.5 for core in range(cores)], [f"core {c}" for c in range(cores)])
    axes.tick_params(axis="y", labelsize=7)
    axes.set_ylim(cores, 0)
    axes.set_xlim(0, max(data["total_cycles"], 1))
    axes.set_xlabel("cycle")
    axes.set_title(
        f"timeline: {data['total_cycles']} cycles; per core compute (top), DMA (bottom), "
        "barriers dotted"
    )
    patch = import_plot_module("matplotlib.patches", "--plot").Patch
    handles = [patch(color=LANE_COLORS[lane], label=label) for lane, label in _LANE_LABELS.items()]
    axes.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


_LANE_LABELS = {"compute": "compute", "dma": "DMA", "stall": "compute stalled"}


def _layers(figure: Any, data: dict[str, Any]) -> None:
    axes = figure.add_subplot()
    nodes = data["nodes"]
    names = [_short(n["node"]) for n in nodes]
    left = [0] * len(nodes)
    for part, label in (("compute", "compute"), ("dma", "DMA"), ("stall", "stall")):
        values = [n[f"{part}_cycles"] for n in nodes]
        axes.barh(names, values, left=left, color=LANE_COLORS[part], label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.tick_params(axis="y", labelsize=7)
    axes.set_xlabel("cycles, summed over cores")
    axes.set_title("cycles per node: compute, DMA and stall")
    axes.legend(fontsize=8, loc="lower right")
