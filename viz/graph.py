"""The compiled graph as a picture: DOT with the simulator's figures, or SVG from it."""

from __future__ import annotations

import shutil
from pathlib import Path

from aicc.base.errors import UserError, warn
from aicc.base.files import check_output_file, write_atomically
from aicc.base.target import Target
from aicc.dialects.op_graph import CostNote, OpGraph, to_dot
from aicc.sim.device import CostReport, Layer
from aicc.viz.extra import import_plot_module


def cost_notes(report: CostReport, layers: list[Layer], target: Target) -> dict[str, CostNote]:
    """Per simulator node: its span, its roofline ratio and whether DDR bounds it."""
    bound = {
        layer.node: target.memory_bound(
            layer.macs,
            layer.bytes,
            layer.precision,  # pyright: ignore[reportArgumentType]
        )
        for layer in layers
    }
    return {
        name: CostNote(cost.span_cycles, cost.ratio, bound.get(name, False))
        for name, cost in report.nodes.items()
    }


def check_graph_file(path: Path) -> None:
    """Refuse, before compiling, a path `write_graph` could not write."""
    check_output_file(path)
    if path.suffix.lower() == ".svg":
        import_plot_module("graphviz", f"-dump-graph={path}")
        check_output_file(path.with_suffix(".dot"))


def write_graph(path: Path, graph: OpGraph, notes: dict[str, CostNote] | None) -> Path:
    """Write `graph` to `path`: SVG when it ends in `.svg` and Graphviz's `dot` is
    installed, else DOT (beside it as `.dot`, with a warning, when SVG was asked for).
    Returns the file written."""
    text = to_dot(graph, notes)
    if path.suffix.lower() != ".svg":
        write_atomically(path, text)
        return path
    graphviz = import_plot_module("graphviz", f"-dump-graph={path}")
    if shutil.which("dot") is None:
        dot_path = path.with_suffix(".dot")
        write_atomically(dot_path, text)
        warn(
            f"-dump-graph={path}: Graphviz's dot program is not installed; wrote {dot_path}, "
            f"render it with: dot -Tsvg {dot_path} -o {path}"
        )
        return dot_path
    try:
        svg = graphviz.Source(text).pipe(format="svg")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as e:
        raise UserError(f"-dump-graph={path}: cannot run Graphviz: {e}") from None
    write_atomically(path, svg)
    return path
