"""Decoding: the `aic` program's instruction tables -> `Instruction` objects holding a
pre-bound run callable.

This is the one decoder: a bundle's binary program and a program compiled in memory
(`aicc.dialects.aic_tables.encode`) both arrive as tables, read as plain values
(`TableReader`); no xDSL op is built. Decoding happens once per program. Every
instruction's properties are checked by its op's `check` (the verifier's own checks),
the views that the vectorized bounds check flagged are checked one by one, every view
is made into a numpy view of its memory, and its cost in cycles is computed from the
target; running is then a loop over callables. Any problem is a `DeviceFault` naming
the core, the instruction index and the node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np

from aicc.base.precision import Precision
from aicc.base.target import Target
from aicc.dialects.aic import (
    INSTRUCTIONS,
    UNIT,
    BarrierOp,
    ConvOp,
    DmaOp,
    Layout,
    MatmulOp,
    Values,
    VectorOp,
    WaitOp,
    instruction_kind,
    int_value,
    ints_value,
    located,
    matrix_zero_points,
    params_value,
    text_value,
    value_views,
    view_problem,
    view_value,
    views_value,
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
    node_name: str = ""

    @property
    def node(self) -> str:
        return self.node_name

    def fault(self, problem: str) -> DeviceFault:
        return _fault(self.core, self.index, self.kind, self.node_name, problem)


def _fault(core: int, index: int, kind: str, node: str, problem: str) -> DeviceFault:
    return DeviceFault(f"device fault: {located(core, index, kind, node)}: {problem}")


@dataclass(frozen=True, slots=True)
class Encoded:
    """One instruction as the tables give it: its op name and plain property values, and
    whether the vectorized check flagged one of its views."""

    name: str
    values: Values
    flagged: bool


class Decoder:
    """Decodes the cores of one program against its memories and a target."""

    def __init__(self, memories: Memories, target: Target, cores: int) -> None:
        self.memories = memories
        self.target = target
        self.cores = cores
        self._reuse = _WeightReuse()
        self._arrays: dict[tuple[int, Layout], np.ndarray] = {}
        self._units: dict[str, Callable[[int, int, Values, str], Instruction]] = {
            DmaOp.name: self._dma,
            WaitOp.name: self._numbered,
            BarrierOp.name: self._numbered,
            MatmulOp.name: self._matmul,
            ConvOp.name: self._conv,
            VectorOp.name: self._vector,
        }

    def core(self, core: int, instructions: list[Encoded]) -> list[Instruction]:
        decoded: list[Instruction] = []
        self._reuse = _WeightReuse()
        for index, encoded in enumerate(instructions):
            decoded.append(self.instruction(core, index, encoded))
            for layout in _sp_writes(encoded):
                self._reuse.written(layout.addr, layout.addr + layout.span)
        return decoded

    def instruction(self, core: int, index: int, encoded: Encoded) -> Instruction:
        name, values = encoded.name, encoded.values
        op = INSTRUCTIONS.get(name)
        if op is None:
            raise DeviceFault(
                f"device fault: core {core}, instruction {index}: {name} is not an aic instruction"
            )
        kind = instruction_kind(name, values)
        node = values.get("node")
        node = node if isinstance(node, str) else "?"
        try:
            problem = op.check(values)
            if problem is None and encoded.flagged:
                problem = self._view_problem(name, values)
            if problem is not None:
                raise ValueError(problem)
            return self._units[name](core, index, values, kind)
        except ValueError as e:
            raise _fault(core, index, kind, node, str(e)) from None

    def _view_problem(self, name: str, values: Values) -> str | None:
        limits, dma = self.memories.limits, name == DmaOp.name
        for role, layout in value_views(values):
            problem = view_problem(layout, role, limits, dma)
            if problem is not None:
                return problem
        return None

    def _array(self, core: int, layout: Layout) -> np.ndarray:
        """A numpy view of `layout` in `core`'s address space (an instruction's own view
        object: numpy views of one view are made once)."""
        key = (-1 if layout.space == "ddr" else core, layout)
        array = self._arrays.get(key)
        if array is None:
            memories = self.memories
            memory = memories.ddr if layout.space == "ddr" else memories.scratchpads[core]
            array = Memories.array(memory, layout.addr, layout.shape, layout.strides, layout.dtype)
            self._arrays[key] = array
        return array.view()

    def _instruction(
        self, core: int, index: int, values: Values, kind: str, unit: str, run: Run | None
    ) -> Instruction:
        return Instruction(core, index, unit, run, kind=kind, node_name=text_value(values, "node"))

    def _numbered(self, core: int, index: int, values: Values, kind: str) -> Instruction:
        number = WaitOp.NUMBER if kind == WaitOp.name else BarrierOp.NUMBER
        decoded = self._instruction(core, index, values, kind, kind.removeprefix("aic."), None)
        decoded.key = int_value(values, number)
        return decoded

    def _dma(self, core: int, index: int, values: Values, kind: str) -> Instruction:
        src_view, dst_view = view_value(values, "src"), view_value(values, "dst")
        src, dst = self._array(core, src_view), self._array(core, dst_view)
        nbytes = dst.size * dst.dtype.itemsize
        t = self.target
        # Each core's DMA engine gets an equal share of the DDR bandwidth.
        transfer = -(-nbytes * t.clock_hz * self.cores // t.ddr_bytes_per_second)

        def run() -> None:
            np.copyto(dst, src)

        decoded = self._instruction(core, index, values, kind, "dma", run)
        decoded.cycles = t.dma_setup_cycles + transfer
        decoded.nbytes = nbytes
        decoded.key = int_value(values, "tag")
        decoded.inbound = dst_view.space == "sp"
        return decoded

    def _matrix_cycles(self, mode: str, groups: int, m: int, n: int, k: int) -> int:
        align = self.target.alignment
        padded = (
            groups
            * _round_up(m, align.tile_m_multiple)
            * _round_up(n, align.tile_n_multiple)
            * _round_up(k, align.tile_k_multiple)
        )
        # The op's check has made sure that the mode is a precision.
        rate = self.target.matrix_macs_per_cycle[cast(Precision, mode)]
        return -(-padded // rate)

    def _matmul(self, core: int, index: int, values: Values, kind: str) -> Instruction:
        a, b, c = (self._array(core, view_value(values, role)) for role in MatmulOp.VIEW_ROLES)
        mode, zero_points = text_value(values, "mode"), matrix_zero_points(values)
        slot = self._reuse.slot(kind, mode, zero_points, view_value(values, "b"), 1)
        run = matrix.make_matmul(a, b, c, mode, zero_points, _accumulates(values), slot)
        batch = int(np.prod(c.shape[:-2], dtype=np.int64))
        decoded = self._instruction(core, index, values, kind, "matrix", run)
        decoded.cycles = self._matrix_cycles(mode, batch, c.shape[-2], c.shape[-1], a.shape[-1])
        return decoded

    def _conv(self, core: int, index: int, values: Values, kind: str) -> Instruction:
        x, w, y = (self._array(core, view_value(values, role)) for role in ConvOp.VIEW_ROLES)
        mode, zero_points = text_value(values, "mode"), matrix_zero_points(values)
        group = int_value(values, "group")
        sh, sw = ints_value(values, "strides")
        dh, dw = ints_value(values, "dilations")
        weights = view_value(values, "weight")
        run = matrix.make_conv(
            x,
            w,
            y,
            mode,
            zero_points,
            _accumulates(values),
            (sh, sw),
            (dh, dw),
            group,
            self._reuse.slot(kind, mode, zero_points, weights, group),
        )
        kh, kw, cg, n = w.shape
        rows = y.shape[0] * y.shape[1]
        decoded = self._instruction(core, index, values, kind, "matrix", run)
        decoded.cycles = self._matrix_cycles(mode, group, rows, n // group, kh * kw * cg)
        return decoded

    def _vector(self, core: int, index: int, values: Values, kind: str) -> Instruction:
        ins = [self._array(core, view) for view in views_value(values, "ins")]
        outs = [self._array(core, view) for view in views_value(values, "outs")]
        args = vector.VectorArgs(ins, outs, params_value(values))
        opcode = text_value(values, "opcode")
        run = vector.build(opcode, args)
        itemsize = max(v.dtype.itemsize for v in [*ins, *outs])
        lanes = self.target.vector_lanes_per_cycle[_LANES_BY_ITEMSIZE[itemsize]]
        decoded = self._instruction(core, index, values, kind, "vector", run)
        decoded.cycles = -(-vector.work(opcode, args) // lanes)
        return decoded


def _accumulates(values: Values) -> bool:
    return values.get("accumulate") is UNIT


class _WeightReuse:
    """One core's prepared weight operands whose scratchpad bytes are still unwritten."""

    def __init__(self) -> None:
        self.live: dict[tuple[object, ...], tuple[matrix.WeightSlot, int, int]] = {}

    def slot(
        self, kind: str, mode: str, zero_points: tuple[int, int], layout: Layout, group: int
    ) -> tuple[matrix.WeightSlot, bool]:
        """The slot for an instruction's weights, and whether it is their first reader."""
        key = (kind, mode, zero_points, group, *layout[:4], layout.dtype.str)
        entry = self.live.get(key)
        if entry is not None:
            return entry[0], False
        slot = matrix.WeightSlot()
        self.live[key] = (slot, layout.addr, layout.addr + layout.span)
        return slot, True

    def written(self, low: int, high: int) -> None:
        """Bytes [low, high) of the scratchpad changed: their prepared weights are stale."""
        self.live = {k: e for k, e in self.live.items() if e[2] <= low or e[1] >= high}


def _sp_writes(encoded: Encoded) -> list[Layout]:
    """The scratchpad views an instruction writes."""
    written: list[Layout] = []
    for role in INSTRUCTIONS[encoded.name].WRITES:
        value = encoded.values[role]
        written.extend(cast(list[Layout], value) if type(value) is list else [cast(Layout, value)])
    return [layout for layout in written if layout.space == "sp"]


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
