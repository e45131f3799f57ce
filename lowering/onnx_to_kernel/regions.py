"""Pad and nearest Resize in `lower-onnx-to-kernel`: results assembled from slices of
their input by `kernel.slice` and `kernel.copy` (strided DMAs on the device).

Pad crops first (negative pads, as a slice), copies the input into the middle of the
result, then fills the borders axis by axis: after axis i is filled, the result is
complete along axes 0..i, so each border of axis i+1 spans those axes in full.
- constant: the border is a constant blob of the pad value;
- reflect: the rows next to the border, copied one by one in reverse order (the
  device's slices step forwards);
- edge: the edge row, sliced once and copied once per border row;
- wrap: the rows at the other end, one by one.
A reflect border as wide as its axis, or a wrap border wider than it, is refused
(numpy pads those again from the border already added).
Resize nearest is separable: each resized axis maps output positions to input
indices (`nearest_indices`, the reference's own computation); every run of output
positions whose indices advance by one constant step is one strided slice. A result
position outside the input (tf_crop_and_resize) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.ir import Operation, SSAValue

from aicc.dialects import kernel
from aicc.dialects.elements import shape_of
from aicc.dialects.onnx_ops import PadOp, ResizeOp
from aicc.lowering.onnx_to_kernel.builder import (
    Buffer,
    Lowering,
    element_of,
    names_of,
    to_physical,
)
from aicc.lowering.onnx_to_kernel.registry import FLOAT, lowers
from aicc.sim.reference.kernels.resize import nearest_indices


def _cut(
    lw: Lowering,
    op: Operation,
    x: Buffer,
    starts: Sequence[int],
    steps: Sequence[int],
    shape: Sequence[int],
) -> Buffer:
    """The slice of `x` of logical `shape` at `starts` by `steps` (`x` when it is all of it)."""
    if tuple(shape) == x.shape and all(s == 1 for s in steps):
        return x
    out = lw.alloc(shape, x.element, x.layout)
    lw.emit(
        kernel.SliceOp(
            [x.value],
            out.value,
            names_of(op),
            starts=kernel.i64_array(to_physical(x.layout, starts)),
            steps=kernel.i64_array(to_physical(x.layout, steps)),
        )
    )
    return out


def _place(lw: Lowering, op: Operation, part: Buffer, out: Buffer, offsets: Sequence[int]) -> None:
    """Writes `part` into `out` at logical `offsets` (both in one layout)."""
    lw.emit(
        kernel.CopyOp(
            [part.value],
            out.value,
            names_of(op),
            offsets=kernel.i64_array(to_physical(out.layout, offsets)),
        )
    )


def _constant_ints(
    lw: Lowering, op: Operation, value: SSAValue | None, what: str
) -> list[int] | None:
    array = lw.constant_array(value)
    if value is not None and array is None:
        raise lw.fail(op, f"{what} must be constants on the device")
    return None if array is None else [int(v) for v in array.reshape(-1)]


# -- Pad ---------------------------------------------------------------------------


def _pad_widths(lw: Lowering, op: PadOp, rank: int) -> list[tuple[int, int]]:
    pads = _constant_ints(lw, op, op.pads, "Pad pads") or []
    axes = _constant_ints(lw, op, op.axes, "Pad axes")
    axes = list(range(rank)) if axes is None else [a + rank if a < 0 else a for a in axes]
    widths = [(0, 0)] * rank
    for i, axis in enumerate(axes):
        widths[axis] = (pads[i], pads[len(axes) + i])
    return widths


def _pad_value(lw: Lowering, op: PadOp) -> float:
    if op.constant_value is None:
        return 0.0
    array = lw.constant_array(op.constant_value)
    if array is None:
        raise lw.fail(op, "the Pad constant_value must be a constant on the device")
    return 0.0 if array.size == 0 else float(array.reshape(-1)[0])


def _border(
    lw: Lowering,
    op: PadOp,
    out: Buffer,
    region: list[tuple[int, int]],
    axis: int,
    span: tuple[int, int],
    source: tuple[int, int],
    value: float,
) -> None:
    """Fills positions `span` = [begin, end) of `axis` (other axes: `region`) of `out`.

    Row j of it is a copy of row `start + j * step` of `out` (`source`), or `value`.
    """
    begin, end = span
    if begin == end:
        return
    shape = [hi - lo for lo, hi in region]
    shape[axis] = end - begin
    offsets = [lo for lo, _ in region]
    offsets[axis] = begin
    mode = op.mode.data
    if mode == "constant":
        array = np.full(shape, value, kernel.buffer_dtype(out.memref))
        physical = array.transpose(0, 2, 3, 1) if out.layout == "nhwc" else array
        fill = lw.const(physical, out.element, f"{op.first_output_name}.pad", out.layout)
        _place(lw, op, fill, out, offsets)
        return
    start, step = source
    starts = list(offsets)
    shape[axis] = 1
    part: Buffer | None = None
    for at in range(begin, end):
        if part is None or step:
            starts[axis] = start + (at - begin) * step
            part = _cut(lw, op, out, starts, [1] * len(shape), shape)
        offsets[axis] = at
        _place(lw, op, part, out, offsets)


@lowers("onnx.Pad", precisions=FLOAT)
def lower_pad(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, PadOp)
    mode = op.mode.data
    if mode not in ("constant", "reflect", "edge", "wrap"):
        raise lw.refuse_attribute(op, "mode", mode)
    x = lw.operand(op, op.data)
    rank = len(x.shape)
    widths = _pad_widths(lw, op, rank)
    value = _pad_value(lw, op)
    crop = [(-min(b, 0), n + min(e, 0)) for n, (b, e) in zip(x.shape, widths, strict=True)]
    lengths = [hi - lo for lo, hi in crop]
    if any(n <= 0 for n in lengths):
        raise lw.fail(op, "a Pad that crops an axis away is not supported on the device")
    grow = [(max(b, 0), max(e, 0)) for b, e in widths]
    # numpy reflects (wraps) again from the padded part when a border is that wide.
    limit = {"reflect": 1, "wrap": 0}.get(mode)
    if limit is not None and any(max(g) > n - limit for n, g in zip(lengths, grow, strict=True)):
        raise lw.fail(op, f"a {mode} Pad wider than its axis allows is not supported on the device")
    inner = _cut(lw, op, x, [lo for lo, _ in crop], [1] * rank, lengths)
    out = lw.alloc_for(op.output)
    _place(lw, op, inner, out, [b for b, _ in grow])
    region = [(b, b + n) for (b, _), n in zip(grow, lengths, strict=True)]
    for axis, (b, e) in enumerate(grow):
        lo, hi = region[axis]
        # (start, step) of the rows copied into each border, in order.
        before, after = {
            "constant": ((0, 0), (0, 0)),
            "reflect": ((lo + b, -1), (hi - 2, -1)),
            "edge": ((lo, 0), (hi - 1, 0)),
            "wrap": ((hi - b, 1), (b, 1)),
        }[mode]
        _border(lw, op, out, region, axis, (0, b), before, value)
        _border(lw, op, out, region, axis, (hi, hi + e), after, value)
        region[axis] = (0, hi + e)
    lw.define(op.output, out)


# -- Resize --------------------------------------------------------------------------


def _runs(index: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(output start, input start, input step, length) runs covering `index`."""
    runs: list[tuple[int, int, int, int]] = []
    at = 0
    while at < len(index):
        length, step = 1, 1
        if at + 1 < len(index) and index[at + 1] != index[at]:
            step = int(index[at + 1] - index[at])
            while at + length < len(index) and index[at + length] - index[at + length - 1] == step:
                length += 1
        runs.append((at, int(index[at]), step, length))
        at += length
    return runs


