"""The cost report of one simulated run: cycles, time, per-node costs and the roofline.

`to_json()` is the machine form (`aicc-run --report=json`), `format()` the table
printed for people. Node costs sum over cores: `compute_cycles` is matrix and vector
work, `dma_cycles` the transfers (setup included); `span_cycles` is wall-clock from the
node's first instruction start to its last end on any core. For nodes with an
`aic.layer`, `roofline_cycles` is the target's lower bound for the layer's useful MACs
and compulsory DDR bytes, and `ratio = span / roofline` shows how far the schedule is
from it (reported per convolution, and for all convolutions together).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class NodeCost:
    """What one ONNX node (one kernel op) cost."""

    compute_cycles: int = 0
    dma_cycles: int = 0
    span_cycles: int = 0
    kind: str = ""
    precision: str = ""
    roofline_cycles: int = 0
    """0 when the program has no `aic.layer` for the node."""

    @property
    def ratio(self) -> float | None:
        return self.span_cycles / self.roofline_cycles if self.roofline_cycles else None


@dataclass
class CostReport:
    """Cycles and traffic of one run of a device program on a target."""

    target: str
    clock_hz: int
    cores: int
    total_cycles: int
    core_busy_cycles: list[int]
    """Per core: cycles its matrix and vector units computed."""
    bytes_to_scratchpad: int
    bytes_to_ddr: int
    instructions: dict[str, int]
    """Count per instruction kind (`aic.vector.<opcode>` for vector instructions)."""
    nodes: dict[str, NodeCost] = field(default_factory=dict)
    batch: int = 1
    """Samples per run (the program's `-batchsize`), for `inferences_per_second`."""

    @property
    def seconds(self) -> float:
        return self.total_cycles / self.clock_hz

    @property
    def inferences_per_second(self) -> float:
        """Samples per simulated second at the target clock: batch / seconds."""
        return self.batch / self.seconds if self.total_cycles else 0.0

    @property
    def utilization(self) -> list[float]:
        total = max(self.total_cycles, 1)
        return [busy / total for busy in self.core_busy_cycles]

    @property
    def mean_utilization(self) -> float:
        return sum(self.utilization) / max(len(self.utilization), 1)

    @property
    def bytes_moved(self) -> int:
        return self.bytes_to_scratchpad + self.bytes_to_ddr

    @property
    def instruction_count(self) -> int:
        return sum(self.instructions.values())

    @property
    def roofline_cycles(self) -> int:
        return sum(n.roofline_cycles for n in self.nodes.values())

    def conv_totals(self) -> tuple[int, int]:
        """(span, roofline) cycles summed over the convolutions."""
        convs = [n for n in self.nodes.values() if n.kind == "conv" and n.roofline_cycles]
        return sum(n.span_cycles for n in convs), sum(n.roofline_cycles for n in convs)

    def to_json(self) -> dict[str, object]:
        conv_span, conv_roofline = self.conv_totals()
        return {
            "target": self.target,
            "clock_hz": self.clock_hz,
            "cores": self.cores,
            "total_cycles": self.total_cycles,
            "seconds": self.seconds,
            "batch": self.batch,
            "inferences_per_second": self.inferences_per_second,
            "roofline_cycles": self.roofline_cycles,
            "conv_span_cycles": conv_span,
            "conv_roofline_cycles": conv_roofline,
            "conv_roofline_ratio": conv_span / conv_roofline if conv_roofline else None,
            "utilization": self.utilization,
            "mean_utilization": self.mean_utilization,
            "bytes_moved": self.bytes_moved,
            "bytes_to_scratchpad": self.bytes_to_scratchpad,
            "bytes_to_ddr": self.bytes_to_ddr,
            "instruction_count": self.instruction_count,
            "instructions": dict(sorted(self.instructions.items())),
            "nodes": {
                name: {**asdict(cost), "ratio": cost.ratio} for name, cost in self.nodes.items()
            },
        }

    def summary(self) -> list[str]:
        """The whole-program figures of `format`, without its table per node."""
        conv_span, conv_roofline = self.conv_totals()
        lines = [
            f"target {self.target}: {self.cores} cores at {self.clock_hz / 1e9:g} GHz",
            f"total: {self.total_cycles} cycles = {self.seconds * 1e3:.4f} ms",
            f"throughput: {self.inferences_per_second:.1f} inferences/s at the target clock "
            f"(batch {self.batch})",
            f"roofline (all layers): {self.roofline_cycles} cycles",
        ]
        if conv_roofline:
            lines.append(
                f"convolutions: span {conv_span} cycles vs roofline {conv_roofline} "
                f"= {conv_span / conv_roofline:.2f}x"
            )
        lines += [
            f"core utilization: mean {self.mean_utilization:.1%}, "
            f"min {min(self.utilization, default=0):.1%}, "
            f"max {max(self.utilization, default=0):.1%}",
            f"bytes moved: {self.bytes_moved} ({self.bytes_to_scratchpad} to scratchpad, "
            f"{self.bytes_to_ddr} to DDR)",
            f"instructions: {self.instruction_count} ("
            + ", ".join(f"{k} {v}" for k, v in sorted(self.instructions.items()))
            + ")",
        ]
        return lines

    def format(self) -> str:
        lines = [
            *self.summary(),
            "",
            f"{'node':<32} {'kind':<12} {'compute':>12} {'dma':>12} {'span':>12} "
            f"{'roofline':>12} {'ratio':>7}",
        ]
        for name, cost in self.nodes.items():
            ratio = "" if cost.ratio is None else f"{cost.ratio:.2f}"
            lines.append(
                f"{name:<32} {cost.kind:<12} {cost.compute_cycles:>12} {cost.dma_cycles:>12} "
                f"{cost.span_cycles:>12} {cost.roofline_cycles:>12} {ratio:>7}"
            )
        return "\n".join(lines)
