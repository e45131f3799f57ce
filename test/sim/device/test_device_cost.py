"""The cost model, figure by figure from the target file, and the report's keys."""

from __future__ import annotations

import math

import numpy as np
import pytest
from device_programs import TARGET, ddr, io_buffer, load, sp

from aicc.dialects.aic import BarrierOp, ConvOp, DmaOp, LayerOp, MatmulOp, VectorOp, WaitOp

CLOCK, BW, SETUP = TARGET.clock_hz, TARGET.ddr_bytes_per_second, TARGET.dma_setup_cycles
LANES, MACS, ALIGN = TARGET.vector_lanes_per_cycle, TARGET.matrix_macs_per_cycle, TARGET.alignment


def _dma_cycles(nbytes: int, cores: int) -> int:
    """Setup, then the bytes at this core's share (bandwidth / cores) of DDR."""
    return SETUP + math.ceil(nbytes / (BW / cores / CLOCK) - 1e-9)


def _load(n: int = 1024) -> DmaOp:
    return DmaOp(ddr(0, [n], np.float32), sp(0, [n], np.float32), 0, "load0")


def _relu(n: int, node: str = "relu0", dtype: type = np.float32) -> VectorOp:
    return VectorOp(
        "relu" if dtype is np.float32 else "max",
        [sp(1 << 20, [n], dtype)] * (1 if dtype is np.float32 else 2),
        [sp(1 << 21, [n], dtype)],
        node,
    )


def _buffers() -> list:
    return [io_buffer("x", "input", 0, [1024], np.float32)]


def test_dma_then_wait_then_compute() -> None:
    device = load([[_load(), WaitOp(0, "load0"), _relu(1000)]], buffers=_buffers())
    report = device.report
    dma = _dma_cycles(4096, 1)
    vector = math.ceil(1000 / LANES.f32)
    assert report.nodes["load0"].dma_cycles == dma
    assert report.nodes["relu0"].compute_cycles == vector
    assert report.total_cycles == dma + vector
    assert report.bytes_to_scratchpad == 4096 and report.bytes_to_ddr == 0


def test_dma_without_wait_overlaps_compute() -> None:
    device = load([[_load(), _relu(1000)]], buffers=_buffers())
    assert device.report.total_cycles == max(_dma_cycles(4096, 1), math.ceil(1000 / LANES.f32))


def test_dma_bandwidth_is_shared_by_the_program_cores() -> None:
    device = load([[_load()], []], buffers=_buffers())
    assert device.report.total_cycles == _dma_cycles(4096, 2)
    assert device.report.cores == 2


def test_vector_lanes_follow_the_widest_element() -> None:
    i8 = load([[_relu(1000, dtype=np.int8)]]).report.total_cycles
    assert i8 == math.ceil(1000 / LANES.i8)
    pool = VectorOp(
        "pool_max",
        [sp(0, [7, 7, 3], np.float16)],
        [sp(1024, [3, 3, 3], np.float16)],
        "pool0",
        {"kernel": (3, 3), "strides": (2, 2)},
    )
    assert load([[pool]]).report.total_cycles == math.ceil(3 * 3 * 3 * 9 / LANES.f16)


def _padded(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def test_matrix_cycles_count_padded_macs() -> None:
    m, k, n = 9, 40, 33
    mm = MatmulOp(
        sp(0, [m, k], np.int8), sp(1024, [k, n], np.int8), sp(4096, [m, n], np.int32), "i8", "mm0"
    )
    padded = (
        _padded(m, ALIGN.tile_m_multiple)
        * _padded(n, ALIGN.tile_n_multiple)
        * _padded(k, ALIGN.tile_k_multiple)
    )
    assert load([[mm]]).report.total_cycles == math.ceil(padded / MACS.i8)
    # A grouped conv pads each group: M = OH*OW, N = N/g, K = KH*KW*C/g.
    conv = ConvOp(
        sp(0, [6, 6, 8], np.float32),
        sp(2048, [3, 3, 4, 8], np.float32),
        sp(4096, [4, 4, 8], np.float32),
        "f32",
        "conv0",
        group=2,
    )
    per_group = (
        _padded(16, ALIGN.tile_m_multiple)
        * _padded(4, ALIGN.tile_n_multiple)
        * _padded(36, ALIGN.tile_k_multiple)
    )
    assert load([[conv]]).report.total_cycles == math.ceil(2 * per_group / MACS.f32)


def test_barrier_joins_the_cores() -> None:
    long, short = math.ceil(1000 / LANES.f32), math.ceil(100 / LANES.f32)
    cores = [
        [_relu(1000, "a"), BarrierOp(0, "a"), _relu(100, "b")],
        [_relu(100, "a"), BarrierOp(0, "a"), _relu(100, "b")],
    ]
    report = load(cores).report
    assert report.total_cycles == long + short
    assert report.core_busy_cycles == [long + short, 2 * short]
    assert report.utilization == [1.0, 2 * short / (long + short)]
    assert report.nodes["a"].span_cycles == long
    assert report.nodes["b"].span_cycles == short
    assert report.instructions == {"aic.vector.relu": 4, "aic.barrier": 2}


def test_roofline_ratio_and_report_json() -> None:
    macs, nbytes = 1 << 20, 4096
    layer = LayerOp("relu0", "conv", "i8", macs, nbytes)
    device = load([[_relu(1000)]], layers=[layer])
    report = device.report
    roofline = max(macs / (MACS.i8 * CLOCK * 1), nbytes / BW) * CLOCK
    cost = report.nodes["relu0"]
    assert cost.roofline_cycles == math.ceil(roofline)
    assert cost.ratio == cost.span_cycles / cost.roofline_cycles
    data = report.to_json()
    assert set(data) == {
        "target",
        "clock_hz",
        "cores",
        "total_cycles",
        "seconds",
        "batch",
        "inferences_per_second",
        "roofline_cycles",
        "conv_span_cycles",
        "conv_roofline_cycles",
        "conv_roofline_ratio",
        "utilization",
        "mean_utilization",
        "bytes_moved",
        "bytes_to_scratchpad",
        "bytes_to_ddr",
        "instruction_count",
        "instructions",
        "nodes",
    }
    assert set(data["nodes"]["relu0"]) == {  # type: ignore[index]
        "compute_cycles",
        "dma_cycles",
        "span_cycles",
        "kind",
        "precision",
        "roofline_cycles",
        "ratio",
    }
    assert data["seconds"] == report.total_cycles / CLOCK
    assert data["batch"] == 1
    assert data["inferences_per_second"] == pytest.approx(CLOCK / report.total_cycles)
    assert data["conv_roofline_ratio"] == cost.ratio
    text = report.format()
    assert "relu0" in text and f"total: {report.total_cycles} cycles" in text
