"""ConvTranspose in `lower-onnx-to-kernel`: a `kernel.conv` over the input with zeros
inserted between its pixels.

Along each spatial axis, a transposed convolution with stride s, dilation d and kernel
k equals a stride-1 convolution with the flipped kernel (dilation d) over the input
with s - 1 zeros between pixels, padded by (k - 1) * d on both sides; the result is
the window of that full result which the pads, output_padding, output_shape and
auto_pad select (`transpose_pads`, the reference's own rule). The padding the window
implies goes into the conv's pads; where it is negative, the conv's result is sliced.

- Zero insertion: the NHWC input is copied into a zero-filled [N, H, s, W, s, C]
  row-major buffer, which is the upsampled NHWC image with its last s - 1 rows and
  columns of zeros sliced off. The zeros come from one `kernel.elementwise` max of a
  one-element zero constant broadcast to the buffer (no image-sized blob).
- Weights [C, M/group, kH, kW] become HWIO [kH, kW, C/group, M], flipped along kH and
  kW: at compile time for constants; for weights computed at run time, by one
  transpose and one copy per kernel tap.
- A bias computed at run time is added after the conv (the device reads a conv bias
  as a constant); otherwise the bias and a following activation fuse as for Conv.
1-D runs as 2-D with a unit H; 3-D is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import IntegerAttr, StringAttr
from xdsl.ir import Attribute, Operation

from aicc.dialects import kernel
from aicc.dialects.elements import shape_of
from aicc.dialects.onnx_ops import ConvTransposeOp
from aicc.lowering.onnx_to_kernel.activation import emit_binary, f64_array, fused_activation
from aicc.lowering.onnx_to_kernel.builder import (
    Buffer,
    Lowering,
    element_of,
    lifted,
    names_of,
    permuted,
)
from aicc.lowering.onnx_to_kernel.registry import FLOAT, lowers
from aicc.sim.reference.kernels.conv import transpose_pads
from aicc.sim.reference.kernels.window import int_list


def _zeros(lw: Lowering, op: Operation, shape: Sequence[int], element: Attribute) -> Buffer:
    """A new row-major buffer of `shape` filled with zeros on the device."""
    out = lw.alloc(shape, element, "rowmajor")
    zero = np.zeros((1,) * len(shape), kernel.buffer_dtype(out.memref))
    one = lw.const(zero, out.element, f"{names_of(op)[0]}.zero")
    lw.emit(
        kernel.ElementwiseOp(
            [one.value, one.value],
            out.value,
            names_of(op),
            kind=StringAttr("max"),
            params=f64_array([]),
        )
    )
    return out


def _copy(lw: Lowering, op: Operation, x: Buffer, out: Buffer, offsets: Sequence[int]) -> None:
    lw.emit(kernel.CopyOp([x.value], out.value, names_of(op), offsets=kernel.i64_array(offsets)))


def _reshape(lw: Lowering, op: Operation, x: Buffer, shape: Sequence[int]) -> Buffer:
    out = lw.alloc(shape, x.element, "rowmajor")
    lw.emit(kernel.ReshapeOp([x.value], out.value, names_of(op)))
    return out


def _zero_inserted(lw: Lowering, op: Operation, x: Buffer, strides: Sequence[int]) -> Buffer:
    """NHWC `x` (logical [N, C, H, W]) with strides - 1 zeros between its pixels."""
    sh, sw = strides
    if (sh, sw) == (1, 1):
        return x
    n, c, h, w = x.shape
    flat = lw.alloc((n, h, w, c), x.element, "rowmajor")
    _copy(lw, op, x, flat, (0, 0, 0, 0))
    grid = _zeros(lw, op, (n, h, sh, w, sw, c), x.element)
    _copy(lw, op, _reshape(lw, op, flat, (n, h, 1, w, 1, c)), grid, (0,) * 6)
    spread = _reshape(lw, op, grid, (n, h * sh, w * sw, c))
    out = lw.alloc((n, c, (h - 1) * sh + 1, (w - 1) * sw + 1), x.element)
    lw.emit(
        kernel.SliceOp(
            [spread.value],
            out.value,
            names_of(op),
            starts=kernel.i64_array((0, 0, 0, 0)),
            steps=kernel.i64_array((1, 1, 1, 1)),
        )
    )
    return out


def _weights(lw: Lowering, op: ConvTransposeOp, group: int) -> Buffer:
    """The flipped HWIO weights of the equivalent conv."""
    shape = lifted(shape_of(op.W.type))
    c, mg, kh, kw = shape
    hwio = (kh, kw, c // group, mg * group)
    array = lw.constant_array(op.W)
    element = element_of(op.W)
    if array is not None:
        grouped = array.reshape(group, c // group, mg, kh, kw)[..., ::-1, ::-1]
        return lw.const(
            grouped.transpose(3, 4, 1, 0, 2).reshape(hwio), element, f"{op.first_output_name}.w"
        )
    names = names_of(op)
    w = lw.reshaped(lw.operand(op, op.W), (group, c // group, mg, kh, kw), names)
    taps = _reshape(lw, op, permuted(lw, w, (3, 4, 1, 0, 2), names), hwio)
    out = lw.alloc(hwio, element, "rowmajor")
    for a in range(kh):
        for b in range(kw):
            tap = lw.alloc((1, 1, *hwio[2:]), element, "rowmajor")
            lw.emit(
                kernel.SliceOp(
                    [taps.value],
                    tap.value,
                    names,
                    starts=kernel.i64_array((a, b, 0, 0)),
                    steps=kernel.i64_array((1, 1, 1, 1)),
                )
            )
            _copy(lw, op, tap, out, (kh - 1 - a, kw - 1 - b, 0, 0))
    return out


@lowers("onnx.ConvTranspose", precisions=FLOAT)
def lower_conv_transpose(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, ConvTransposeOp)
    x_shape, w_shape = shape_of(op.X.type), shape_of(op.W.type)
    if len(x_shape) not in (3, 4):
        raise lw.fail(
            op, f"only 1-D and 2-D transposed convolutions run on the device (rank {len(x_shape)})"
        )
    rank = len(x_shape) - 2
    spatial, kernel_shape = list(x_shape[2:]), list(w_shape[2:])
    strides = list(int_list(op, "strides", (1,) * rank))
    dilations = list(int_list(op, "dilations", (1,) * rank))
    extents = [(k - 1) * d + 1 for k, d in zip(kernel_shape, dilations, strict=True)]
    spans = [s * (i - 1) + e for s, i, e in zip(strides, spatial, extents, strict=True)]
    begin, out = transpose_pads(op, spatial, spans)
    y_shape = shape_of(op.Y.type)
    if list(y_shape[2:]) != list(out):
        raise lw.fail(op, "the result shape disagrees with the ConvTranspose attributes")
    lift = [1] * (2 - rank)
    strides, dilations = lift + strides, lift + dilations
    extents, begin, out = lift + extents, [0] * (2 - rank) + begin, lift + out
    group = op.group.value.data
    names = names_of(op)
    x = lw.reshaped(lw.operand(op, op.X), lifted(x_shape), names)
    upsampled = _zero_inserted(lw, op, x, strides)
    lengths = upsampled.shape[2:]
    pads_begin = [e - 1 - b for e, b in zip(extents, begin, strict=True)]
    pads_end = [
        o + e - 1 - n - p for o, e, n, p in zip(out, extents, lengths, pads_begin, strict=True)
    ]
    conv_shape = (
        *y_shape[:2],
        *(
            n + max(0, p) + max(0, q) - e + 1
            for n, p, q, e in zip(lengths, pads_begin, pads_end, extents, strict=True)
        ),
    )
    late_bias = op.B is not None and lw.constant_op(op.B) is None
    bias = [] if op.B is None or late_bias else [lw.operand(op, op.B).value]
    fused, activation = (None, kernel.NO_ACTIVATION) if late_bias else fused_activation(lw, op)
    result = (fused or op).results[0]
    conv = lw.alloc(conv_shape, element_of(result))
    lw.emit(
        kernel.ConvOp(
            [upsampled.value, _weights(lw, op, group).value, *bias],
            conv.value,
            names_of(op, *([fused] if fused else [])),
            strides=kernel.i64_array((1, 1)),
            dilations=kernel.i64_array(dilations),
            pads=kernel.i64_array([max(0, p) for p in (*pads_begin, *pads_end)]),
            group=IntegerAttr(group, 64),
            activation=activation,
        )
    )
    lifted_y = (*y_shape[:2], *out)
    if conv_shape != lifted_y:
        cropped = lw.alloc(lifted_y, conv.element)
        lw.emit(
            kernel.SliceOp(
                [conv.value],
                cropped.value,
                names,
                starts=kernel.i64_array((0, *(max(0, -p) for p in pads_begin), 0)),
                steps=kernel.i64_array((1, 1, 1, 1)),
            )
        )
        conv = cropped
    if late_bias:
        assert op.B is not None
        conv = emit_binary(lw, op, "add", conv, lw.operand(op, op.B), lifted_y, element_of(result))
    lw.define(result, lw.reshaped(conv, y_shape, names))
    if fused is not None:
        lw.define(op.Y, lw.values[result])
        lw.skip.add(fused)
