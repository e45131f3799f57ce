"""The matrix unit and DMA: matmul and implicit-GEMM conv in i8/f16/f32, strided copies."""

from __future__ import annotations

import numpy as np
import pytest
from device_programs import ddr, io_buffer, load, read_sp, run_on_sp, sp, write_sp

from aicc.dialects.aic import ConvOp, DmaOp, MatmulOp, VectorOp, WaitOp
from aicc.sim.device.matrix import CHUNK, chunk_starts, exact_matmul

RNG = np.random.default_rng(11)


def _ints(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    info = np.iinfo(dtype)
    return RNG.integers(info.min, int(info.max) + 1, size=shape).astype(dtype)


def _floats(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    return RNG.standard_normal(shape).astype(dtype)


def _conv_reference(x, w, strides, dilations, group):
    """Direct convolution in float64 / int64, one tap at a time."""
    (h, wd, _), (kh, kw, cg, n) = x.shape, w.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh, ow, ng = (h - (kh - 1) * dh - 1) // sh + 1, (wd - (kw - 1) * dw - 1) // sw + 1, n // group
    y = np.zeros((oh, ow, n), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            patch = x[
                i * dh : i * dh + (oh - 1) * sh + 1 : sh, j * dw : j * dw + (ow - 1) * sw + 1 : sw
            ]
            for g in range(group):
                y[..., g * ng : (g + 1) * ng] += (
                    patch[..., g * cg : (g + 1) * cg] @ w[i, j, :, g * ng : (g + 1) * ng]
                )
    return y


@pytest.mark.parametrize("a_dtype", [np.int8, np.uint8])
@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("k", [700, 2500])  # one float32 chunk, and three
def test_matmul_i8_exact(a_dtype: type, accumulate: bool, k: int) -> None:
    za, zb = (37 if a_dtype is np.uint8 else -3), 5
    m, n = 9, 33
    a, b, c0 = (
        _ints((m, k), a_dtype),
        _ints((k, n), np.int8),
        _ints((m, n), np.int16).astype(np.int32),
    )
    op = MatmulOp(
        sp(0, [m, k], a_dtype),
        sp(1 << 15, [k, n], np.int8),
        sp(1 << 18, [m, n], np.int32),
        "i8",
        "mm",
        zero_points=(za, zb),
        accumulate=accumulate,
    )
    got = run_on_sp([op], [(0, a), (1 << 15, b), (1 << 18, c0)], (1 << 18, [m, n], np.int32))
    expected = (a.astype(np.int64) - za) @ (b.astype(np.int64) - zb) + (c0 if accumulate else 0)
    np.testing.assert_array_equal(got, expected)


def test_matmul_i8_extremes_stay_exact() -> None:
    """Every product at the largest magnitude: 255 - 0 times -128 - 127, K = 4100."""
    m, k, n = 2, 4100, 3
    a, b = np.full((m, k), 255, np.uint8), np.full((k, n), -128, np.int8)
    op = MatmulOp(
        sp(0, [m, k], np.uint8),
        sp(1 << 14, [k, n], np.int8),
        sp(1 << 16, [m, n], np.int32),
        "i8",
        "mm",
        zero_points=(0, 127),
    )
    got = run_on_sp([op], [(0, a), (1 << 14, b)], (1 << 16, [m, n], np.int32))
    np.testing.assert_array_equal(got, np.full((m, n), 255 * -255 * k))


def test_matmul_batched_broadcast_f32() -> None:
    a, b = _floats((3, 4, 16), np.float32), _floats((16, 8), np.float32)
    op = MatmulOp(
        sp(0, [3, 4, 16], np.float32),
        sp(1024, [16, 8], np.float32),
        sp(2048, [3, 4, 8], np.float32),
        "f32",
        "mm",
    )
    got = run_on_sp([op], [(0, a), (1024, b)], (2048, [3, 4, 8], np.float32))
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-6)


def test_matmul_f16_sums_products_in_f32() -> None:
    a, b = _floats((8, 64), np.float16), _floats((64, 32), np.float16)
    op = MatmulOp(
        sp(0, [8, 64], np.float16),
        sp(1024, [64, 32], np.float16),
        sp(8192, [8, 32], np.float32),
        "f16",
        "mm",
    )
    got = run_on_sp([op], [(0, a), (1024, b)], (8192, [8, 32], np.float32))
    exact = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got, exact, rtol=1e-5, atol=1e-5)


CONV_CASES = [
    # (H, W, C, KH, KW, N, strides, dilations, group)
    (6, 7, 4, 3, 3, 8, (1, 1), (1, 1), 1),
    (9, 9, 6, 3, 3, 4, (2, 2), (1, 1), 2),
    (9, 8, 4, 3, 2, 4, (1, 2), (2, 1), 1),
    (7, 7, 8, 3, 3, 8, (1, 1), (1, 1), 8),  # depthwise
]


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("mode", ["i8", "f16", "f32"])
def test_conv_matches_direct_convolution(case: tuple, mode: str) -> None:
    h, w_, c, kh, kw, n, strides, dilations, group = case
    oh = (h - (kh - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (w_ - (kw - 1) * dilations[1] - 1) // strides[1] + 1
    in_dtype = {"i8": np.uint8, "f16": np.float16, "f32": np.float32}[mode]
    w_dtype = {"i8": np.int8, "f16": np.float16, "f32": np.float32}[mode]
    out_dtype = np.int32 if mode == "i8" else np.float32
    zero_points = (100, 0) if mode == "i8" else (0, 0)
    if mode == "i8":
        x, w = _ints((h, w_, c), np.uint8), _ints((kh, kw, c // group, n), np.int8)
    else:
        x, w = _floats((h, w_, c), in_dtype), _floats((kh, kw, c // group, n), w_dtype)
    op = ConvOp(
        sp(0, [h, w_, c], in_dtype),
        sp(4096, list(w.shape), w_dtype),
        sp(8192, [oh, ow, n], out_dtype),
        mode,
        "conv0",
        strides=strides,
        dilations=dilations,
        group=group,
        zero_points=zero_points,
    )
    got = run_on_sp([op], [(0, x), (4096, w)], (8192, [oh, ow, n], out_dtype))
    if mode == "i8":
        expected = _conv_reference(
            x.astype(np.int64) - 100, w.astype(np.int64), strides, dilations, group
        )
        np.testing.assert_array_equal(got, expected)
    else:
        expected = _conv_reference(
            x.astype(np.float64), w.astype(np.float64), strides, dilations, group
        )
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_dma_strided_copies_round_trip_through_the_scratchpad() -> None:
    """A column block of a DDR matrix in, transposed on the way out (strided views both ways)."""
    x = RNG.standard_normal((6, 10)).astype(np.float32)
    instructions = [
        DmaOp(ddr(2 * 4, [6, 4], np.float32, [10, 1]), sp(0, [6, 4], np.float32), 0, "cp"),
        WaitOp(0, "cp"),
        DmaOp(sp(0, [4, 6], np.float32, [1, 4]), ddr(256, [4, 6], np.float32), 1, "cp"),
        WaitOp(1, "cp"),
    ]
    buffers = [
        io_buffer("x", "input", 0, [6, 10], np.float32),
        io_buffer("y", "output", 256, [4, 6], np.float32),
    ]
    device = load([instructions], buffers=buffers)
    outputs, report = device.run({"x": x})
    np.testing.assert_array_equal(outputs["y"], x[:, 2:6].T)
    assert report.bytes_to_scratchpad == report.bytes_to_ddr == 96
    # Runs repeat with fresh inputs.
    outputs, _ = device.run({"x": x + 1})
    np.testing.assert_array_equal(outputs["y"], (x + 1)[:, 2:6].T)


@pytest.mark.parametrize("mode", ["i8", "f16"])
def test_prepared_weights_are_reused_only_while_their_bytes_are_unchanged(mode: str) -> None:
    """Three matmuls read one weight view; a DMA rewrites it between the second and third."""
    dtype, out = (np.int8, np.int32) if mode == "i8" else (np.float16, np.float32)
    a = _ints((4, 8), np.int8).astype(dtype)
    w1, w2 = _ints((8, 4), np.int8).astype(dtype), _ints((8, 4), np.int8).astype(dtype)
    zero_points = (3, 0) if mode == "i8" else (0, 0)

    def mm(c_addr: int) -> MatmulOp:
        views = sp(0, [4, 8], dtype), sp(1024, [8, 4], dtype), sp(c_addr, [4, 4], out)
        return MatmulOp(*views, mode, "mm", zero_points=zero_points)

    instructions = [
        DmaOp(ddr(0, [8, 4], dtype), sp(1024, [8, 4], dtype), 0, "w"),
        WaitOp(0, "w"),
        mm(2048),
        mm(4096),
        DmaOp(ddr(128, [8, 4], dtype), sp(1024, [8, 4], dtype), 1, "w"),
        WaitOp(1, "w"),
        mm(8192),
    ]
    buffers = [
        io_buffer("w1", "input", 0, [8, 4], dtype),
        io_buffer("w2", "input", 128, [8, 4], dtype),
    ]
    device = load([instructions], buffers=buffers)
    write_sp(device, 0, a)
    for first, second in ((w1, w2), (w2, w1)):  # runs repeat with other data
        device.run({"w1": first, "w2": second})
        centered = a.astype(np.float64) - zero_points[0]
        for addr, w in ((2048, first), (4096, first), (8192, second)):
            got = read_sp(device, addr, [4, 4], out)
            np.testing.assert_array_equal(got, centered @ w.astype(np.float64))


@pytest.mark.parametrize("mode", ["i8", "f16"])
@pytest.mark.parametrize("group", [1, 2])
def test_weights_rewritten_by_the_previous_run_are_prepared_again(mode: str, group: int) -> None:
    """The first conv of a run reads weights that a vector copy of the run before wrote.

    No DMA touches the weights: only their bytes tell that they changed. Run 1 reads
    the zero-filled scratchpad, run k+1 the weights fed to run k.
    """
    dtype, out = (np.int8, np.int32) if mode == "i8" else (np.float16, np.float32)
    h, c, n = 5, 4, 6
    x = _ints((h, h, c), np.int8).astype(dtype)
    shape = [3, 3, c // group, n]
    conv = ConvOp(
        sp(0, [h, h, c], dtype),
        sp(1024, shape, dtype),
        sp(4096, [h - 2, h - 2, n], out),
        mode,
        "conv",
        group=group,
        zero_points=(2, 0) if mode == "i8" else (0, 0),
    )
    instructions = [
        conv,
        DmaOp(ddr(0, shape, dtype), sp(2048, shape, dtype), 0, "w"),
        WaitOp(0, "w"),
        VectorOp("copy", [sp(2048, shape, dtype)], [sp(1024, shape, dtype)], "w"),
    ]
    device = load([instructions], buffers=[io_buffer("w", "input", 0, shape, dtype)])
    write_sp(device, 0, x)
    weights = [_ints(tuple(shape), np.int8).astype(dtype) for _ in range(3)]
    previous = np.zeros(shape, dtype)
    centered = x.astype(np.float64) - (2 if mode == "i8" else 0)
    for w in [*weights, weights[-1]]:
        device.run({"w": w})
        got = read_sp(device, 4096, [h - 2, h - 2, n], out)
        expected = _conv_reference(centered, previous.astype(np.float64), (1, 1), (1, 1), group)
        np.testing.assert_array_equal(got, expected)
        previous = w


def test_chunks_follow_the_weights_column_sums() -> None:
    """Small weights need one float32 GEMM over a long K; extreme ones a chunk per CHUNK."""
    k = 3 * CHUNK + 5
    small = RNG.integers(-3, 4, size=(k, 7)).astype(np.float32)
    assert chunk_starts(small) == (0,)
    extreme = np.full((2, k, 3), -128, np.float32)
    assert chunk_starts(extreme) == (0, CHUNK, 2 * CHUNK, 3 * CHUNK)
    mixed = np.concatenate([np.full((CHUNK, 3), 128, np.float32), small[:, :3]])
    starts = chunk_starts(mixed)
    bounds = [*starts, len(mixed)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        assert end - start >= min(CHUNK, len(mixed) - start)
        assert 128 * np.abs(mixed[start:end]).sum(axis=0).max() <= 1 << 24
    a = np.full((4, len(mixed)), -128, np.float32)
    exact = a.astype(np.int64) @ mixed.astype(np.int64)
    np.testing.assert_array_equal(exact_matmul(a, mixed, starts), exact)
