"""ReduceMax, ReduceMean and ReduceSum in `lower-onnx-to-kernel`, composed of kernels the
device already runs.

The reduced axes are moved last (one `kernel.transpose` unless they already are), so
the input is a [K, R] matrix of K kept positions by R reduced ones:
- Max and Mean are a max / average `kernel.pool` of that matrix laid out as an NHWC
  [1, 1, R, K] buffer (a window of 1 x R over K channels). A 4-D input reduced over
  H and/or W is pooled in place, without moving it;
- Sum is a `kernel.matmul` of the [K, R] matrix with a constant column of R ones.
The result is reshaped to the op's result shape (keepdims or not). An empty or absent
`axes` reduces every axis, or passes the input through with noop_with_empty_axes.
"""

from __future__ import annotations

from math import prod

import numpy as np
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, StringAttr, f64
from xdsl.ir import Operation

from aicc.dialects import kernel
from aicc.dialects.elements import shape_of
from aicc.dialects.onnx_ops import ReduceMaxOp, ReduceMeanOp, ReduceSumOp
from aicc.lowering.onnx_to_kernel.builder import Buffer, Lowering, element_of, names_of, permuted
from aicc.lowering.onnx_to_kernel.registry import FLOAT, lowers

POOLED = {"onnx.ReduceMax": "max", "onnx.ReduceMean": "avg"}


def _reduced_axes(lw: Lowering, op: ReduceMaxOp | ReduceMeanOp | ReduceSumOp) -> list[int] | None:
    """The sorted axes `op` reduces; None when it passes its input through."""
    rank = len(shape_of(op.data.type))
    axes: list[int] = []
    if op.axes is not None:
        array = lw.constant_array(op.axes)
        if array is None:
            raise lw.fail(op, "reduction axes must be constants on the device")
        axes = [int(a) + rank if a < 0 else int(a) for a in array.reshape(-1)]
    if not axes:
        return None if op.noop_with_empty_axes.value.data else list(range(rank))
    return sorted(set(axes))


def _pool(lw: Lowering, op: Operation, kind: str, x: Buffer, window: tuple[int, int]) -> Buffer:
    """A `kind` pool of NHWC `x` with one window covering `window` = (H, W) of it."""
    n, c, h, w = x.shape
    out = lw.alloc((n, c, h // window[0], w // window[1]), x.element)
    lw.emit(
        kernel.PoolOp(
            [x.value],
            out.value,
            names_of(op),
            kind=StringAttr(kind),
            count_include_pad=IntegerAttr(0, 64),
            kernel=kernel.i64_array(window),
            strides=kernel.i64_array(window),
            dilations=kernel.i64_array((1, 1)),
            pads=kernel.i64_array((0, 0, 0, 0)),
        )
    )
    return out


def _sum(lw: Lowering, op: Operation, matrix: Buffer) -> Buffer:
    """The row sums of the [K, R] row-major `matrix`, as [K, 1]."""
    k, r = matrix.shape
    ones = np.ones((r, 1), kernel.buffer_dtype(matrix.memref))
    column = lw.const(ones, matrix.element, f"{names_of(op)[0]}.ones")
    out = lw.alloc((k, 1), matrix.element, "rowmajor")
    lw.emit(
        kernel.MatmulOp(
            [matrix.value, column.value],
            out.value,
            names_of(op),
            activation=kernel.NO_ACTIVATION,
            alpha=FloatAttr(1.0, f64),
            beta=FloatAttr(1.0, f64),
        )
    )
    return out


@lowers("onnx.ReduceMax", "onnx.ReduceMean", "onnx.ReduceSum", precisions=FLOAT)
def lower_reduce(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, ReduceMaxOp | ReduceMeanOp | ReduceSumOp)
    names = names_of(op)
    x = lw.operand(op, op.data)
    result = op.reduced
    axes = _reduced_axes(lw, op)
    if axes is None:
        lw.define(result, x)
        return
    shape = x.shape
    kept = [a for a in range(len(shape)) if a not in axes]
    count = prod(shape[a] for a in axes)
    if count == 0 or prod(shape) == 0:
        raise lw.fail(op, "a reduction over no elements is not supported on the device")
    kind = POOLED.get(op.name)
    if kind is not None and x.layout == "nhwc" and set(axes) <= {2, 3}:
        window = (shape[2] if 2 in axes else 1, shape[3] if 3 in axes else 1)
        reduced = _pool(lw, op, kind, x, window)
    else:
        matrix = lw.reshaped(
            permuted(lw, x, [*kept, *axes], names), (prod(shape[a] for a in kept), count), names
        )
        if kind is None:
            reduced = _sum(lw, op, matrix)
        else:
            rows = lw.reshaped(matrix, (1, matrix.shape[0], 1, count), names)
            reduced = _pool(lw, op, kind, rows, (1, count))
    assert element_of(result) == reduced.element
    lw.define(result, lw.reshaped(reduced, shape_of(result.type), names))
