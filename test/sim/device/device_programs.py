"""Small hand-built `aic` programs for the simulator's tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import MemRefType, ModuleOp
from xdsl.ir import Operation

from aicc.base.target import Target, load_target
from aicc.dialects.aic import BufferOp, CoreOp, LayerOp, ProgramOp, ViewAttr
from aicc.dialects.elements import element_type
from aicc.sim.device import DeviceProgram, load_program
from aicc.sim.device.memory import Memories

TARGET = load_target()


def sp(
    addr: int, shape: Sequence[int], dtype: type | np.dtype, strides: Sequence[int] | None = None
) -> ViewAttr:
    return ViewAttr.get("sp", addr, shape, strides, np.dtype(dtype))


def ddr(
    addr: int, shape: Sequence[int], dtype: type | np.dtype, strides: Sequence[int] | None = None
) -> ViewAttr:
    return ViewAttr.get("ddr", addr, shape, strides, np.dtype(dtype))


def io_buffer(name: str, kind: str, offset: int, shape: Sequence[int], dtype: type) -> BufferOp:
    return BufferOp(name, kind, offset, MemRefType(element_type(np.dtype(dtype)), shape))


def program(
    cores: Sequence[Sequence[Operation]],
    *,
    buffers: Sequence[BufferOp] = (),
    layers: Sequence[LayerOp] = (),
    ddr_bytes: int = 1 << 16,
    target: Target = TARGET,
) -> ModuleOp:
    body: list[Operation] = [*buffers, *layers]
    body += [CoreOp(i, list(ops)) for i, ops in enumerate(cores)]
    return ModuleOp([ProgramOp.for_target(target, ddr_bytes, body, cores=len(cores))])


def load(cores: Sequence[Sequence[Operation]], **kwargs: object) -> DeviceProgram:
    return load_program(program(cores, **kwargs))  # type: ignore[arg-type]


def write_sp(device: DeviceProgram, addr: int, array: np.ndarray, core: int = 0) -> None:
    Memories.array(device.memories.scratchpads[core], addr, array.shape, None, array.dtype)[...] = (
        array
    )


def read_sp(
    device: DeviceProgram, addr: int, shape: Sequence[int], dtype: type, core: int = 0
) -> np.ndarray:
    memory = device.memories.scratchpads[core]
    return Memories.array(memory, addr, tuple(shape), None, np.dtype(dtype)).copy()


def run_on_sp(
    instructions: Sequence[Operation],
    inputs: Sequence[tuple[int, np.ndarray]],
    output: tuple[int, Sequence[int], type],
) -> np.ndarray:
    """Place `inputs` at their sp addresses of core 0, run, read `output` (addr, shape, dtype)."""
    device = load([instructions])
    for addr, array in inputs:
        write_sp(device, addr, array)
    device.run({})
    return read_sp(device, *output)
