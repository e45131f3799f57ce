"""The graph of `@main` at any level, and its Graphviz DOT text.

`op_graph(module)` reads whichever level the module is at:
- `onnx` (with `quant` casts): one node per op but `onnx.Constant`; edges are SSA
  values (tensor types);
- `kernel`: one node per compute op (`kernel.alloc` and `kernel.const` are buffers,
  not nodes); an edge runs from the last op that wrote a buffer to each op that reads
  it (memref types, the physical layout);
- `aic`: one node per `aic.layer` (the instructions of one kernel op); an edge runs
  from the node that last wrote a DDR byte range to the node that reads it, found
  from the DMA views (sizes in bytes).
The graph's inputs and outputs are nodes too. A node's identity is its first ONNX
output name (made unique with `#2`, `#3`, ... when two kernel ops share one), so the
picture, node-precision-info files and profiles use the same names; a fused node
lists every name it came from. `to_dot` colours nodes by precision with a legend and,
given per-node `CostNote`s keyed by `GraphNode.key` (the simulator's node names),
adds their cycles and roofline ratio and marks memory-bound nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import (
    ArrayAttr,
    Float16Type,
    Float32Type,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Operation, SSAValue

from aicc.base.precision import PRECISIONS, precision_of
from aicc.dialects.aic import DmaOp, InstructionOp, ProgramOp, node_key, node_names
from aicc.dialects.aicc import FUSED_FROM_ATTR
from aicc.dialects.elements import numpy_dtype
from aicc.dialects.graph import main_func, port_names
from aicc.dialects.kernel import KernelOp
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.quant import QuantCastOp, UniformQuantizedType

PRECISION_COLORS: dict[str, str] = {"f32": "#9ecae1", "f16": "#fdae6b", "i8": "#a1d99b"}
"""Fill colour per precision; a node of no known precision is `OTHER_COLOR`."""
OTHER_COLOR = "#e0e0e0"
PORT_COLOR = "#ffffff"
MEMORY_BOUND_COLOR = "#d62728"
PRECISION_NAMES = {"f32": "FP32", "f16": "FP16", "i8": "INT8"}
_SKIPPED = ("onnx.Constant",)
PORTS = ("input", "output")
"""The roles of the graph's inputs and outputs."""


@dataclass
class GraphNode:
    """One op (or graph input/output) of the picture."""

    id: str
    names: tuple[str, ...]
    """Every ONNX name it stands for (a fused node lists them all)."""
    op: str
    precision: str
    """One of `PRECISIONS`, or "" when the node has none (ports, integer tensors)."""
    role: str = "op"
    """"op", "convert" (a precision boundary), "input" or "output"."""

    @property
    def key(self) -> str:
        """The simulator's name of the node (the cost report's key)."""
        return node_key(self.names)

    @property
    def title(self) -> str:
        return " + ".join(self.names)


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    label: str


@dataclass
class OpGraph:
    level: str
    """"onnx", "kernel" or "aic"."""
    nodes: list[GraphNode] = field(default_factory=list[GraphNode])
    edges: list[GraphEdge] = field(default_factory=list[GraphEdge])

    def add(self, node: GraphNode) -> GraphNode:
        taken = {n.id for n in self.nodes}
        base, count = node.id, 1
        while node.id in taken:
            count += 1
            node.id = f"{base}#{count}"
        self.nodes.append(node)
        return node

    def connect(self, source: GraphNode | None, target: GraphNode, label: str) -> None:
        edge = GraphEdge(source.id, target.id, label) if source is not None else None
        if edge is not None and edge not in self.edges:
            self.edges.append(edge)


@dataclass(frozen=True)
class CostNote:
    """What the simulator says about one node."""

    cycles: int
    """Wall-clock cycles from its first instruction to its last."""
    ratio: float | None
    """Its cycles over its roofline bound (None: no `aic.layer` for it)."""
    memory_bound: bool


def op_graph(module: ModuleOp) -> OpGraph:
    """The graph of the module's `aic.program`, else of its `func.func @main`."""
    for op in module.ops:
        if isinstance(op, ProgramOp):
            return _aic_graph(op)
    main = main_func(module)
    if any(isinstance(op, KernelOp) for op in main.body.walk()):
        return _func_graph(main, "kernel", _kernel_step)
    return _func_graph(main, "onnx", _onnx_step)


# -- onnx and kernel levels ----------------------------------------------------------


def _port(role: str, name: str) -> GraphNode:
    return GraphNode(f"{role} {name}", (name,), role, "", role)


def _ports(graph: OpGraph, main: FuncOp) -> tuple[list[GraphNode], list[GraphNode]]:
    input_names, output_names = port_names(main)
    inputs = [graph.add(_port("input", name)) for name in input_names]
    outputs = [graph.add(_port("output", name)) for name in output_names]
    return inputs, outputs


