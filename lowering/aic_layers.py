"""One lowering function per `kernel` op: its layer record and its per-core streams.

Each function reads the op's buffers as `DdrTensor`s, computes the constants the
device needs, and hands a layer description to an emitter (`aic_window`,
`aic_matmul`, `aic_mapped`). The precision of a layer is that of its result
(an i8 result is an INT8 kernel; f16 and f32 as typed).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects.builtin import I64, DenseArrayBase, Float16Type, MemRefType
from xdsl.ir import SSAValue

from aicc.base import int8 as q
from aicc.base.errors import UserError
from aicc.base.precision import Precision
from aicc.dialects import kernel as k
from aicc.dialects.aic import ParamValue, ViewAttr
from aicc.dialects.quant import UniformQuantizedType
from aicc.lowering.aic_epilogue import (
    Epilogue,
    QuantTypes,
    float_act_params,
    float_epilogue,
    requant_epilogue,
)
from aicc.lowering.aic_mapped import Mapped, emit_mapped
from aicc.lowering.aic_matmul import MatmulLayer, emit_matmul
from aicc.lowering.aic_program import ProgramBuilder
from aicc.lowering.aic_stream import CoreStream, DdrTensor
from aicc.lowering.aic_window import TileViews, Window, WindowLayer, emit_window
from aicc.sim.reference.kernels.pool import _tap_counts
from aicc.sim.reference.kernels.window import Window as RefWindow

Lowering = Callable[[ProgramBuilder, k.KernelOp, str], list[CoreStream]]


def node_of(op: k.KernelOp) -> str:
    return ",".join(op.names)


def memref(value: SSAValue) -> MemRefType:
    t = value.type
    assert isinstance(t, MemRefType)
    return t


def precision(t: MemRefType) -> Precision:
    """The precision a buffer's element type runs in (quantized: i8)."""
    kind = k.element_kind(t)
    if kind == "quant":
        return "i8"
    return "f16" if kind == "f16" else "f32"


def quant(t: MemRefType, node: str, role: str) -> UniformQuantizedType:
    element = k.quant_element(t)
    if element is None:
        raise UserError(f"node '{node}': {role} must be quantized")
    return element


def const_array(value: SSAValue, node: str) -> np.ndarray:
    """The storage values of a `kernel.const` operand."""
    owner = value.owner
    if not isinstance(owner, k.ConstOp):
        raise UserError(f"node '{node}': the device needs a constant here, not a computed buffer")
    t = memref(value)
    return owner.resource.blob.view(k.buffer_dtype(t), tuple(t.get_shape()), owner.resource.key)


def ints(array: DenseArrayBase[I64]) -> tuple[int, ...]:
    return array.get_values()


def _record(builder: ProgramBuilder, op: k.KernelOp, kind: str, macs: int) -> None:
    moved = sum(builder.tensor(v).nbytes for v in (*op.inputs, op.output))
    builder.layer(node_of(op), kind, precision(op.out_type()), macs, moved)


# -- conv and pool ------------------------------------------------------------------


