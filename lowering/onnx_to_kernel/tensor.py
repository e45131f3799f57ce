"""Pooling, normalization along an axis, data movement and precision changes in
`lower-onnx-to-kernel`.

Axis attributes are mapped to the buffer's physical axes (Softmax along channels
of an NHWC buffer is along its last axis), so no op here transposes an NHWC
buffer except Reshape-like ops whose H*W is not 1 (row-major order differs) and
Transpose (one `kernel.transpose` with the composed permutation). Data movement
never changes the element type: an INT8 result with other parameters than its
input gets a `kernel.convert {mode = "move"}` after the move (Concat: before, per
input), the fixed-point `to_type` by which the reference moves values.
A move that changes nothing (an identity permutation or full slice, Identity)
reuses the input buffer.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, StringAttr
from xdsl.ir import Operation, SSAValue

from aicc.dialects import kernel
from aicc.dialects.elements import shape_of
from aicc.dialects.onnx_ops import (
    AveragePoolOp,
    ConcatOp,
    DropoutOp,
    LRNOp,
    MaxPoolOp,
    SliceOp,
    SplitOp,
    TransposeOp,
)
from aicc.dialects.quant import ConvertOp, DequantizeOp, QuantCastOp, QuantizeOp, RequantizeOp
from aicc.lowering.onnx_to_kernel.builder import (
    NHWC,
    Buffer,
    Lowering,
    element_of,
    layout_for,
    lifted,
    names_of,
    physical_axis,
    quantized,
    to_physical,
)
from aicc.lowering.onnx_to_kernel.registry import ANY, FLOAT, lowers
from aicc.sim.reference.kernels.window import int_list, window_of


def _define_moved(lw: Lowering, op: Operation, result: SSAValue, buffer: Buffer) -> None:
    """`result` is `buffer`, converted when the result's quantization differs."""
    lw.define(result, lw.retyped(buffer, element_of(result), names_of(op), move=True))


# -- pooling ---------------------------------------------------------------------


def _lifted_window(attrs: dict[str, list[int]]) -> dict[str, list[int]]:
    """1-D window attributes as 2-D ones over a unit H (no padding along it)."""
    if len(attrs["kernel"]) == 2:
        return attrs
    begin, end = attrs["pads"]
    return {
        "kernel": [1, *attrs["kernel"]],
        "strides": [1, *attrs["strides"]],
        "dilations": [1, *attrs["dilations"]],
        "pads": [0, begin, 0, end],
    }


def _pool(
    lw: Lowering, op: Operation, kind: str, window_attrs: dict[str, list[int]], include_pad: int
) -> None:
    """A `kernel.pool`; a 1-D pool runs as a 2-D one with H = 1 (reshapes around it), a
    3-D one as a 2-D pool over H, W then one over D (both max and average windows are
    products of per-axis windows, and so are the taps an average counts)."""
    names = names_of(op)
    x_shape = shape_of(op.operands[0].type)
    x = lw.operand(op, op.operands[0])
    y_shape = shape_of(op.results[0].type)
    if len(x_shape) == 5:
        if kind == "avg" and quantized(op.results[0]) is not None:
            # Two INT8 averages round twice where the reference rounds once.
            raise lw.fail(op, "a 3-D average pool does not run on the device in i8")
        n, c, d, h, w = x_shape
        planes = (n, c * d, *y_shape[3:])
        x = _pool_2d(
            lw, op, kind, x, (n, c * d, h, w), planes, _axes(window_attrs, 1, 2), include_pad
        )
        out = _pool_2d(
            lw,
            op,
            kind,
            x,
            (n, c, d, planes[2] * planes[3]),
            (*y_shape[:3], planes[2] * planes[3]),
            _axes(window_attrs, 0, None),
            include_pad,
        )
    else:
        out = _pool_2d(
            lw,
            op,
            kind,
            x,
            lifted(x_shape),
            lifted(y_shape),
            _lifted_window(window_attrs),
            include_pad,
        )
    lw.define(op.results[0], lw.reshaped(out, y_shape, names))


def _axes(attrs: dict[str, list[int]], first: int, second: int | None) -> dict[str, list[int]]:
    """The 2-D window over spatial axes `first` and `second` of a 3-D one (None: a unit
    window over a whole axis)."""
    rank = len(attrs["kernel"])

    def pick(name: str, axis: int | None, unit: int) -> int:
        return unit if axis is None else attrs[name][axis]

    pads = attrs["pads"]
    return {
        "kernel": [pick("kernel", first, 1), pick("kernel", second, 1)],
        "strides": [pick("strides", first, 1), pick("strides", second, 1)],
        "dilations": [pick("dilations", first, 1), pick("dilations", second, 1)],
        "pads": [
            pads[first],
            0 if second is None else pads[second],
            pads[rank + first],
            0 if second is None else pads[rank + second],
        ],
    }


