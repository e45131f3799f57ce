"""Pass `view-op-graph`: write the graph of `@main` as Graphviz DOT, as MLIR's
`--view-op-graph` does; the IR is left unchanged.

    aicc-opt model.onnx -p 'view-op-graph{output=graph.dot}'

It reads any level: `onnx` (one node per op but constants), `kernel` (one node per
compute op, fused ops as one node listing their ONNX names) and `aic` (one node per
`aic.layer`, edges from the DMA traffic through DDR); see `aicc.dialects.op_graph`.
Nodes are named by their first ONNX output name and coloured by precision. `output`
"-" (the default) writes to standard error, so the printed IR stays parseable.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from aicc.base.files import check_output_file, write_atomically
from aicc.dialects.op_graph import op_graph, to_dot


@dataclass(frozen=True)
class ViewOpGraphPass(ModulePass):
    """Write `@main`'s graph as DOT to `output` ("-": standard error); change nothing."""

    name = "view-op-graph"

    output: str = "-"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        text = to_dot(op_graph(op))
        if self.output == "-":
            sys.stderr.write(text)
            return
        path = Path(self.output)
        check_output_file(path)
        write_atomically(path, text)