def lower_conv(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.ConvOp)
    x, w, y = builder.tensor(op.inputs[0]), builder.tensor(op.inputs[1]), builder.tensor(op.output)
    kh, kw, cg, cout = w.shape
    group = op.group.value.data
    macs = math.prod(y.shape) * kh * kw * cg
    _record(builder, op, "conv", macs)
    xt, wt, yt = memref(op.inputs[0]), memref(op.inputs[1]), op.out_type()
    bias = const_array(op.inputs[2], node) if len(op.inputs) == 3 else None
    mode = precision(yt)
    if mode == "i8":
        types = QuantTypes(
            quant(xt, node, "the input"),
            quant(wt, node, "the weights"),
            quant(yt, node, "the result"),
            None if bias is None else k.quant_element(memref(op.inputs[2])),
        )
        epilogue = requant_epilogue(builder, node, types, op.activation, cout, bias)
        zero_points = (types.x.zero_point, 0 if types.w.is_per_axis else types.w.zero_point)
        pad_value: float | int = types.x.zero_point
        acc = np.dtype(np.int32)
    else:
        epilogue = float_epilogue(builder, node, op.activation, cout, bias)
        zero_points, pad_value, acc = (0, 0), 0.0, np.dtype(np.float32)
    window = Window((kh, kw), _pair(op.strides), _pair(op.dilations), _quad(op.pads))
    if (kh, kw) == (1, 1) and not any(window.pads) and window.strides != (1, 1):
        # A strided 1x1 kernel reads every stride-th pixel only: DMA just those.
        x, window = _subsampled(x, window, y.shape[1:3])

    def body(stream: CoreStream, views: TileViews) -> None:
        assert views.acc is not None
        weight = views.weight
        assert weight is not None
        stream.conv(
            views.input,
            weight,
            views.acc,
            mode,
            strides=window.strides,
            dilations=window.dilations,
            group=weight.shape[3] // (cout // group) if group > 1 else 1,
            zero_points=zero_points,
        )
        epilogue.emit(stream, views.acc, views.output, views.table)

    unit = builder.target.alignment.tile_n_multiple
    layer = WindowLayer(
        x=x,
        y=y,
        window=window,
        pad_value=pad_value,
        in_per_unit=cg if group > 1 else 0,
        out_per_unit=cout // group if group > 1 else unit,
        weight=w,
        table=epilogue.table,
        acc_dtype=acc,
        body=body,
        macs=macs,
        rate=builder.target.matrix_macs_per_cycle[mode],
    )
    return emit_window(builder, node, layer)


def _subsampled(x: DdrTensor, window: Window, out_hw: Sequence[int]) -> tuple[DdrTensor, Window]:
    """The pixels a strided 1x1 window reads, as a strided NHWC tensor, and a unit window."""
    (sh, sw), (n, _, _, c) = window.strides, x.shape
    strides = (x.strides[0], x.strides[1] * sh, x.strides[2] * sw, x.strides[3])
    pixels = DdrTensor(x.addr, (n, out_hw[0], out_hw[1], c), strides, x.dtype)
    return pixels, Window((1, 1), (1, 1), window.dilations, window.pads)


def _pair(array: DenseArrayBase[I64]) -> tuple[int, int]:
    a, b = ints(array)
    return a, b


def _quad(array: DenseArrayBase[I64]) -> tuple[int, int, int, int]:
    a, b, c, d = ints(array)
    return a, b, c, d


def lower_pool(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.PoolOp)
    x, y = builder.tensor(op.inputs[0]), builder.tensor(op.output)
    window = Window(_pair(op.kernel), _pair(op.strides), _pair(op.dilations), _quad(op.pads))
    kind = op.kind.data
    _record(builder, op, "pool", math.prod(y.shape) * math.prod(window.kernel))
    xt, yt = memref(op.inputs[0]), op.out_type()
    mode = precision(yt)
    params: dict[str, ParamValue | Sequence[int]] = {
        "kernel": window.kernel,
        "strides": window.strides,
        "dilations": window.dilations,
    }
    consts: tuple[DdrTensor, ...] = ()
    moved: dict[str, ParamValue] | None = None
    if kind == "avg":
        consts = (_divisor(builder, node, op, window, mode),)
        if mode == "i8":
            tx, ty = quant(xt, node, "the input"), quant(yt, node, "the result")
            params |= {
                "in_scale": tx.scale,
                "in_zero_point": tx.zero_point,
                "out_scale": ty.scale,
                "zero_point": ty.zero_point,
                "qmin": ty.qmin,
                "qmax": ty.qmax,
            }
        pad_value: float | int = quant(xt, node, "the input").zero_point if mode == "i8" else 0.0
    else:
        pad_value = _lowest(x.dtype)
        if xt.get_element_type() != yt.get_element_type():
            moved = _move_params(node, quant(xt, node, "the input"), quant(yt, node, "the result"))

    def body(stream: CoreStream, views: TileViews) -> None:
        target = views.output if moved is None else views.acc
        assert target is not None
        stream.vector(f"pool_{kind}", [views.input, *views.rows], [target], params)
        if moved is not None:
            stream.vector("requantize", [target], [views.output], moved)

    layer = WindowLayer(
        x=x,
        y=y,
        window=window,
        pad_value=pad_value,
        in_per_unit=1,
        out_per_unit=1,
        weight=None,
        table=None,
        acc_dtype=x.dtype if moved is not None else None,
        body=body,
        macs=math.prod(y.shape) * math.prod(window.kernel),
        rate=builder.target.vector_lanes_per_cycle[mode],
        row_consts=consts,
    )
    return emit_window(builder, node, layer)