@lowers("onnx.Resize", precisions=FLOAT)
def lower_resize(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, ResizeOp)
    if op.antialias.value.data:
        raise lw.refuse_attribute(op, "antialias", op.antialias.value.data)
    inputs: list[np.ndarray | None] = []
    for value in (op.roi, op.scales, op.sizes):
        array = None if value is None else lw.constant_array(value)
        if value is not None and array is None:
            raise lw.fail(op, "Resize roi, scales and sizes must be constants on the device")
        inputs.append(array)
    if op.mode.data != "nearest":
        raise lw.refuse_attribute(op, "mode", op.mode.data)
    x = lw.operand(op, op.X)
    index, outside = nearest_indices(op, x.shape, *inputs)
    if op.coordinate_transformation_mode.data == "tf_crop_and_resize" and outside.any():
        raise lw.fail(op, "tf_crop_and_resize outside the input is not supported on the device")
    shape = list(x.shape)
    current = x
    for axis, positions in enumerate(index):
        if len(positions) == shape[axis] and (positions == np.arange(shape[axis])).all():
            continue
        shape[axis] = len(positions)
        out = lw.alloc(shape, x.element, x.layout)
        for at, start, step, length in _runs(positions):
            starts, steps = [0] * len(shape), [1] * len(shape)
            starts[axis], steps[axis] = start, step
            part_shape = list(shape)
            part_shape[axis] = length
            part = _cut(lw, op, current, starts, steps, part_shape)
            offsets = [0] * len(shape)
            offsets[axis] = at
            _place(lw, op, part, out, offsets)
        current = out
    assert list(shape) == list(shape_of(op.Y.type)) and current.element == element_of(op.Y)
    lw.define(op.Y, current)
