"""A loaded device program: memories, decoded instruction streams, io and the cost report.

`load_program` checks and decodes the module's `aic.program` once; `DeviceProgram.run`
writes the inputs into DDR, runs every pre-bound instruction in the functional order
(each core's stream up to its next barrier, core by core) and reads the outputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute

from aicc.base.errors import UserError
from aicc.base.precision import PRECISIONS
from aicc.base.target import Target, load_target
from aicc.dialects.aic import BufferOp, ProgramOp, buffer_problems
from aicc.sim.device.cost import Segments, Trace, simulate
from aicc.sim.device.decode import Decoder, Instruction
from aicc.sim.device.memory import DeviceFault, Memories
from aicc.sim.device.report import CostReport


@dataclass(frozen=True)
class IoBuffer:
    """One program input or output: ONNX shape, memref element type, storage dtype."""

    name: str
    kind: str
    shape: tuple[int, ...]
    element_type: Attribute
    """The memref's element type (a `!quant.uniform` for quantized io)."""
    dtype: np.dtype
    """The storage dtype of the arrays `run` takes and returns."""
    offset: int


class DeviceProgram:
    """A decoded program bound to its own memories; `run` may be called repeatedly."""

    def __init__(self, program: ProgramOp, target: Target) -> None:
        self.target = target
        problem = Memories.limits_problem(program.limits, target)
        if problem is not None:
            raise DeviceFault(f"device fault: aic.program: {problem}")
        self.memories = Memories(program.limits, program.num_cores)
        self.io: list[IoBuffer] = []
        self._views: dict[str, np.ndarray] = {}
        self._load_buffers(program)
        decoder = Decoder(self.memories, target, program.num_cores)
        cores = sorted(program.core_ops, key=lambda core: core.core_id)
        if [core.core_id for core in cores] != list(range(len(cores))) or len(cores) > len(
            self.memories.scratchpads
        ):
            raise DeviceFault(
                f"device fault: core ids {[core.core_id for core in cores]} are not "
                f"0..n-1 with n <= {program.num_cores} cores"
            )
        segments = _segments([decoder.core(core) for core in cores])
        for layer in program.layers:
            if layer.precision.data not in PRECISIONS:
                raise DeviceFault(
                    f"device fault: aic.layer '{layer.node.data}': precision "
                    f"'{layer.precision.data}' is not one of {', '.join(PRECISIONS)}"
                )
        self.layers = program.layers
        self._segments = segments
        self.report: CostReport = simulate(segments, self.layers, target)
        ordered = [i for segment in segments for core in segment for i in core if i.run]
        self._instructions: list[Instruction] = ordered
        self._steps = [i.run for i in ordered if i.run is not None]

    def _load_buffers(self, program: ProgramOp) -> None:
        for buffer in program.buffers:
            for problem in buffer_problems(buffer, program.limits):
                raise DeviceFault(f"device fault: {problem}")
            view = Memories.array(
                self.memories.ddr, buffer.addr, buffer.shape, None, buffer.storage_dtype
            )
            if buffer.value is not None:
                view[...] = _constant(buffer)
                continue
            element = buffer.type.get_element_type()
            io = IoBuffer(
                buffer.buffer_name,
                buffer.buffer_kind,
                buffer.shape,
                element,
                buffer.storage_dtype,
                buffer.addr,
            )
            self.io.append(io)
            self._views[io.name] = view

    def trace(self) -> Trace:
        """Every core's compute, DMA and stall intervals and the barriers of `report`."""
        trace = Trace()
        simulate(self._segments, self.layers, self.target, trace)
        return trace

    @property
    def inputs(self) -> list[IoBuffer]:
        return [io for io in self.io if io.kind == "input"]

    @property
    def outputs(self) -> list[IoBuffer]:
        return [io for io in self.io if io.kind == "output"]

    def run(self, inputs: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], CostReport]:
        """Execute once: inputs and outputs by buffer name, in their storage dtype."""
        for io in self.inputs:
            self._views[io.name][...] = _checked_input(io, inputs)
        steps, index = self._steps, 0
        try:
            with np.errstate(all="ignore"):
                # `index` names the faulting instruction in the except clause.
                for index, step in enumerate(steps):  # noqa: B007
                    step()
        except (ValueError, ArithmeticError) as e:
            raise self._instructions[index].fault(str(e)) from None
        outputs = {io.name: self._views[io.name].copy() for io in self.outputs}
        return outputs, self.report


def _checked_input(io: IoBuffer, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    value = inputs.get(io.name)
    if value is None:
        raise UserError(f"device input '{io.name}' is missing")
    if value.shape != io.shape or value.dtype != io.dtype:
        raise UserError(
            f"device input '{io.name}': expected {list(io.shape)} {io.dtype}, "
            f"got {list(value.shape)} {value.dtype}"
        )
    return value


def _constant(buffer: BufferOp) -> np.ndarray:
    assert buffer.value is not None
    try:
        return buffer.value.blob.view(buffer.storage_dtype, buffer.shape, buffer.value.key)
    except ValueError as e:
        raise UserError(f"aic.buffer '{buffer.buffer_name}': {e}") from None


def _segments(cores: list[list[Instruction]]) -> Segments:
    """Split each core's stream at its barriers; every core must reach the same ones."""
    per_core: list[list[list[Instruction]]] = []
    sequences: list[list[int]] = []
    for instructions in cores:
        segments: list[list[Instruction]] = [[]]
        sequence: list[int] = []
        for instruction in instructions:
            segments[-1].append(instruction)
            if instruction.unit == "barrier":
                sequence.append(instruction.key)
                segments.append([])
        per_core.append(segments)
        sequences.append(sequence)
    for core, sequence in enumerate(sequences[1:], start=1):
        if sequence != sequences[0]:
            raise DeviceFault(
                f"device fault: core {core} reaches barriers {sequence}, core 0 reaches "
                f"{sequences[0]}; every core must reach the same barriers in order"
            )
    count = len(per_core[0]) if per_core else 0
    return [[segments[k] for segments in per_core] for k in range(count)]


def load_program(module: ModuleOp, target: Target | None = None) -> DeviceProgram:
    """Check and decode the module's `aic.program` (faults are `DeviceFault`s).

    `target` gives the rates of the cost model (None: the shipped default), narrowed to
    the program's core count; memory sizes and alignments are the program's own.
    """
    programs = [op for op in module.ops if isinstance(op, ProgramOp)]
    if len(programs) != 1:
        raise UserError(
            f"expected one aic.program in the module, found {len(programs)} "
            "(run -p lower-kernel-to-aic first)"
        )
    program = programs[0]
    target = load_target() if target is None else target
    cores = program.num_cores
    if cores > target.cores:
        raise UserError(
            f"the aic.program uses {cores} cores, the target {target.name} has {target.cores}"
        )
    return DeviceProgram(program, dataclasses.replace(target, cores=cores))
