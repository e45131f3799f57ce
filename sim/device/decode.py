"""Decoding: `aic` instructions -> `Instruction` objects holding a pre-bound run callable.

Decoding happens once per program. Every operand view is checked and made into a numpy
view of its memory here, every instruction's shapes are checked, and its cost in
cycles is computed from the target; running is then a loop over callables. Any problem
is a `DeviceFault` naming the core, the instruction index and the node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np

from aicc.base.precision import Precision
from aicc.base.target import Target
from aicc.dialects.aic import (
    BarrierOp,
    ConvOp,
    CoreOp,
    DmaOp,
    InstructionOp,
    MatmulOp,
    VectorOp,
    ViewAttr,
    WaitOp,
)
from aicc.sim.device import matrix, vector
from aicc.sim.device.memory import DeviceFault, Memories

Run = Callable[[], None]

_LANES_BY_ITEMSIZE: dict[int, Precision] = {1: "i8", 2: "f16", 4: "f32"}


@dataclass(slots=True)
class Instruction:
    """One decoded instruction: what runs, on which unit, at what cost."""

    core: int
    index: int
    op: InstructionOp
    unit: str
    """"dma", "wait", "matrix", "vector" or "barrier"."""
    run: Run | None
    cycles: int = 0
    """Matrix/vector compute cycles, or a DMA's transfer cycles including setup."""
    nbytes: int = 0
    key: int = 0
    """A DMA's or wait's tag, a barrier's id."""
    inbound: bool = False
    """A DMA into the scratchpad (else out to DDR)."""
    kind: str = ""
    """What the report counts: the op name, with the opcode for vector instructions."""

    @property
    def node(self) -> str:
        return self.op.node_name

    def fault(self, problem: str) -> DeviceFault:
        return DeviceFault.at(self.core, self.index, self.op, problem)


