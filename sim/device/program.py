"""A loaded device program: memories, decoded instruction streams, io and the cost report.

`load_tables` checks and decodes a program's tables (`aicc.dialects.aic_tables`) once;
`load_program` encodes an in-memory module to those tables first, so that a bundle's
binary program and a freshly compiled one go through the same decoder.
`DeviceProgram.run` writes the inputs into DDR, runs every pre-bound instruction in the
functional order (each core's stream up to its next barrier, core by core) and reads
the outputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute

from aicc.base.errors import UserError
from aicc.base.precision import PRECISIONS
from aicc.base.target import Target, load_target
from aicc.dialects.aic import (
    BufferOp,
    CoreOp,
    DmaOp,
    LayerOp,
    Limits,
    ProgramOp,
    Values,
    buffer_fields_problems,
    int_value,
    text_value,
)
from aicc.dialects.aic_tables import (
    AicTables,
    MemRefValue,
    Resource,
    TableReader,
    encode,
    parse_attribute,
    program_constants,
)
from aicc.dialects.aicc import Blob
from aicc.sim.device.cost import Layer, Segments, Trace, simulate
from aicc.sim.device.decode import Decoder, Encoded, Instruction
from aicc.sim.device.memory import DeviceFault, Memories
from aicc.sim.device.report import CostReport

Constants = Callable[[str], "np.ndarray | None"]
"""A constant store: the array of a store key (None: its data was elided)."""


@dataclass(frozen=True)
class IoBuffer:
    """One program input or output: ONNX shape, memref element type, storage dtype."""

    name: str
    kind: str
    shape: tuple[int, ...]
    element: str
    """The memref's element type, as MLIR text (a `!quant.uniform` for quantized io)."""
    dtype: np.dtype
    """The storage dtype of the arrays `run` takes and returns."""
    offset: int

    @property
    def element_type(self) -> Attribute:
        return parse_attribute(self.element)


class DeviceProgram:
    """A decoded program bound to its own memories; `run` may be called repeatedly."""

    def __init__(self, reader: TableReader, target: Target, constants: Constants) -> None:
        self.target = target
        program = _program_row(reader)
        values = reader.properties(program)
        try:
            limits = Limits(
                ddr_bytes=int_value(values, "ddr_bytes"),
                scratchpad_bytes=int_value(values, "scratchpad_bytes"),
                ddr_alignment=int_value(values, "ddr_alignment"),
                sp_alignment=int_value(values, "sp_alignment"),
            )
            num_cores = int_value(values, "cores")
        except ValueError as e:
            raise DeviceFault(f"device fault: aic.program: {e}") from None
        problem = Memories.limits_problem(limits, target)
        if problem is not None:
            raise DeviceFault(f"device fault: aic.program: {problem}")
        self.memories = Memories(limits, num_cores)
        self.io: list[IoBuffer] = []
        self._views: dict[str, np.ndarray] = {}
        children = reader.children[program]
        by_name = [(reader.names[row], row) for row in children]
        self._load_buffers(
            [reader.properties(row) for name, row in by_name if name == BufferOp.name],
            program_constants(reader, constants),
        )
        layers = [_layer(reader.properties(row)) for name, row in by_name if name == LayerOp.name]
        cores = [row for name, row in by_name if name == CoreOp.name]
        ids = [reader.properties(row).get("id") for row in cores]
        numbered = [i for i in ids if type(i) is int]
        if sorted(numbered) != list(range(len(cores))) or len(cores) > num_cores:
            raise DeviceFault(
                f"device fault: core ids {ids} are not 0..n-1 with n <= {num_cores} cores"
            )
        dma = np.array([name == DmaOp.name for name in reader.names], bool)
        flagged = reader.flagged_ops(limits, dma)
        decoder = Decoder(self.memories, target, num_cores)
        streams: list[list[Instruction]] = []
        for core_id in range(len(cores)):
            row = cores[numbered.index(core_id)]
            encoded = [
                Encoded(reader.names[i], reader.properties(i), i in flagged)
                for i in reader.children[row]
            ]
            streams.append(decoder.core(core_id, encoded))
        segments = _segments(streams)
        for layer in layers:
            if layer.precision not in PRECISIONS:
                raise DeviceFault(
                    f"device fault: aic.layer '{layer.node}': precision "
                    f"'{layer.precision}' is not one of {', '.join(PRECISIONS)}"
                )
        self.layers = layers
        self._segments = segments
        self.report: CostReport = simulate(segments, layers, target)
        ordered = [i for segment in segments for core in segment for i in core if i.run]
        self._instructions: list[Instruction] = ordered
        self._steps = [i.run for i in ordered if i.run is not None]

    def _load_buffers(
        self, buffers: list[dict[str, object]], constants: dict[str, np.ndarray | None]
    ) -> None:
        limits = self.memories.limits
        for values in buffers:
            name = values.get("name")
            try:
                buffer = _buffer(values)
            except ValueError as e:
                raise DeviceFault(f"device fault: aic.buffer '{name}': {e}") from None
            name, kind, addr, memref, key = buffer
            assert memref.dtype is not None
            nbytes = int(np.prod(memref.shape, dtype=np.int64)) * memref.dtype.itemsize
            for problem in buffer_fields_problems(
                name, kind, addr, nbytes, key is not None, limits
            ):
                raise DeviceFault(f"device fault: {problem}")
            view = Memories.array(self.memories.ddr, addr, memref.shape, None, memref.dtype)
            if key is not None:
                _load_constant(view, name, key, constants.get(key), memref)
                continue
            io = IoBuffer(name, kind, memref.shape, memref.element, memref.dtype, addr)
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


