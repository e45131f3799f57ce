"""Lowerings of `kernel.conv` and `kernel.pool` to sliding-window layers.

A convolution runs on the matrix unit with its epilogue (bias, activation,
requantization) on the vector unit; pooling is one vector op per tile, average
pooling dividing by a per-position constant of counted taps. A max pool between
quantized types moves its result to the output type with `requantize`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import I64, DenseArrayBase

from aicc.dialects import kernel as k
from aicc.dialects.aic import ParamValue
from aicc.lowering.kernel_to_aic.epilogue import (
    QuantTypes,
    float_epilogue,
    requant_epilogue,
)
from aicc.lowering.kernel_to_aic.operands import (
    const_array,
    ints,
    memref,
    move_params,
    precision,
    quant,
    record_layer,
)
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import CoreStream, DdrTensor
from aicc.lowering.kernel_to_aic.windows import TileViews, Window, WindowLayer, emit_window
from aicc.sim.reference.kernels.pool import tap_counts
from aicc.sim.reference.kernels.window import Window as RefWindow


def lower_conv(builder: ProgramBuilder, op: k.KernelOp, node: str) -> list[CoreStream]:
    assert isinstance(op, k.ConvOp)
    x, w, y = builder.tensor(op.inputs[0]), builder.tensor(op.inputs[1]), builder.tensor(op.output)
    kh, kw, cg, cout = w.shape
    group = op.group.value.data
    macs = math.prod(y.shape) * kh * kw * cg
    record_layer(builder, op, "conv", macs)
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
    elif (kh, kw) == (1, 1) and not any(window.pads):
        x, y = _pixel_rows(x), _pixel_rows(y)

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
        epilogue_passes=epilogue.passes,
    )
    return emit_window(builder, node, layer)


def _subsampled(x: DdrTensor, window: Window, out_hw: Sequence[int]) -> tuple[DdrTensor, Window]:
    """The pixels a strided 1x1 window reads, as a strided NHWC tensor, and a unit window."""
    (sh, sw), (n, _, _, c) = window.strides, x.shape
    strides = (x.strides[0], x.strides[1] * sh, x.strides[2] * sw, x.strides[3])
    pixels = DdrTensor(x.addr, (n, out_hw[0], out_hw[1], c), strides, x.dtype)
    return pixels, Window((1, 1), (1, 1), window.dilations, window.pads)


def _pixel_rows(tensor: DdrTensor) -> DdrTensor:
    """NHWC as [N, H*W, 1, C]: a unit window reads no neighbours, so its rows may be single
    pixels; the cores then split the pixels evenly, and a tile of them is one DMA."""
    n, h, w, c = tensor.shape
    return tensor.reshaped((n, h * w, 1, c))


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
    record_layer(builder, op, "pool", math.prod(y.shape) * math.prod(window.kernel))
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
            moved = move_params(node, quant(xt, node, "the input"), quant(yt, node, "the result"))

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
    """Max pooling's padding: at or below every value, so a window of -inf values and
    padding gives -inf as the reference does (the most negative finite value would not)."""
    if dtype.kind == "f":
        return -math.inf
    return int(np.iinfo(dtype).min)


def _divisor(
    builder: ProgramBuilder, node: str, op: k.PoolOp, window: Window, mode: str
) -> DdrTensor:
    """Average pooling's divisors: the taps counted per output position [OH, OW]."""
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
    counts = tap_counts(ref, (h, w), op.count_include_pad.value.data == 1)
    dtype = {"i8": np.int32, "f16": np.float16, "f32": np.float32}[mode]
    return builder.constant(f"{node}_divisor", counts.astype(dtype))