Step = tuple[GraphNode, Sequence[SSAValue], Sequence[SSAValue]]
"""An op's node, the values it reads and the values (results or buffers) it writes."""


def _func_graph(main: FuncOp, level: str, step: Callable[[Operation], Step | None]) -> OpGraph:
    """Edges from the last node that wrote a value to each node that reads it."""
    graph = OpGraph(level)
    inputs, outputs = _ports(graph, main)
    writer: dict[SSAValue, GraphNode] = {arg: inputs[arg.index] for arg in main.args}
    for op in main.body.block.ops:
        if isinstance(op, ReturnOp):
            for value, port in zip(op.arguments, outputs, strict=False):
                graph.connect(writer.get(value), port, type_text(value.type))
            continue
        found = step(op)
        if found is None:
            continue
        node, reads, writes = found
        graph.add(node)
        for value in reads:
            graph.connect(writer.get(value), node, type_text(value.type))
        writer.update(dict.fromkeys(writes, node))
    return graph


def _onnx_step(op: Operation) -> Step | None:
    if op.name in _SKIPPED:
        return None
    return _onnx_node(op), op.operands, op.results


def _onnx_node(op: Operation) -> GraphNode:
    first = _first_name(op)
    fused = op.attributes.get(FUSED_FROM_ATTR)
    names = (first,)
    if isinstance(fused, ArrayAttr):
        names = tuple(n.data for n in fused.data if isinstance(n, StringAttr))
    if first not in names:
        names += (first,)
    result = op.results[0].type if op.results else None
    precision = precision_of(op) or (element_precision(result) if result else "")
    role = "convert" if isinstance(op, QuantCastOp) else "op"
    return GraphNode(first, names, op.name, precision, role)


def _first_name(op: Operation) -> str:
    if isinstance(op, OnnxOp) and op.first_output_name:
        return op.first_output_name
    if isinstance(op, QuantCastOp) and op.node_name is not None:
        return op.node_name.data
    return op.name


def _kernel_step(op: Operation) -> Step | None:
    if not isinstance(op, KernelOp):
        return None
    role = "convert" if op.name == "kernel.convert" else "op"
    precision = element_precision(op.output.type)
    return GraphNode(op.names[0], op.names, op.name, precision, role), op.inputs, [op.output]


def element_precision(t: Attribute) -> str:
    """f32, f16, i8 (8-bit quantized) or "" for a tensor or memref type."""
    element = t.get_element_type() if isinstance(t, TensorType | MemRefType) else t
    if isinstance(element, Float32Type):
        return "f32"
    if isinstance(element, Float16Type):
        return "f16"
    if isinstance(element, UniformQuantizedType) and element.storage_dtype.itemsize == 1:
        return "i8"
    return ""


def type_text(t: Attribute) -> str:
    """`1x16x32x32 f16`: a tensor's or memref's shape and element."""
    if not isinstance(t, TensorType | MemRefType):
        return ""
    shape = "x".join(map(str, t.get_shape())) or "scalar"
    element = t.get_element_type()
    if isinstance(element, UniformQuantizedType):
        return f"{shape} q{_dtype_text(element.storage_dtype)}"
    try:
        return f"{shape} {_dtype_text(numpy_dtype(element))}"
    except ValueError:
        return f"{shape} {element}"


def _dtype_text(dtype: np.dtype) -> str:
    """MLIR's spelling: f32, f16, i8, u8, i1."""
    if dtype.kind == "b":
        return "i1"
    return f"{dtype.kind}{dtype.itemsize * 8}"


# -- aic level ----------------------------------------------------------------------


def _aic_graph(program: ProgramOp) -> OpGraph:
    """Nodes per `aic.layer`; edges by DDR byte ranges, each read from its last writer."""
    graph = OpGraph("aic")
    writes: list[tuple[GraphNode, list[tuple[int, int]]]] = []
    for buffer in program.buffers:
        if buffer.buffer_kind == "input":
            port = graph.add(_port("input", buffer.buffer_name))
            writes.append((port, [(buffer.addr, buffer.addr + buffer.nbytes)]))
    reads: dict[str, list[tuple[int, int]]] = {}
    written: dict[str, list[tuple[int, int]]] = {}
    for core in program.core_ops:
        for op in core.ops:
            if isinstance(op, DmaOp):
                _add_dma(op, reads, written)
    layer_of = {layer.node.data: layer for layer in program.layers}
    for name in _node_order(program):
        layer = layer_of.get(name)
        kind = layer.kind.data if layer is not None else ""
        precision = layer.precision.data if layer is not None else ""
        node = graph.add(
            GraphNode(
                node_names(name)[0],
                node_names(name),
                f"aic {kind}".strip(),
                precision,
                "convert" if kind == "convert" else "op",
            )
        )
        own = _merged(written.get(name, []))
        # Bytes a node reads back from its own writes (a convert feeding the transpose
        # of the same name) are internal, not an edge.
        _connect_reads(graph, node, _subtract(_merged(reads.get(name, [])), own), writes)
        writes.append((node, own))
    for buffer in program.buffers:
        if buffer.buffer_kind == "output":
            port = graph.add(_port("output", buffer.buffer_name))
            _connect_reads(graph, port, [(buffer.addr, buffer.addr + buffer.nbytes)], writes)
    return graph


