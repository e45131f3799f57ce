"""Pictures: `aicc-compile -dump-graph`, `aicc-run --plot` and the cost model's trace.

The mixed flow (INT8 from a profile, conv0/bn0/relu0 in FP16, converts in FP32) is
compiled once; its graph is parsed back with pydot and every picture is rendered on
matplotlib's Agg canvas, each checked against the JSON cost report of the same run.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Any

import pydot
import pytest
from conftest import assert_one_line, run_in_process, run_ok
from tiny_cnn_flow import make_flow
from xdsl.dialects.builtin import Float16Type, Float32Type, ModuleOp

import aicc.viz.graph
from aicc.api import lower_to_device, read_bundle
from aicc.dialects.kernel import KernelOp
from aicc.dialects.op_graph import PRECISION_COLORS, GraphNode, OpGraph
from aicc.dialects.quant import UniformQuantizedType
from aicc.sim.device.cost import Trace, simulate
from aicc.tools import aicc_compile, aicc_run
from aicc.viz.extra import INSTALL_PLOT
from aicc.viz.graph import write_graph
from aicc.viz.report_plots import PICTURES

# pydot's parser calls pyparsing's old spellings.
pytestmark = pytest.mark.filterwarnings("ignore:'setParseAction' deprecated")

MIXED = ["-m=model.onnx", "-node-precision-info=node_precision.yaml"]
PNG_SIZE = (900, 550)


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mixed bundle `b`, its graph `g.dot`, its pictures in `p/` and report `r.json`."""
    directory = make_flow(tmp_path_factory.mktemp("pictures"))
    run_ok(
        "aicc-compile", *MIXED, "-input-list-file=list.txt", "-dump-profile=pgq.yaml", cwd=directory
    )
    out = run_ok(
        "aicc-compile", *MIXED, "-load-profile=pgq.yaml", "-aic-binary-dir=b", "-dump-graph=g.dot",
        cwd=directory,
    )  # fmt: skip
    assert "Graph written to g.dot" in out
    run_ok(
        "aicc-run", "-t", "b", "-i", "in0.npy", "--write-output-dir=out", "--plot=p",
        "--report-file=r.json", cwd=directory,
    )  # fmt: skip
    return directory


def _report(flow: Path) -> dict[str, Any]:
    return json.loads((flow / "r.json").read_text())


def _unquote(text: str | None) -> str:
    assert text is not None
    return text.strip('"').replace("\\n", "\n")


def _dot(path: Path) -> pydot.Dot:
    graphs = pydot.graph_from_dot_file(str(path))
    assert graphs is not None and len(graphs) == 1
    return graphs[0]


def _kernel_ops(flow: Path) -> list[KernelOp]:
    bundle = read_bundle(flow / "b")
    kernel: list[ModuleOp] = []

    def keep(name: str, module: ModuleOp) -> None:
        if name == "lower-onnx-to-kernel":
            kernel.append(module.clone())

    lower_to_device(bundle.model(), bundle.target(), after_pass=keep)
    return [op for op in kernel[0].walk() if isinstance(op, KernelOp)]


def _precision(op: KernelOp) -> str:
    element = op.out_type().get_element_type()
    if isinstance(element, UniformQuantizedType):
        return "i8"
    return {Float32Type: "f32", Float16Type: "f16"}[type(element)]


def test_graph_has_one_node_per_kernel_op_coloured_by_precision(flow: Path) -> None:
    graph = _dot(flow / "g.dot")
    nodes = {
        _unquote(node.get_name()): node
        for node in graph.get_nodes()
        if node.get_name() not in ("node", "edge")
        and not _unquote(node.get_name()).startswith(("input ", "output "))
    }
    ops = _kernel_ops(flow)
    assert len(nodes) == len(ops)
    seen: set[str] = set()
    for op in ops:
        name = op.names[0] if op.names[0] not in seen else f"{op.names[0]}#2"
        seen.add(name)
        node = nodes[name]
        assert _unquote(node.get("fillcolor")) == PRECISION_COLORS[_precision(op)], name
        assert _unquote(node.get("label")).startswith(" + ".join(op.names)), name
    assert {_precision(op) for op in ops} == {"f32", "f16", "i8"}
    assert _unquote(nodes["conv0"].get("label")).startswith("conv0 + bn0 + relu0\nkernel.conv f16")
    converts = [n for n in nodes.values() if "kernel.convert" in _unquote(n.get("label"))]
    assert converts and all(_unquote(n.get("shape")) == "hexagon" for n in converts)
    legend = graph.get_subgraphs()[0]
    assert legend.get_name() == "cluster_legend"
    assert {_unquote(n.get("label")) for n in legend.get_nodes()} >= {"FP32", "FP16", "INT8"}