class Decoder:
    """Decodes the cores of one program against its memories and a target."""

    def __init__(self, memories: Memories, target: Target, cores: int) -> None:
        self.memories = memories
        self.target = target
        self.cores = cores
        self._reuse = _WeightReuse()

    def core(self, core: CoreOp) -> list[Instruction]:
        decoded: list[Instruction] = []
        self._reuse = _WeightReuse()
        for index, op in enumerate(core.ops):
            if not isinstance(op, InstructionOp):
                raise DeviceFault(
                    f"device fault: core {core.core_id}, instruction {index}: "
                    f"{op.name} is not an aic instruction"
                )
            decoded.append(self.instruction(core.core_id, index, op))
            for view in _sp_writes(op):
                self._reuse.written(view.addr, view.addr + view.nbytes_span)
        return decoded

    def instruction(self, core: int, index: int, op: InstructionOp) -> Instruction:
        try:
            problem = op.problem()
            if problem is not None:
                raise ValueError(problem)
            return self._decode(core, index, op)
        except ValueError as e:
            raise DeviceFault.at(core, index, op, str(e)) from None

    def _decode(self, core: int, index: int, op: InstructionOp) -> Instruction:
        if isinstance(op, DmaOp):
            return self._dma(core, index, op)
        if isinstance(op, WaitOp):
            return Instruction(core, index, op, "wait", None, key=op.number, kind=op.name)
        if isinstance(op, BarrierOp):
            return Instruction(core, index, op, "barrier", None, key=op.number, kind=op.name)
        if isinstance(op, MatmulOp):
            return self._matmul(core, index, op)
        if isinstance(op, ConvOp):
            return self._conv(core, index, op)
        assert isinstance(op, VectorOp)
        return self._vector(core, index, op)

    def _view(self, core: int, op: InstructionOp, role: str) -> np.ndarray:
        view = op.properties[role]
        assert isinstance(view, ViewAttr)
        return self.memories.view(core, view, role, dma=isinstance(op, DmaOp))

    def _dma(self, core: int, index: int, op: DmaOp) -> Instruction:
        src, dst = self._view(core, op, "src"), self._view(core, op, "dst")
        nbytes = dst.size * dst.dtype.itemsize
        t = self.target
        # Each core's DMA engine gets an equal share of the DDR bandwidth.
        transfer = -(-nbytes * t.clock_hz * self.cores // t.ddr_bytes_per_second)

        def run() -> None:
            np.copyto(dst, src)

        return Instruction(
            core,
            index,
            op,
            "dma",
            run,
            cycles=t.dma_setup_cycles + transfer,
            nbytes=nbytes,
            key=op.tag_value,
            inbound=op.dst.space == "sp",
            kind=op.name,
        )

    def _matrix_cycles(self, mode: str, groups: int, m: int, n: int, k: int) -> int:
        align = self.target.alignment
        padded = (
            groups
            * _round_up(m, align.tile_m_multiple)
            * _round_up(n, align.tile_n_multiple)
            * _round_up(k, align.tile_k_multiple)
        )
        # `op.problem()` has checked that the mode is a precision.
        rate = self.target.matrix_macs_per_cycle[cast(Precision, mode)]
        return -(-padded // rate)

    def _matmul(self, core: int, index: int, op: MatmulOp) -> Instruction:
        a, b, c = (self._view(core, op, role) for role in ("a", "b", "c"))
        slot = self._reuse.slot(op, op.b, 1)
        run = matrix.make_matmul(a, b, c, op.mode_name, op.zero_points, op.accumulates, slot)
        batch = int(np.prod(c.shape[:-2], dtype=np.int64))
        cycles = self._matrix_cycles(op.mode_name, batch, c.shape[-2], c.shape[-1], a.shape[-1])
        return Instruction(core, index, op, "matrix", run, cycles=cycles, kind=op.name)

    def _conv(self, core: int, index: int, op: ConvOp) -> Instruction:
        x, w, y = (self._view(core, op, role) for role in ("input", "weight", "output"))
        group = op.groups
        run = matrix.make_conv(
            x,
            w,
            y,
            op.mode_name,
            op.zero_points,
            op.accumulates,
            op.stride_values,
            op.dilation_values,
            group,
            self._reuse.slot(op, op.weight, group),
        )
        kh, kw, cg, n = w.shape
        rows = y.shape[0] * y.shape[1]
        cycles = self._matrix_cycles(op.mode_name, group, rows, n // group, kh * kw * cg)
        return Instruction(core, index, op, "matrix", run, cycles=cycles, kind=op.name)

    def _vector(self, core: int, index: int, op: VectorOp) -> Instruction:
        ins = [self.memories.view(core, v, f"ins[{i}]") for i, v in enumerate(op.in_views)]
        outs = [self.memories.view(core, v, f"outs[{i}]") for i, v in enumerate(op.out_views)]
        args = vector.VectorArgs(ins, outs, op.param_values())
        opcode = op.opcode_name
        run = vector.build(opcode, args)
        itemsize = max(v.dtype.itemsize for v in [*ins, *outs])
        lanes = self.target.vector_lanes_per_cycle[_LANES_BY_ITEMSIZE[itemsize]]
        cycles = -(-vector.work(opcode, args) // lanes)
        return Instruction(
            core, index, op, "vector", run, cycles=cycles, kind=f"{op.name}.{opcode}"
        )


class _WeightReuse:
    """One core's prepared weight operands whose scratchpad bytes are still unwritten."""

    def __init__(self) -> None:
        self.live: dict[tuple[object, ...], tuple[matrix.WeightSlot, int, int]] = {}

    def slot(
        self, op: MatmulOp | ConvOp, weights: ViewAttr, group: int
    ) -> tuple[matrix.WeightSlot, bool]:
        """The slot for `op`'s weights, and whether `op` is its first reader."""
        layout = weights.layout()
        key = (op.name, op.mode_name, op.zero_points, group, *layout[:4], layout.dtype.str)
        entry = self.live.get(key)
        if entry is not None:
            return entry[0], False
        slot = matrix.WeightSlot()
        self.live[key] = (slot, layout.addr, layout.addr + layout.span)
        return slot, True

    def written(self, low: int, high: int) -> None:
        """Bytes [low, high) of the scratchpad changed: their prepared weights are stale."""
        self.live = {k: e for k, e in self.live.items() if e[2] <= low or e[1] >= high}


def _sp_writes(op: InstructionOp) -> list[ViewAttr]:
    """The scratchpad views an instruction writes."""
    if isinstance(op, DmaOp):
        return [op.dst] if op.dst.space == "sp" else []
    if isinstance(op, MatmulOp):
        return [op.c]
    if isinstance(op, ConvOp):
        return [op.output]
    return op.out_views if isinstance(op, VectorOp) else []


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
