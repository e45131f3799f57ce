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
operand. Groups run as one batched GEMM over [g, OH*OW, KH*KW*C/g]. A weight operand
is converted once per core and reused by the following instructions that read the same
bytes, until an instruction writes them (`WeightSlot`, assigned by the decoder).
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


Prepared = tuple[np.ndarray, np.ndarray | None]
"""A GEMM's B operand ready to multiply: the float32 matrix, and its i8 column sums."""


class WeightSlot:
    """A prepared B operand shared by instructions that read the same, unchanged bytes.

    The decoder gives consecutive readers of one weight view one slot when no
    instruction in between writes those scratchpad bytes: the first reader prepares
    (converts) the weights on each run, the others reuse them.
    """

    __slots__ = ("prepared",)

    def __init__(self) -> None:
        self.prepared: Prepared | None = None


class Gemm:
    """One mode's operand conversions and exact multiplication.

    i8: with `a' = a - ca`, `b' = b - cb` in [-128, 128] (ca, cb: the storage type's
    offset), `(a - za) @ (b - zb) = a' @ b' + db * rowsum(a') + da * colsum(b') + K da db`
    where `da = ca - za`, `db = cb - zb`; the corrections are exact in float64.
    """

    def __init__(
        self, mode: str, a_dtype: np.dtype, b_dtype: np.dtype, zero_points: tuple[int, int]
    ) -> None:
        self.exact = mode == "i8"
        self.ca = _SIGNED_OFFSET[a_dtype] if self.exact else 0
        self.cb = _SIGNED_OFFSET[b_dtype] if self.exact else 0
        self.da, self.db = self.ca - zero_points[0], self.cb - zero_points[1]

    def convert_a(self, x: np.ndarray) -> np.ndarray:
        return _shifted(x, self.ca) if self.exact else _widen(x)

    def convert_b(self, x: np.ndarray) -> np.ndarray:
        return _shifted(x, self.cb) if self.exact else _widen(x)

    def prepare_b(self, b: np.ndarray) -> Prepared:
        """`b` ([..., K, N], converted) with its column sums when the i8 correction needs them."""
        if not (self.exact and self.da):
            return b, None
        return b, b.sum(axis=-2, keepdims=True, dtype=np.float64)

    def multiply(self, a: np.ndarray, b: Prepared) -> np.ndarray:
        matrix, column_sums = b
        if not self.exact:
            return np.matmul(a, matrix)
        product = exact_matmul(a, matrix)
        if self.db:
            product = product + self.db * a.sum(axis=-1, keepdims=True, dtype=np.float64)
        if column_sums is not None:
            product = product + self.da * column_sums
        if self.da and self.db:
            product = product + float(self.da * self.db * a.shape[-1])
        return product


def _widen(x: np.ndarray) -> np.ndarray:
    """f16 -> f32 (exact); an f32 view is made contiguous for BLAS."""
    return np.ascontiguousarray(x, dtype=np.float32)


def _store(c: np.ndarray, product: np.ndarray, accumulate: bool) -> None:
    if accumulate:
        product = product + c
    # i8 products are exact integers in float; the cast to int32 is exact.
    np.copyto(c, product, casting="unsafe")


def _weights(
    gemm: Gemm, slot: WeightSlot, first: bool, matrix: Callable[[np.ndarray], np.ndarray]
) -> Callable[[np.ndarray], Prepared]:
    """The B operand of one instruction: prepared by the slot's first reader, else reused."""

    def prepared(w: np.ndarray) -> Prepared:
        if first or slot.prepared is None:
            slot.prepared = gemm.prepare_b(matrix(gemm.convert_b(w)))
        return slot.prepared

    return prepared


def make_matmul(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    mode: str,
    zero_points: tuple[int, int],
    accumulate: bool,
    slot: tuple[WeightSlot, bool],
) -> Callable[[], None]:
    """`slot`: the weight slot and whether this instruction is its first reader."""
    gemm = Gemm(mode, a.dtype, b.dtype, zero_points)
    weights = _weights(gemm, *slot, lambda m: m)

    def run() -> None:
        _store(c, gemm.multiply(gemm.convert_a(a), weights(b)), accumulate)

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
    slot: tuple[WeightSlot, bool],
) -> Callable[[], None]:
    gemm = Gemm(mode, x.dtype, w.dtype, zero_points)
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

    def matrix(tile: np.ndarray) -> np.ndarray:
        if group == 1:
            return tile.reshape(kh * kw * cg, n)
        grouped = tile.reshape(kh, kw, cg, group, ng).transpose(3, 0, 1, 2, 4)
        return grouped.reshape(group, kh * kw * cg, ng)

    weights = _weights(gemm, *slot, matrix)

    def run() -> None:
        product = gemm.multiply(columns(gemm.convert_a(x)), weights(w))
        if group != 1:
            product = product.transpose(1, 0, 2)
        _store(y, product.reshape(oh, ow, n), accumulate)

    return run
