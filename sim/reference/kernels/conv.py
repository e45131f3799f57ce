"""Convolution kernels: Conv (im2col + one batched GEMM) and ConvTranspose (GEMM + col2im)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import StringAttr

from aicc.base.errors import UserError
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import kernel
from aicc.sim.reference.kernels.linalg import product
from aicc.sim.reference.kernels.window import int_attr, int_list, pad_input, window_of, windows


def _operands(
    op: OnnxOp,
    inputs: list[np.ndarray | None],
    channels_fit: Callable[[int, tuple[int, ...], int], bool],
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    """X, W, the optional bias and the group count of a Conv or ConvTranspose."""
    x, w = inputs[0], inputs[1]
    assert x is not None and w is not None
    group = max(int_attr(op, "group"), 1)
    c = x.shape[1]
    if not channels_fit(c, w.shape, group):
        raise UserError(
            f"{op.describe()}: {c} input channels do not fit W {w.shape} with group {group}"
        )
    return x, w, inputs[2] if len(inputs) > 2 else None, group


@kernel("onnx.Conv")
def conv(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, w, bias, group = _operands(
        op, inputs, lambda c, w_shape, g: c == w_shape[1] * g and w_shape[0] % g == 0
    )
    n, c, *spatial = x.shape
    m, _, *kernel_shape = w.shape
    window = window_of(op, tuple(spatial), tuple(kernel_shape))
    rank = len(spatial)
    view = windows(pad_input(x, window, 0.0), window)
    order = (0, 1, *range(2 + rank, 2 + 2 * rank), *range(2, 2 + rank))
    cols = _im2col(view.transpose(order), (n, group, -1, int(np.prod(window.out))))
    y = product(w.reshape(group, m // group, -1), cols).reshape(n, m, *window.out)
    if bias is not None:
        y += bias.reshape(m, *(1,) * rank)
    return [y]


def _im2col(view: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The windows `view` as the GEMM operand of `shape`, copied only if needed.

    A 1x1 stride-1 unpadded conv needs no copy; otherwise copyto into a fresh
    array is several times faster than the copy `reshape` would make.
    """
    try:
        return view.reshape(shape, copy=False)
    except ValueError:
        cols = np.empty(view.shape, dtype=view.dtype)
        np.copyto(cols, view)
        return cols.reshape(shape)


@kernel("onnx.ConvTranspose")
def conv_transpose(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    x, w, bias, group = _operands(op, inputs, lambda c, w_shape, g: c == w_shape[0] and c % g == 0)
    n, c, *spatial = x.shape
    _, mg, *kernel_shape = w.shape
    rank, m = len(spatial), mg * group
    strides = int_list(op, "strides", (1,) * rank)
    dilations = int_list(op, "dilations", (1,) * rank)
    extents = [(k - 1) * d + 1 for k, d in zip(kernel_shape, dilations, strict=True)]
    spans = [s * (i - 1) + e for s, i, e in zip(strides, spatial, extents, strict=True)]
    begin, out = transpose_pads(op, spatial, spans)
    # Each input pixel spreads W^T times its channels over a kernel-sized patch.
    wt = w.reshape(group, c // group, -1).transpose(0, 2, 1)
    cols = product(wt, x.reshape(n, group, c // group, -1))
    cols = cols.reshape(n, m, *kernel_shape, *spatial)
    lows = [min(0, b) for b in begin]
    highs = [max(sp, b + o) for sp, b, o in zip(spans, begin, out, strict=True)]
    full = np.zeros((n, m, *(h - lo for h, lo in zip(highs, lows, strict=True))), dtype=cols.dtype)
    for offset in np.ndindex(*kernel_shape):
        target = tuple(
            slice(k * d - lo, k * d - lo + s * (i - 1) + 1, s)
            for k, d, lo, s, i in zip(offset, dilations, lows, strides, spatial, strict=True)
        )
        full[(slice(None), slice(None), *target)] += cols[(slice(None), slice(None), *offset)]
    crop = tuple(slice(b - lo, b - lo + o) for b, lo, o in zip(begin, lows, out, strict=True))
    y = full[(slice(None), slice(None), *crop)]
    if bias is not None:
        y = y + bias.reshape(m, *(1,) * rank)
    return [np.ascontiguousarray(y)]


def transpose_pads(op: OnnxOp, spatial: list[int], spans: list[int]) -> tuple[list[int], list[int]]:
    """Begin pads and output sizes of a ConvTranspose (ONNX's output_shape/auto_pad rules)."""
    rank = len(spatial)
    output_padding = int_list(op, "output_padding", (0,) * rank)
    full = [sp + p for sp, p in zip(spans, output_padding, strict=True)]
    auto_pad_attr = op.properties.get("auto_pad")
    auto_pad = auto_pad_attr.data if isinstance(auto_pad_attr, StringAttr) else "NOTSET"
    output_shape = int_list(op, "output_shape", ())
    if not output_shape and auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        output_shape = tuple(
            i * s for i, s in zip(spatial, int_list(op, "strides", (1,) * rank), strict=True)
        )
    if output_shape:
        totals = [f - o for f, o in zip(full, output_shape, strict=True)]
        # ONNX: SAME_UPPER puts the odd pad at the end; otherwise at the beginning.
        begin = [t // 2 if auto_pad == "SAME_UPPER" else t - t // 2 for t in totals]
        return begin, list(output_shape)
    pads = (0,) * (2 * rank) if auto_pad == "VALID" else int_list(op, "pads", (0,) * (2 * rank))
    out = [f - pb - pe for f, pb, pe in zip(full, pads[:rank], pads[rank:], strict=True)]
    return list(pads[:rank]), out