def _program_row(reader: TableReader) -> int:
    programs = [row for row in reader.children[0] if reader.names[row] == ProgramOp.name]
    if reader.names[0] != ModuleOp.name or len(programs) != 1:
        raise UserError(
            f"expected one aic.program in the module, found {len(programs)} "
            "(run -p lower-kernel-to-aic first)"
        )
    return programs[0]


def _buffer(values: Values) -> tuple[str, str, int, MemRefValue, str | None]:
    """A buffer's name, kind, offset, type and constant key (None: io)."""
    memref = values.get("type")
    if not isinstance(memref, MemRefValue) or memref.dtype is None:
        raise ValueError("type is not a memref of a storable element type")
    if min(memref.shape, default=0) < 0:
        raise ValueError(f"type has dynamic or negative dimensions {list(memref.shape)}")
    value = values.get("value")
    if value is not None and not isinstance(value, Resource):
        raise ValueError("value is not a #aicc.dense_resource")
    key = None if value is None else value.key
    return (
        text_value(values, "name"),
        text_value(values, "kind"),
        int_value(values, "offset"),
        memref,
        key,
    )


def _layer(values: Values) -> Layer:
    try:
        return Layer(
            text_value(values, "node"),
            text_value(values, "kind"),
            text_value(values, "precision"),
            int_value(values, "macs"),
            int_value(values, "bytes"),
        )
    except ValueError as e:
        raise DeviceFault(f"device fault: aic.layer '{values.get('node')}': {e}") from None


def _load_constant(
    view: np.ndarray, name: str, key: str, array: np.ndarray | None, memref: MemRefValue
) -> None:
    """Copy a constant into its DDR view; a (transposed) array of the buffer's dtype is
    copied once, anything else is its bytes reinterpreted."""
    if array is not None and array.dtype == memref.dtype and array.size == view.size:
        view.reshape(array.shape)[...] = array
        return
    view[...] = _constant(name, key, array, memref)


def _constant(name: str, key: str, array: np.ndarray | None, memref: MemRefValue) -> np.ndarray:
    assert memref.dtype is not None
    try:
        return Blob(array).view(memref.dtype, memref.shape, key)
    except ValueError as e:
        raise UserError(f"aic.buffer '{name}': {e}") from None


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
    tables, constants = encode(module)
    return load_tables(tables, constants.get, target)


def load_tables(
    tables: AicTables, constants: Constants, target: Target | None = None
) -> DeviceProgram:
    """`load_program` of a program's tables, its constants from the store `constants`."""
    reader = TableReader(tables)
    try:
        cores = int_value(reader.properties(_program_row(reader)), "cores")
    except ValueError as e:
        raise DeviceFault(f"device fault: aic.program: {e}") from None
    target = load_target() if target is None else target
    if cores > target.cores:
        raise UserError(
            f"the aic.program uses {cores} cores, the target {target.name} has {target.cores}"
        )
    return DeviceProgram(reader, dataclasses.replace(target, cores=cores), constants)
