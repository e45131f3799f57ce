"""Sliding-window geometry shared by convolution and pooling kernels.

ONNX describes a window op per spatial axis by kernel size, stride, dilation,
begin/end pads (explicit or from `auto_pad`) and, for pooling, `ceil_mode`.
`Window` resolves them once; `windows` turns a padded tensor into a strided view
of shape (N, C, *out, *kernel) without copying.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, StringAttr

from aicc.base.errors import UserError
from aicc.dialects import onnx_shapes as shapes
from aicc.dialects.onnx_base import OnnxOp


def int_list(op: OnnxOp, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """An INTS attribute of `op`, or `default` when absent."""
    attr = op.properties.get(name)
    if attr is None:
        return default
    assert isinstance(attr, DenseArrayBase)
    return tuple(int(v) for v in attr.get_values())


def int_attr(op: OnnxOp, name: str) -> int:
    attr = op.properties.get(name)
    return attr.value.data if isinstance(attr, IntegerAttr) else 0


@dataclass(frozen=True)
class Window:
    """Per spatial axis: kernel, stride, dilation, pads and output size."""

    kernel: tuple[int, ...]
    strides: tuple[int, ...]
    dilations: tuple[int, ...]
    pads_begin: tuple[int, ...]
    pads_end: tuple[int, ...]
    out: tuple[int, ...]

    @property
    def extents(self) -> tuple[int, ...]:
        """Dilated kernel sizes: the span of input one window covers."""
        return tuple((k - 1) * d + 1 for k, d in zip(self.kernel, self.dilations, strict=True))

    def padded_end(self, spatial: tuple[int, ...]) -> tuple[int, ...]:
        """End pads that make room for every window (ceil mode may need more)."""
        return tuple(
            max(pe, (o - 1) * s + e - n - pb)
            for n, o, s, e, pb, pe in zip(
                spatial,
                self.out,
                self.strides,
                self.extents,
                self.pads_begin,
                self.pads_end,
                strict=True,
            )
        )


def window_of(op: OnnxOp, spatial: tuple[int, ...], kernel: tuple[int, ...]) -> Window:
    """The window of a Conv or pooling op applied to an input of spatial shape `spatial`."""
    rank = len(spatial)
    auto_pad_attr = op.properties.get("auto_pad")
    rule = shapes.Window(
        kernel,
        int_list(op, "strides", (1,) * rank),
        int_list(op, "dilations", (1,) * rank),
        int_list(op, "pads", (0,) * (2 * rank)),
        auto_pad_attr.data if isinstance(auto_pad_attr, StringAttr) else "NOTSET",
        int_attr(op, "ceil_mode") == 1,
    )
    try:
        rule.check()
        out = rule.out_dims(spatial)
    except shapes.ShapeError as e:
        raise UserError(f"{op.describe()}: {e}") from None
    begin, end = rule.pads[:rank], rule.pads[rank:]
    if rule.auto_pad == "VALID":
        begin = end = (0,) * rank
    if rule.auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        totals = [
            max(0, (o - 1) * s + (k - 1) * d + 1 - n)
            for o, s, k, d, n in zip(
                out, rule.strides, kernel, rule.dilations, spatial, strict=True
            )
        ]
        # SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning.
        begin = tuple(t // 2 if rule.auto_pad == "SAME_UPPER" else t - t // 2 for t in totals)
        end = tuple(t - b for t, b in zip(totals, begin, strict=True))
    return Window(kernel, rule.strides, rule.dilations, begin, end, out)


def pad_input(x: np.ndarray, window: Window, value: float) -> np.ndarray:
    """`x` padded on its spatial axes so that every window fits."""
    spatial = tuple(x.shape[2:])
    end = window.padded_end(spatial)
    if not any(window.pads_begin) and not any(end):
        return x
    # np.full plus one slice assignment is several times faster than np.pad.
    shape = (
        *x.shape[:2],
        *(b + n + e for b, n, e in zip(window.pads_begin, spatial, end, strict=True)),
    )
    padded = np.full(shape, value, dtype=x.dtype)
    inner = tuple(slice(b, b + n) for b, n in zip(window.pads_begin, spatial, strict=True))
    padded[(slice(None), slice(None), *inner)] = x
    return padded


def windows(padded: np.ndarray, window: Window) -> np.ndarray:
    """A read-only view (N, C, *out, *kernel) of the windows of a padded input."""
    rank = len(window.kernel)
    axes = tuple(range(2, 2 + rank))
    view = np.lib.stride_tricks.sliding_window_view(padded, window.extents, axis=axes)
    starts = tuple(
        slice(0, (o - 1) * s + 1, s) for o, s in zip(window.out, window.strides, strict=True)
    )
    taps = tuple(slice(None, None, d) for d in window.dilations)
    return view[(slice(None), slice(None), *starts, *taps)]


def fold_taps(view: np.ndarray, ufunc: np.ufunc, rank: int) -> np.ndarray:
    """`ufunc` reduced over the kernel axes of a windows view, one tap at a time.

    One pass per kernel tap over (N, C, *out) is much faster than numpy's
    reduction over the trailing strided kernel axes.
    """
    taps = np.ndindex(*view.shape[-rank:])
    acc = np.array(view[(..., *next(taps))])
    for tap in taps:
        ufunc(acc, view[(..., *tap)], out=acc)
    return acc