def _node_order(program: ProgramOp) -> list[str]:
    """Layers first (program order), then any other node by first appearance."""
    order = dict.fromkeys(layer.node.data for layer in program.layers)
    for core in program.core_ops:
        for op in core.ops:
            if isinstance(op, InstructionOp):
                order.setdefault(op.node_name)
    return list(order)


def _add_dma(
    op: DmaOp, reads: dict[str, list[tuple[int, int]]], written: dict[str, list[tuple[int, int]]]
) -> None:
    for view, ranges in ((op.src, reads), (op.dst, written)):
        if view.space == "ddr":
            span = (view.addr, view.addr + view.nbytes_span)
            ranges.setdefault(op.node_name, []).append(span)


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _connect_reads(
    graph: OpGraph,
    node: GraphNode,
    reads: list[tuple[int, int]],
    writes: list[tuple[GraphNode, list[tuple[int, int]]]],
) -> None:
    """Edges from the latest writers that cover `reads`, newest first."""
    uncovered = list(reads)
    for writer, ranges in reversed(writes):
        if not uncovered:
            return
        overlap = sum(_overlap(span, written) for span in uncovered for written in ranges)
        if overlap:
            graph.connect(writer, node, f"{overlap} B")
            uncovered = _subtract(uncovered, ranges)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _subtract(spans: list[tuple[int, int]], cut: list[tuple[int, int]]) -> list[tuple[int, int]]:
    for low, high in cut:
        left: list[tuple[int, int]] = []
        for a, b in spans:
            if b <= low or a >= high:
                left.append((a, b))
                continue
            if a < low:
                left.append((a, low))
            if b > high:
                left.append((high, b))
        spans = left
    return spans


# -- DOT ----------------------------------------------------------------------------


def node_color(node: GraphNode) -> str:
    if node.role in PORTS:
        return PORT_COLOR
    return PRECISION_COLORS.get(node.precision, OTHER_COLOR)


def to_dot(graph: OpGraph, costs: Mapping[str, CostNote] | None = None) -> str:
    """Graphviz DOT: one node per op, coloured by precision, edges labelled by type."""
    lines = [
        'digraph "main" {',
        f'  label="@main ({graph.level} level)"; labelloc=t; rankdir=TB;',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]
    for node in graph.nodes:
        lines.append(f"  {_quote(node.id)} [{_attributes(_node_attributes(node, costs))}];")
    for edge in graph.edges:
        label = _attributes({"label": edge.label})
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [{label}];")
    lines += _legend(graph, costs)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_attributes(node: GraphNode, costs: Mapping[str, CostNote] | None) -> dict[str, str]:
    label = [node.title, f"{node.op} {node.precision}".strip()]
    attributes = {"fillcolor": node_color(node)}
    if node.role in PORTS:
        label = [node.names[0], f"graph {node.role}"]
        attributes["shape"] = "ellipse"
    elif node.role == "convert":
        attributes["shape"] = "hexagon"
    note = costs.get(node.key) if costs is not None and node.role not in PORTS else None
    if note is not None:
        ratio = "" if note.ratio is None else f", {note.ratio:.2f}x roofline"
        label.append(f"{note.cycles} cycles{ratio}")
        if note.memory_bound:
            label.append("memory-bound")
            attributes.update(color=MEMORY_BOUND_COLOR, penwidth="3")
    return {"label": "\n".join(label), **attributes}


def _legend(graph: OpGraph, costs: Mapping[str, CostNote] | None) -> list[str]:
    lines = ["  subgraph cluster_legend {", '    label="precision"; fontsize=10;']
    for precision in PRECISIONS:
        color = PRECISION_COLORS[precision]
        attributes = _attributes({"label": PRECISION_NAMES[precision], "fillcolor": color})
        lines.append(f"    {_quote('legend ' + precision)} [{attributes}];")
    if costs:
        attributes = _attributes(
            {"label": "memory-bound", "fillcolor": OTHER_COLOR, "color": MEMORY_BOUND_COLOR}
        )
        lines.append(f'    "legend memory-bound" [{attributes}, penwidth=3];')
    # Invisible edges keep the entries in this order, left to right.
    order = [f"legend {p}" for p in PRECISIONS] + (["legend memory-bound"] if costs else [])
    lines.append(f"    {' -> '.join(map(_quote, order))} [style=invis];")
    lines.append("  }")
    return lines


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attributes(values: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={_quote(value)}" for key, value in values.items())