def _pool_2d(
    lw: Lowering,
    op: Operation,
    kind: str,
    x: Buffer,
    x_shape: tuple[int, ...],
    y_shape: tuple[int, ...],
    window_attrs: dict[str, list[int]],
    include_pad: int,
) -> Buffer:
    """A `kernel.pool` of `x` viewed as the 4-D `x_shape`, into a new 4-D `y_shape` buffer."""
    names = names_of(op)
    source = lw.reshaped(x, x_shape, names)
    out = lw.alloc_for(op.results[0], y_shape)
    lw.emit(
        kernel.PoolOp(
            [source.value],
            out.value,
            names,
            kind=StringAttr(kind),
            count_include_pad=IntegerAttr(include_pad, 64),
            **{k: kernel.i64_array(v) for k, v in window_attrs.items()},
        )
    )
    return out


def _check_pool_rank(lw: Lowering, op: Operation) -> tuple[int, ...]:
    shape = shape_of(op.operands[0].type)
    if len(shape) not in (3, 4, 5):
        raise lw.fail(
            op, f"only 1-D, 2-D and 3-D pooling runs on the device (input rank {len(shape)})"
        )
    return shape


@lowers("onnx.MaxPool", "onnx.AveragePool", precisions=ANY)
def lower_pool(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, MaxPoolOp | AveragePoolOp)
    shape = _check_pool_rank(lw, op)
    if isinstance(op, MaxPoolOp) and op.Indices is not None and op.Indices.uses:
        raise lw.fail(op, "MaxPool Indices are not supported on the device")
    window = window_of(op, shape[2:], int_list(op, "kernel_shape", ()))
    if window.out != shape_of(op.results[0].type)[2:]:
        raise lw.fail(op, "the result shape disagrees with the pooling window")
    attrs = {
        "kernel": list(window.kernel),
        "strides": list(window.strides),
        "dilations": list(window.dilations),
        "pads": [*window.pads_begin, *window.pads_end],
    }
    include_pad = op.count_include_pad.value.data if isinstance(op, AveragePoolOp) else 0
    _pool(lw, op, "max" if isinstance(op, MaxPoolOp) else "avg", attrs, include_pad)


@lowers("onnx.GlobalMaxPool", "onnx.GlobalAveragePool", precisions=ANY)
def lower_global_pool(lw: Lowering, op: Operation) -> None:
    spatial = _check_pool_rank(lw, op)[2:]
    attrs = {
        "kernel": list(spatial),
        "strides": [1] * len(spatial),
        "dilations": [1] * len(spatial),
        "pads": [0] * 2 * len(spatial),
    }
    _pool(lw, op, "max" if op.name == "onnx.GlobalMaxPool" else "avg", attrs, 0)


# -- along an axis -----------------------------------------------------------------


def _axis(op: Operation, rank: int) -> int:
    attr = op.properties.get("axis")
    value = attr.value.data if isinstance(attr, IntegerAttr) else 0
    return value + rank if value < 0 else value


@lowers("onnx.Softmax", "onnx.LogSoftmax", precisions=FLOAT)
def lower_softmax(lw: Lowering, op: Operation) -> None:
    x = lw.operand(op, op.operands[0])
    out = lw.alloc_for(op.results[0])
    axis = physical_axis(x.layout, _axis(op, len(x.shape)))
    lw.emit(
        kernel.SoftmaxOp(
            [x.value],
            out.value,
            names_of(op),
            axis=IntegerAttr(axis, 64),
            log=IntegerAttr(int(op.name == "onnx.LogSoftmax"), 64),
        )
    )
    lw.define(op.results[0], out)


@lowers("onnx.LRN", precisions=FLOAT)
def lower_lrn(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, LRNOp)
    rank = len(shape_of(op.X.type))
    if rank != 4:
        raise lw.fail(op, f"LRN of rank {rank} is not supported on the device")
    x = lw.operand(op, op.X)
    out = lw.alloc_for(op.Y)
    lw.emit(
        kernel.LrnOp(
            [x.value],
            out.value,
            names_of(op),
            size=IntegerAttr(op.size.value.data, 64),
            alpha=FloatAttr(op.alpha.value.data, 32),
            beta=FloatAttr(op.beta.value.data, 32),
            bias=FloatAttr(op.bias.value.data, 32),
        )
    )
    lw.define(op.Y, out)


# -- data movement -------------------------------------------------------------------


@lowers("onnx.Reshape", "onnx.Flatten", "onnx.Squeeze", "onnx.Unsqueeze", precisions=ANY)
def lower_reshape(lw: Lowering, op: Operation) -> None:
    """The result type states the new shape, so shape and axes inputs are not read."""
    result = op.results[0]
    x = lw.operand(op, op.operands[0])
    _define_moved(lw, op, result, lw.reshaped(x, shape_of(result.type), names_of(op)))


@lowers("onnx.Identity", "onnx.Dropout", precisions=ANY)
def lower_identity(lw: Lowering, op: Operation) -> None:
    if isinstance(op, DropoutOp) and op.mask is not None and op.mask.uses:
        raise lw.fail(op, "the Dropout mask is not supported on the device")
    _define_moved(lw, op, op.results[0], lw.operand(op, op.operands[0]))