def _lowest(dtype: np.dtype) -> float | int:
    """Max pooling's padding: below every value (-inf would not print as a parameter)."""
    if dtype.kind == "f":
        return float(np.finfo(dtype).min)
    return int(np.iinfo(dtype).min)


def _divisor(
    builder: ProgramBuilder, node: str, op: k.PoolOp, window: Window, mode: str
) -> DdrTensor:
    """Taps counted per output position [OH, OW], as the reference counts them."""
    h, w = memref(op.inputs[0]).get_shape()[1:3]
    oh, ow = op.out_type().get_shape()[1:3]
    pads = window.pads
    ref = RefWindow(
        window.kernel,
        window.strides,
        window.dilations,
        (pads[0], pads[1]),
        (pads[2], pads[3]),
        (oh, ow),
    )
    counts = _tap_counts(ref, (h, w), op.count_include_pad.value.data == 1)
    dtype = {"i8": np.int32, "f16": np.float16, "f32": np.float32}[mode]
    return builder.constant(f"{node}_divisor", counts.astype(dtype))


def _move_params(
    node: str, source: UniformQuantizedType, target: UniformQuantizedType
) -> dict[str, ParamValue]:
    """`requantize` parameters moving storage values between per-tensor types (`to_type`)."""
    try:
        multiplier, shift = q.quantize_multiplier(source.scale / target.scale)
    except ValueError as e:
        raise UserError(f"node '{node}': {e}") from None
    return {
        "multiplier": multiplier,
        "shift": shift,
        "in_zero_point": source.zero_point,
        "zero_point": target.zero_point,
        "qmin": target.qmin,
        "qmax": target.qmax,
    }


# -- matmul -------------------------------------------------------------------------


def lower_matmul(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.MatmulOp)
    y = builder.tensor(op.output)
    rank = len(y.shape)
    a = _at_rank(builder.tensor(op.inputs[0]), rank)
    b = _at_rank(builder.tensor(op.inputs[1]), rank)
    _record(builder, op, "matmul", math.prod(y.shape) * a.shape[-1])
    alpha, beta = op.alpha.value.data, op.beta.value.data
    yt = op.out_type()
    channels = y.shape[-1]
    mode = precision(yt)
    bias_tile = None
    if len(op.inputs) == 3 and beta != 0.0 and not _per_column(op.inputs[2], channels):
        if mode == "i8":
            raise UserError(f"node '{node}': an INT8 bias that is not per column is not supported")
        bias_tile = _at_rank(builder.tensor(op.inputs[2]), rank)
    bias = const_array(op.inputs[2], node) if len(op.inputs) == 3 and not bias_tile else None
    if mode == "i8":
        types = QuantTypes(
            quant(memref(op.inputs[0]), node, "a"),
            quant(memref(op.inputs[1]), node, "b"),
            quant(yt, node, "the result"),
            None if bias is None else k.quant_element(memref(op.inputs[2])),
        )
        epilogue: Epilogue = requant_epilogue(
            builder, node, types, op.activation, channels, bias, alpha, beta
        )
        zero_points = (types.x.zero_point, 0 if types.w.is_per_axis else types.w.zero_point)
        acc = np.dtype(np.int32)
    else:
        epilogue = float_epilogue(
            builder, node, op.activation, channels, bias, alpha, beta, bias_tile is not None
        )
        zero_points, acc = (0, 0), np.dtype(np.float32)
    layer = MatmulLayer(a, b, y, mode, zero_points, acc, epilogue, bias_tile)
    return emit_matmul(builder, node, layer)


