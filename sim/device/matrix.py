"""The matrix unit: `aic.matmul` and the implicit-GEMM `aic.conv`, one BLAS GEMM each.

Modes:
- `i8`: int8/uint8 operands minus their zero points, exact int32 accumulation. The GEMM
  runs in float32 on operands shifted into [-128, 128], over K-chunks of 1024 so that
  every partial sum of products stays within 2^24 (exact in float32), the chunks and
  the zero-point corrections summed in float64 (exact below 2^53).
- `f16`: f16 operands widened to f32, products summed in f32 (float32 BLAS), f32 result.
- `f32`: f32 throughout.
`accumulate` adds the product to the existing result instead of overwriting it.

A convolution reads a padded input tile [H, W, C]; its im2col matrix is a strided
view of the tile (`np.lib.stride_tricks.as_strided`), copied once into the GEMM
operand. Groups run as one batched GEMM over [g, OH*OW, KH*KW*C/g].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_EXACT_F32 = 1 << 24
_SIGNED_OFFSET = {np.dtype(np.int8): 0, np.dtype(np.uint8): 128}
"""What the GEMM subtracts from each storage type, so every operand lies in [-128, 128]."""
CHUNK = _EXACT_F32 // (128 * 128)
"""The K-chunk whose partial sums of products of [-128, 128] values stay exact in float32."""


def _shifted(x: np.ndarray, offset: int) -> np.ndarray:
    """`x - offset` as a contiguous float32 array (exact)."""
    if not offset:
        return x.astype(np.float32)
    return np.subtract(x, np.float32(offset), dtype=np.float32)


def exact_matmul(a: np.ndarray, b: np.ndarray, chunk: int = CHUNK) -> np.ndarray:
    """`a @ b` of integer-valued float32 arrays with |values| <= 128, exactly."""
    depth = a.shape[-1]
    if depth <= chunk:
        return np.matmul(a, b)
    total = np.matmul(a[..., :chunk], b[..., :chunk, :]).astype(np.float64)
    for start in range(chunk, depth, chunk):
        total += np.matmul(a[..., start : start + chunk], b[..., start : start + chunk, :])
    return total


Gemm = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Multiply prepared operands: [..., M, K] @ [..., K, N] -> product (float32/float64)."""


def gemm_for(
    mode: str, a_dtype: np.dtype, b_dtype: np.dtype, zero_points: tuple[int, int]
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray], Gemm]:
    """(prepare a, prepare b, multiply prepared) for one mode.

    i8: with `a' = a - ca`, `b' = b - cb` in [-128, 128] (ca, cb: the storage type's
    offset), `(a - za) @ (b - zb) = a' @ b' + db * rowsum(a') + da * colsum(b') + K da db`
    where `da = ca - za`, `db = cb - zb`; the corrections are exact in float64.
    """
    if mode != "i8":
        return _widen, _widen, np.matmul
    ca, cb = _SIGNED_OFFSET[a_dtype], _SIGNED_OFFSET[b_dtype]
    da, db = ca - zero_points[0], cb - zero_points[1]

    def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        product = exact_matmul(a, b)
        if db:
            product = product + db * a.sum(axis=-1, keepdims=True, dtype=np.float64)
        if da:
            product = product + da * b.sum(axis=-2, keepdims=True, dtype=np.float64)
        if da and db:
            product = product + float(da * db * a.shape[-1])
        return product

    return (lambda x: _shifted(x, ca)), (lambda x: _shifted(x, cb)), multiply


def _widen(x: np.ndarray) -> np.ndarray:
    """f16 -> f32 (exact); an f32 view is made contiguous for BLAS."""
    return np.ascontiguousarray(x, dtype=np.float32)


def _store(c: np.ndarray, product: np.ndarray, accumulate: bool) -> None:
    if accumulate:
        product = product + c
    # i8 products are exact integers in float; the cast to int32 is exact.
    np.copyto(c, product, casting="unsafe")


def make_matmul(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    mode: str,
    zero_points: tuple[int, int],
    accumulate: bool,
) -> Callable[[], None]:
    prepare_a, prepare_b, multiply = gemm_for(mode, a.dtype, b.dtype, zero_points)

    def run() -> None:
        _store(c, multiply(prepare_a(a), prepare_b(b)), accumulate)

    return run


def make_conv(
    x: np.ndarray,
    w: np.ndarray,
    y: np.ndarray,
    mode: str,
    zero_points: tuple[int, int],
    accumulate: bool,
    strides: tuple[int, int],
    dilations: tuple[int, int],
    group: int,
) -> Callable[[], None]:
    prepare_x, prepare_w, multiply = gemm_for(mode, x.dtype, w.dtype, zero_points)
    oh, ow, n = y.shape
    kh, kw, cg, _ = w.shape
    sh, sw = strides
    dh, dw = dilations
    rows = oh * ow
    ng = n // group

    def columns(tile: np.ndarray) -> np.ndarray:
        s0, s1, s2 = tile.strides
        windows = np.lib.stride_tricks.as_strided(
            tile,
            (oh, ow, kh, kw, group, cg),
            (sh * s0, sw * s1, dh * s0, dw * s1, cg * s2, s2),
            writeable=False,
        )
        if group == 1:
            return windows.reshape(rows, kh * kw * cg)
        return windows.transpose(4, 0, 1, 2, 3, 5).reshape(group, rows, kh * kw * cg)

    def weights(tile: np.ndarray) -> np.ndarray:
        if group == 1:
            return tile.reshape(kh * kw * cg, n)
        grouped = tile.reshape(kh, kw, cg, group, ng).transpose(3, 0, 1, 2, 4)
        return grouped.reshape(group, kh * kw * cg, ng)

    def run() -> None:
        product = multiply(columns(prepare_x(x)), weights(prepare_w(w)))
        if group != 1:
            product = product.transpose(1, 0, 2)
        _store(y, product.reshape(oh, ow, n), accumulate)

    return run
