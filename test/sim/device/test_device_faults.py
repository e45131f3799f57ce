"""Faults name core, instruction and node, and are never numpy errors; io is checked."""

from __future__ import annotations

import numpy as np
import pytest
from device_programs import TARGET, ddr, io_buffer, load, sp, write_sp

from aicc.base.errors import UserError
from aicc.dialects.aic import BarrierOp, DmaOp, VectorOp, WaitOp
from aicc.sim.device import DeviceFault

SP = TARGET.scratchpad_bytes_per_core


def _relu(src: int, dst: int, n: int = 32, strides: list[int] | None = None) -> VectorOp:
    return VectorOp(
        "relu", [sp(src, [n], np.float32, strides)], [sp(dst, [n], np.float32)], "relu0"
    )


def _fault(cores: list[list], **kwargs: object) -> str:
    with pytest.raises(DeviceFault) as info:
        load(cores, **kwargs)
    return str(info.value)


def test_scratchpad_out_of_bounds() -> None:
    message = _fault([[WaitOp(0, "w"), _relu(0, SP)]])
    assert message == (
        "device fault: core 0, instruction 1 (aic.vector.relu, node 'relu0'): outs[0]: sp address "
        f"{SP} + 128 bytes is outside the {SP}-byte scratchpad"
    )


def test_huge_strides_are_a_fault_not_an_index_error() -> None:
    message = _fault([[], [_relu(0, 256, 4, [SP])]])
    assert message.startswith(
        "device fault: core 1, instruction 0 (aic.vector.relu, node 'relu0'): ins[0]"
    )
    span = (3 * SP + 1) * 4  # the last of 4 float32 elements SP elements apart, and its bytes
    assert f"tile of {span} bytes is larger than the {SP}-byte scratchpad" in message


def test_misaligned_scratchpad_and_dma_addresses() -> None:
    assert "sp address 64 is not a multiple of 128" in _fault([[_relu(64, 256)]])
    dma = DmaOp(ddr(6, [8], np.float32), sp(0, [8], np.float32), 0, "load0")
    message = _fault([[dma]])
    assert message == (
        "device fault: core 0, instruction 0 (aic.dma, node 'load0'): src: ddr address 6 is "
        "not aligned to its 4-byte elements"
    )


def test_ddr_out_of_bounds_and_bad_buffers() -> None:
    dma = DmaOp(ddr(1 << 16, [8], np.float32), sp(0, [8], np.float32), 0, "load0")
    assert "ddr address 65536 + 32 bytes is outside the 65536-byte DDR" in _fault([[dma]])
    buffer = io_buffer("x", "input", 32, [4], np.float32)
    assert _fault([[]], buffers=[buffer]) == (
        "device fault: aic.buffer 'x': offset 32 is not a multiple of 64"
    )


def test_shape_opcode_and_barrier_problems() -> None:
    bad_shape = VectorOp(
        "add",
        [sp(0, [4, 8], np.float32), sp(256, [3], np.float32)],
        [sp(512, [4, 8], np.float32)],
        "add0",
    )
    assert "ins[1] [3] does not broadcast to [4, 8]" in _fault([[bad_shape]])
    unknown = VectorOp("frobnicate", [], [sp(0, [4], np.float32)], "x0")
    assert "unknown vector opcode 'frobnicate'" in _fault([[unknown]])
    message = _fault([[BarrierOp(0, "a")], []])
    assert message.startswith("device fault: core 1 reaches barriers []")


def test_run_time_fault_names_the_instruction() -> None:
    shift = sp(1024, [1], np.int32)
    requant = VectorOp(
        "requant",
        [sp(0, [8], np.int32), sp(512, [1], np.int32), shift],
        [sp(2048, [8], np.int8)],
        "conv0",
        {"zero_point": 0},
    )
    device = load([[WaitOp(0, "conv0"), requant]])
    write_sp(device, 1024, np.array([40], np.int32))  # a shift the fixed-point rule refuses
    with pytest.raises(
        DeviceFault,
        match=r"core 0, instruction 1 \(aic.vector.requant, node 'conv0'\): requantization shift",
    ):
        device.run({})


def test_inputs_are_checked_by_name_shape_and_dtype() -> None:
    device = load([[]], buffers=[io_buffer("x", "input", 0, [2, 3], np.int8)])
    with pytest.raises(UserError, match="device input 'x' is missing"):
        device.run({})
    with pytest.raises(
        UserError, match=r"device input 'x': expected \[2, 3\] int8, got \[2, 3\] float32"
    ):
        device.run({"x": np.zeros((2, 3), np.float32)})
    assert [(io.name, io.kind, io.shape, io.dtype) for io in device.io] == [
        ("x", "input", (2, 3), np.dtype(np.int8))
    ]