def _per_column(value: SSAValue, channels: int) -> bool:
    """Whether a matmul bias is a constant that broadcasts along the columns only."""
    if not isinstance(value.owner, k.ConstOp):
        return False
    shape = memref(value).get_shape()
    return math.prod(shape) == 1 or (math.prod(shape) == channels and shape[-1] == channels)


def _at_rank(tensor: DdrTensor, rank: int) -> DdrTensor:
    """`tensor` with leading axes of size 1 up to `rank`."""
    extra = rank - len(tensor.shape)
    return tensor.reshaped((1,) * extra + tensor.shape) if extra > 0 else tensor


# -- row-split layers -----------------------------------------------------------------

Compute = Callable[[CoreStream, Sequence[ViewAttr], ViewAttr, Sequence[ViewAttr]], None]


def _vector(opcode: str, params: dict[str, ParamValue] | None = None) -> Compute:
    def compute(
        stream: CoreStream, ins: Sequence[ViewAttr], out: ViewAttr, _: Sequence[ViewAttr]
    ) -> None:
        stream.vector(opcode, ins, [out], params)

    return compute


_FLOAT_PARAMS = {
    "leaky_relu": ("alpha",),
    "elu": ("alpha",),
    "selu": ("alpha", "gamma"),
    "hard_sigmoid": ("alpha", "beta"),
    "clip": ("min", "max"),
}


def lower_elementwise(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.ElementwiseOp)
    y = builder.tensor(op.output)
    ins = tuple(_at_rank(builder.tensor(v), len(y.shape)) for v in op.inputs)
    _record(builder, op, "elementwise", 0)
    kind = op.kind.data
    values = [float(v) for v in op.params.get_values()]
    if precision(op.out_type()) != "i8":
        params: dict[str, ParamValue] = {
            name: value
            for name, value in zip(_FLOAT_PARAMS.get(kind, ()), values, strict=True)
            if np.isfinite(value)
        }
        compute = _vector(kind, params)
    elif kind in ("add", "sub", "mul"):
        compute = _vector(f"q{kind}", _binary_params(op, node))
    else:
        compute = _quantized_unary(op, node, values)
    return emit_mapped(builder, node, Mapped(y, ins, compute, len(y.shape) - 1))


def _binary_params(op: k.ElementwiseOp, node: str) -> dict[str, ParamValue]:
    """qadd/qsub/qmul parameters: the multipliers of `aicc.base.int8`."""
    ta, tb = (quant(memref(v), node, "an input") for v in op.inputs)
    ty = quant(op.out_type(), node, "the result")
    try:
        if op.kind.data == "mul":
            multiplier, shift = q.quantize_multiplier(ta.scale * tb.scale / ty.scale)
            params: dict[str, ParamValue] = {
                "a_zero_point": ta.zero_point,
                "b_zero_point": tb.zero_point,
            }
        else:
            real_a, real_b, real_out = q.add_multipliers(ta.scale, tb.scale, ty.scale)
            params = {}
            for key, t, real in (("a", ta, real_a), ("b", tb, real_b)):
                m, s = q.quantize_multiplier(real)
                params |= {
                    f"{key}_zero_point": t.zero_point,
                    f"{key}_multiplier": m,
                    f"{key}_shift": s,
                }
            multiplier, shift = q.quantize_multiplier(real_out)
    except ValueError as e:
        raise UserError(f"node '{node}': {e}") from None
    return params | {
        "multiplier": multiplier,
        "shift": shift,
        "zero_point": ty.zero_point,
        "qmin": ty.qmin,
        "qmax": ty.qmax,
    }


def _quantized_unary(op: k.ElementwiseOp, node: str, values: list[float]) -> Compute:
    """i8 Relu and Clip as one `requantize` to the result type with narrowed bounds.

    Relu is `requantize(max(q - z_in, 0))`; requantization is monotone and maps 0 to
    the result's zero point, so that equals `max(requantize(q - z_in), z_out)`. Clip
    moves x to the result type, then clamps to its bounds (result storage integers).
    """
    source = quant(memref(op.inputs[0]), node, "the input")
    target = quant(op.out_type(), node, "the result")
    params = _move_params(node, source, target)
    if op.kind.data == "clip":
        params["qmin"] = max(target.qmin, int(values[0]))
        params["qmax"] = min(target.qmax, int(values[1]))
    else:
        params["qmin"] = max(target.qmin, target.zero_point)
    return _vector("requantize", params)