def _physical_perm(layout: str, rank: int) -> np.ndarray:
    return np.asarray(NHWC if layout == "nhwc" else range(rank))


@lowers("onnx.Transpose", precisions=ANY)
def lower_transpose(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, TransposeOp)
    x = lw.operand(op, op.data)
    rank = len(x.shape)
    perm = np.asarray(int_list(op, "perm", tuple(reversed(range(rank)))))
    out_shape = shape_of(op.transposed.type)
    # x_phys = x.transpose(P_in); y_phys = x.transpose(perm).transpose(P_out).
    total = np.argsort(_physical_perm(x.layout, rank))[perm][
        _physical_perm(layout_for(out_shape), rank)
    ]
    if (total == np.arange(rank)).all():
        _define_moved(lw, op, op.transposed, Buffer(x.value, layout_for(out_shape), out_shape))
        return
    out = lw.alloc(out_shape, element_of(op.data))
    lw.emit(
        kernel.TransposeOp(
            [x.value], out.value, names_of(op), perm=kernel.i64_array(total.tolist())
        )
    )
    _define_moved(lw, op, op.transposed, out)


@lowers("onnx.Concat", precisions=ANY)
def lower_concat(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, ConcatOp)
    result = op.concat_result
    shape = shape_of(result.type)
    out = lw.alloc_for(result)
    axis = _axis(op, len(shape))
    position = 0
    for value in op.inputs:
        size = shape_of(value.type)[axis]
        if size == 0:
            continue
        part = lw.retyped(lw.operand(op, value), element_of(result), names_of(op), move=True)
        offsets = [0] * len(shape)
        offsets[axis] = position
        lw.emit(
            kernel.CopyOp(
                [part.value],
                out.value,
                names_of(op),
                offsets=kernel.i64_array(to_physical(out.layout, offsets)),
            )
        )
        position += size
    lw.define(result, out)


def _slice_into(
    lw: Lowering, op: Operation, x: Buffer, starts: list[int], steps: list[int], result: SSAValue
) -> None:
    shape = shape_of(result.type)
    if list(shape) == list(x.shape) and all(s == 1 for s in steps):
        _define_moved(lw, op, result, x)
        return
    out = lw.alloc(shape, element_of(op.operands[0]))
    lw.emit(
        kernel.SliceOp(
            [x.value],
            out.value,
            names_of(op),
            starts=kernel.i64_array(to_physical(x.layout, starts)),
            steps=kernel.i64_array(to_physical(x.layout, steps)),
        )
    )
    _define_moved(lw, op, result, out)


def _ints(lw: Lowering, op: Operation, value: SSAValue | None, what: str) -> list[int] | None:
    if value is None:
        return None
    array = lw.constant_array(value)
    if array is None:
        raise lw.fail(op, f"{what} must be constants on the device")
    return [int(v) for v in array.reshape(-1)]


@lowers("onnx.Slice", precisions=ANY)
def lower_slice(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, SliceOp)
    x = lw.operand(op, op.data)
    rank = len(x.shape)
    starts = _ints(lw, op, op.starts, "Slice starts") or []
    ends = _ints(lw, op, op.ends, "Slice ends") or []
    axes = _ints(lw, op, op.axes, "Slice axes") or list(range(len(starts)))
    steps = _ints(lw, op, op.steps, "Slice steps") or [1] * len(starts)
    first, step = [0] * rank, [1] * rank
    for start, end, axis, stride in zip(starts, ends, axes, steps, strict=True):
        axis = axis + rank if axis < 0 else axis
        begin, _, stride = slice(start, end, stride).indices(x.shape[axis])
        first[axis], step[axis] = begin, stride
    _slice_into(lw, op, x, first, step, op.output)


@lowers("onnx.Split", precisions=ANY)
def lower_split(lw: Lowering, op: Operation) -> None:
    """The result types state each part's size along the axis."""
    assert isinstance(op, SplitOp)
    x = lw.operand(op, op.input)
    axis = _axis(op, len(x.shape))
    position = 0
    for result in op.outputs:
        starts = [0] * len(x.shape)
        starts[axis] = position
        _slice_into(lw, op, x, starts, [1] * len(x.shape), result)
        position += shape_of(result.type)[axis]


# -- precision changes ------------------------------------------------------------------


@lowers(QuantizeOp.name, DequantizeOp.name, RequantizeOp.name, ConvertOp.name)
def lower_cast(lw: Lowering, op: Operation) -> None:
    assert isinstance(op, QuantCastOp)
    x = lw.operand(op, op.input)
    if isinstance(op, DequantizeOp) and is_output_edge(op):
        lw.define(op.output, x)
        return
    lw.define(op.output, lw.retyped(x, element_of(op.output), names_of(op)))


def is_output_edge(op: DequantizeOp) -> bool:
    """A dequantize read only by the return: the host dequantizes the device's output."""
    uses = list(op.output.uses)
    return len(uses) == 1 and uses[0].operation.name == "func.return"