def test_graph_shows_simulated_cycles_and_shapes(flow: Path) -> None:
    text = (flow / "g.dot").read_text()
    report = _report(flow)["nodes"]
    conv = report["conv1,bn1,relu1"]
    assert f"{conv['span_cycles']} cycles, {conv['ratio']:.2f}x roofline" in text
    graph = _dot(flow / "g.dot")
    labels = {
        (_unquote(str(e.get_source())), _unquote(str(e.get_destination()))): _unquote(
            e.get("label")
        )
        for e in graph.get_edges()
    }
    assert labels[("conv0", "relu0.quantize")] == "1x32x32x16 f16"
    assert labels[("relu0.quantize", "conv1")] == "1x32x32x16 qi8"
    assert all(labels.values())


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_plots_are_pngs_of_the_set_size(flow: Path) -> None:
    for name in PICTURES:
        path = flow / "p" / f"{name}.png"
        assert _png_size(path) == PNG_SIZE, name
        assert 5_000 < path.stat().st_size < 150_000, name


def test_plot_data_matches_the_report(flow: Path) -> None:
    report = _report(flow)
    nodes = report["nodes"]
    layers = json.loads((flow / "p" / "layers.json").read_text())["nodes"]
    assert sorted(n["node"] for n in layers) == sorted(nodes)
    for entry in layers:
        cost = nodes[entry["node"]]
        for key in ("compute_cycles", "dma_cycles", "span_cycles"):
            assert entry[key] == cost[key], (entry["node"], key)
        assert entry["stall_cycles"] >= 0
    roofline = json.loads((flow / "p" / "roofline.json").read_text())
    assert roofline["target"] == report["target"]
    assert sum(n["roofline_cycles"] for n in roofline["nodes"]) == report["roofline_cycles"]
    for entry in roofline["nodes"]:
        assert entry["ratio"] == nodes[entry["node"]]["ratio"]
        if entry["macs"]:
            seconds = entry["span_cycles"] / report["clock_hz"]
            assert entry["achieved_macs_per_second"] == pytest.approx(entry["macs"] / seconds)
    timeline = json.loads((flow / "p" / "timeline.json").read_text())
    assert timeline["total_cycles"] == report["total_cycles"]
    assert timeline["cores"] == report["cores"]
    compute: dict[str, int] = {}
    dma: dict[str, int] = {}
    for lane, sums in (("compute", compute), ("dma", dma)):
        for _core, start, end, node in timeline["intervals"][lane]:
            sums[node] = sums.get(node, 0) + end - start
    for name, cost in nodes.items():
        assert compute.get(name, 0) == cost["compute_cycles"], name
        assert dma.get(name, 0) == cost["dma_cycles"], name
    assert timeline["barriers"] == sorted(timeline["barriers"])


def test_tracing_changes_no_figure(flow: Path) -> None:
    program = read_bundle(flow / "b").executable().program
    trace = Trace()
    traced = simulate(program._segments, program.layers, program.target, trace)  # noqa: SLF001
    assert traced.to_json() == program.report.to_json() == _report(flow)
    assert trace.intervals and len(trace.barriers) >= len(program.layers) - 1


def _small_graph() -> OpGraph:
    graph = OpGraph("onnx")
    relu = graph.add(GraphNode("relu0", ("relu0",), "onnx.Relu", "f16"))
    graph.connect(graph.add(GraphNode("input x", ("x",), "input", "", "input")), relu, "2x3 f16")
    return graph


def test_svg_through_graphviz(tmp_path: Path) -> None:
    if aicc.viz.graph.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    assert write_graph(tmp_path / "g.svg", _small_graph(), None) == tmp_path / "g.svg"
    assert "<svg" in (tmp_path / "g.svg").read_text()


def test_svg_without_graphviz_writes_dot_and_says_how_to_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(aicc.viz.graph.shutil, "which", lambda _: None)
    written = write_graph(tmp_path / "g.svg", _small_graph(), None)
    assert written == tmp_path / "g.dot" and not (tmp_path / "g.svg").exists()
    assert (tmp_path / "g.dot").read_text().startswith('digraph "main"')
    line = capsys.readouterr().err.strip()
    assert_one_line(line, "warning: ", "g.dot", "dot -Tsvg")


def test_missing_plot_extra_is_one_line(
    flow: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(flow)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    argv = ["-t", "b", "-i", "in0.npy", "--write-output-dir=out3", "--plot=p3"]
    result = run_in_process(aicc_run.main, argv, capsys)
    assert result.returncode == 2
    assert_one_line(result.stderr.strip(), "aicc-run: error: --plot", INSTALL_PLOT)
    assert not (flow / "out3").exists() and not (flow / "p3").exists()
    monkeypatch.setitem(sys.modules, "graphviz", None)
    argv = ["-m=model.onnx", "-aic-binary-dir=b3", "-dump-graph=g.svg"]
    result = run_in_process(aicc_compile.main, argv, capsys)
    assert result.returncode == 2
    assert_one_line(result.stderr.strip(), "aicc-compile: error: -dump-graph=g.svg", INSTALL_PLOT)
    assert not (flow / "b3").exists()