def lower_scale_shift(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    """`act(x * scale + shift)` in f32 scratch, rounded once into the result."""
    assert isinstance(op, k.ScaleShiftOp)
    y = builder.tensor(op.output)
    rank = len(y.shape)
    x, scale, shift = (_at_rank(builder.tensor(v), rank) for v in op.inputs)
    _record(builder, op, "scale_shift", 0)
    params = float_act_params(op.activation)

    def compute(
        stream: CoreStream, tiles: Sequence[ViewAttr], out: ViewAttr, scratch: Sequence[ViewAttr]
    ) -> None:
        stream.vector("mul", tiles[:2], [scratch[0]])
        stream.vector("add", [scratch[0], tiles[2]], [scratch[0]])
        stream.vector("bias_act", [scratch[0]], [out], params)

    layer = Mapped(y, (x, scale, shift), compute, rank - 1, (np.dtype(np.float32),))
    return emit_mapped(builder, node, layer)


def lower_softmax(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.SoftmaxOp)
    y = builder.tensor(op.output)
    _record(builder, op, "softmax", 0)
    # The vector unit normalizes along the last axis: the tiles see `axis` last.
    x = builder.tensor(op.inputs[0])
    axis, rank = op.axis.value.data, len(y.shape)
    if rank == 1:
        x, y, axis, rank = x.reshaped((1, *x.shape)), y.reshaped((1, *y.shape)), 1, 2
    perm = [*(a for a in range(rank) if a != axis), axis]
    x = x.permuted(perm)
    opcode = "log_softmax" if op.log.value.data else "softmax"
    layer = Mapped(y.permuted(perm), (x,), _vector(opcode), rank - 2)
    return emit_mapped(builder, node, layer)


def lower_lrn(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.LrnOp)
    y = builder.tensor(op.output)
    _record(builder, op, "lrn", 0)
    params: dict[str, ParamValue] = {
        "size": op.size.value.data,
        "alpha": op.alpha.value.data,
        "beta": op.beta.value.data,
        "bias": op.bias.value.data,
    }
    layer = Mapped(y, (builder.tensor(op.inputs[0]),), _vector("lrn", params), len(y.shape) - 2)
    return emit_mapped(builder, node, layer)


def lower_convert(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    """f32<->f16 `copy`; `quantize`; `dequantize`; i8->i8 as dequantize then quantize
    (quant.requantize is defined by that composition), or in mode "move" as the
    fixed-point `requantize` opcode (the reference's `to_type`)."""
    assert isinstance(op, k.ConvertOp)
    x, y = builder.tensor(op.inputs[0]), builder.tensor(op.output)
    _record(builder, op, "convert", 0)
    source, target = k.quant_element(memref(op.inputs[0])), k.quant_element(op.out_type())
    rank = len(y.shape)
    if op.mode.data == "move":
        assert source is not None and target is not None
        moved = _vector("requantize", _move_params(node, source, target))
        return emit_mapped(builder, node, Mapped(y, (x,), moved, rank - 1))
    if source is None and target is None:
        return emit_mapped(builder, node, Mapped(y, (x,), _vector("copy"), rank - 1))
    if source is None:
        assert target is not None
        ins, params = _quant_operands(builder, node, target, rank)
        layer = Mapped(y, (x, *ins), _vector("quantize", params), rank - 1)
        return emit_mapped(builder, node, layer)
    d_ins, d_params = _quant_operands(builder, node, source, rank)
    d_params["expressed"] = "f16" if isinstance(source.expressed_type, Float16Type) else "f32"
    if target is None:
        layer = Mapped(y, (x, *d_ins), _vector("dequantize", d_params), rank - 1)
        return emit_mapped(builder, node, layer)
    q_ins, q_params = _quant_operands(builder, node, target, rank)
    split = 1 + len(d_ins)
    expressed = np.dtype(np.float16 if d_params["expressed"] == "f16" else np.float32)

    def compute(
        stream: CoreStream, tiles: Sequence[ViewAttr], out: ViewAttr, scratch: Sequence[ViewAttr]
    ) -> None:
        stream.vector("dequantize", tiles[:split], [scratch[0]], d_params)
        stream.vector("quantize", [scratch[0], *tiles[split:]], [out], q_params)

    layer = Mapped(y, (x, *d_ins, *q_ins), compute, rank - 1, (expressed,))
    return emit_mapped(builder, node, layer)


def _quant_operands(
    builder: ProgramBuilder, node: str, t: UniformQuantizedType, rank: int
) -> tuple[tuple[DdrTensor, ...], dict[str, ParamValue]]:
    """Per-tensor parameters, or per-axis scale/zero-point vectors along the last axis."""
    bounds: dict[str, ParamValue] = {"qmin": t.qmin, "qmax": t.qmax}
    if not t.is_per_axis:
        return (), {"scale": t.scale, "zero_point": t.zero_point, **bounds}
    if t.axis != rank - 1:
        raise UserError(
            f"node '{node}': a per-axis conversion along axis {t.axis} (not the last) is not "
            "supported on the device"
        )
    shape = (1,) * (rank - 1) + (len(t.scales),)
    scale = builder.constant(f"{node}_scale", t.scale_array().astype(np.float32)).reshaped(shape)
    zero = builder.constant(f"{node}_zp", t.zero_point_array().astype(np.int32)).reshaped(shape)
    return (scale, zero), bounds


# -- data movement ---------------------------------------------------------------------


def lower_transpose(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.TransposeOp)
    y = builder.tensor(op.output)
    x = builder.tensor(op.inputs[0]).permuted(ints(op.perm))
    _record(builder, op, "transpose", 0)
    return emit_mapped(builder, node, Mapped(y, (x,), None, len(y.shape) - 1))


def lower_copy(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.CopyOp)
    x = builder.tensor(op.inputs[0])
    y = builder.tensor(op.output).box(ints(op.offsets), x.shape)
    _record(builder, op, "copy", 0)
    return emit_mapped(builder, node, Mapped(y, (x,), None, len(y.shape) - 1))


def lower_slice(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.SliceOp)
    y = builder.tensor(op.output)
    steps = ints(op.steps)
    if min(steps, default=1) < 0:
        raise UserError(
            f"node '{node}': a slice with negative steps is not supported on the device"
        )
    whole = builder.tensor(op.inputs[0])
    start = whole.box(ints(op.starts), y.shape)
    x = DdrTensor(
        start.addr,
        y.shape,
        tuple(s * t for s, t in zip(whole.strides, steps, strict=True)),
        y.dtype,
    )
    _record(builder, op, "slice", 0)
    return emit_mapped(builder, node, Mapped(y, (x,), None, len(y.shape) - 1))


def lower_reshape(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    y = builder.tensor(op.output)
    x = builder.tensor(op.inputs[0]).reshaped(y.shape)
    _record(builder, op, "reshape", 0)
    if x.addr == y.addr:
        return builder.streams_for(node)
    return emit_mapped(builder, node, Mapped(y, (x,), None, len(y.shape) - 1))


LOWERINGS: dict[type[k.KernelOp], Lowering] = {
    k.ConvOp: lower_conv,
    k.PoolOp: lower_pool,
    k.MatmulOp: lower_matmul,
    k.ElementwiseOp: lower_elementwise,
    k.ScaleShiftOp: lower_scale_shift,
    k.SoftmaxOp: lower_softmax,
    k.LrnOp: lower_lrn,
    k.ConvertOp: lower_convert,
    k.TransposeOp: lower_transpose,
    k.CopyOp: lower_copy,
    k.SliceOp: lower_slice,
    k.ReshapeOp: lower_reshape,
}
