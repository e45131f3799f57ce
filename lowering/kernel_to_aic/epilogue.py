"""Epilogues of the matrix-unit layers: bias, activation and requantization.

The accumulator tile ([..., N], f32 or i32) becomes the result tile in one vector
op: `bias_act` for f32/f16 results, `requant` for i8. The per-output-channel
constants they read are new constant buffers: the bias in accumulator units
(`aicc.base.int8.accumulator_bias`) and the fixed-point multiplier and shift of
`s_x * s_w (* alpha) / s_y` per channel. A fused Relu or Clip of an i8 result
narrows the saturation bounds (its bounds are already in the result's storage
integers), which equals requantizing and then clamping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from aicc.base import int8 as q
from aicc.base.errors import UserError
from aicc.dialects.aic import ParamValue, ViewAttr
from aicc.dialects.kernel import ActivationAttr
from aicc.dialects.quant import UniformQuantizedType
from aicc.lowering.kernel_to_aic.program import ProgramBuilder
from aicc.lowering.kernel_to_aic.streams import ChannelTable, CoreStream


@dataclass(frozen=True)
class Epilogue:
    """acc -> result: an optional per-channel prescale (`mul`), an optional bias tile
    (a bias that is not per column: added to the accumulator, scaled first if `scaled_bias`),
    then one vector op."""

    opcode: str
    table: ChannelTable | None
    """Per-channel rows: the prescale, the bias-tile scale, then the op's other inputs."""
    params: dict[str, ParamValue] = field(default_factory=dict[str, ParamValue])
    prescaled: bool = False
    scaled_bias: bool = False

    @property
    def passes(self) -> int:
        """Vector ops over the whole accumulator tile (a bias tile adds its own)."""
        return 1 + int(self.prescaled)

    def emit(
        self,
        stream: CoreStream,
        acc: ViewAttr,
        out: ViewAttr,
        rows: Sequence[ViewAttr],
        bias: tuple[ViewAttr, ViewAttr] | None = None,
    ) -> None:
        """`bias` is (the tile's bias, a scratch tile shaped like `acc`)."""
        rows = list(rows)
        if self.prescaled:
            stream.vector("mul", [acc, rows.pop(0)], [acc])
        if bias is not None:
            tile, scratch = bias
            if self.scaled_bias:
                stream.vector("mul", [tile, rows.pop(0)], [scratch])
                tile = scratch
            stream.vector("add", [acc, tile], [acc])
        stream.vector(self.opcode, [acc, *rows], [out], self.params)


def channel_table(
    builder: ProgramBuilder, node: str, rows: Sequence[np.ndarray]
) -> ChannelTable | None:
    """`rows` (each [C], one dtype) as one new constant, or None without rows."""
    if not rows:
        return None
    return ChannelTable(builder.constant(f"{node}_channels", np.stack(rows)))


def float_act_params(activation: ActivationAttr) -> dict[str, ParamValue]:
    kind, values = activation.kind.data, activation.values
    params: dict[str, ParamValue] = {"act": kind}
    if kind == "clip":
        params["min"], params["max"] = values
    if kind == "leaky_relu":
        params["alpha"] = values[0]
    return params


def float_epilogue(
    builder: ProgramBuilder,
    node: str,
    activation: ActivationAttr,
    channels: int,
    bias: np.ndarray | None,
    alpha: float = 1.0,
    beta: float = 1.0,
    bias_tile: bool = False,
) -> Epilogue:
    """`act(alpha * acc + beta * bias)` in f32; the result type rounds (f16 or f32). The
    bias is a per-channel constant (`bias`) or, with `bias_tile`, loaded with each tile."""
    rows: list[np.ndarray] = []
    if alpha != 1.0:
        rows.append(np.full(channels, alpha, np.float32))
    scaled_bias = bias_tile and beta != 1.0
    if scaled_bias:
        rows.append(np.full(channels, beta, np.float32))
    if bias is not None and beta != 0.0:
        row = channel_vector(node, bias, channels).astype(np.float32) * np.float32(beta)
        rows.append(row.astype(np.float32))
    table = channel_table(builder, node, rows)
    params = float_act_params(activation)
    return Epilogue("bias_act", table, params, alpha != 1.0, scaled_bias)


def channel_vector(node: str, bias: np.ndarray, channels: int) -> np.ndarray:
    """A bias that broadcasts along the last axis only, as a [channels] vector."""
    if bias.size == 1:
        return np.full(channels, bias.reshape(-1)[0], bias.dtype)
    if bias.shape[-1] != channels or bias.size != channels:
        raise UserError(
            f"node '{node}': a bias of shape {bias.shape} (not per output channel) is not "
            "supported on the device"
        )
    return bias.reshape(channels)


@dataclass(frozen=True)
class QuantTypes:
    x: UniformQuantizedType
    w: UniformQuantizedType
    y: UniformQuantizedType
    bias: UniformQuantizedType | None


def requant_epilogue(
    builder: ProgramBuilder,
    node: str,
    types: QuantTypes,
    activation: ActivationAttr,
    channels: int,
    bias: np.ndarray | None,
    alpha: float = 1.0,
    beta: float = 1.0,
) -> Epilogue:
    """Requantize the i32 accumulator of a Conv, MatMul or Gemm to the i8 result."""
    s_acc = types.x.scale * types.w.scale_array()
    real = s_acc * alpha / types.y.scale
    try:
        multipliers, shifts = q.quantize_multipliers(real)
        rows: list[np.ndarray] = []
        if bias is not None and beta != 0.0:
            rows.append(_bias(node, types, bias, s_acc, beta / alpha, channels).astype(np.int32))
    except ValueError as e:
        raise UserError(f"node '{node}': {e}") from None
    for values in (multipliers, shifts):
        rows.append(np.broadcast_to(values.astype(np.int32), (channels,)))
    y = types.y
    low, high = y.qmin, y.qmax
    kind = activation.kind.data
    if kind == "relu":
        low = max(low, y.zero_point)
    if kind == "clip":
        lo, hi = activation.values
        low, high = max(low, int(lo)), min(high, int(hi))
    params: dict[str, ParamValue] = {"zero_point": y.zero_point, "qmin": low, "qmax": high}
    return Epilogue("requant", channel_table(builder, node, rows), params)


def _bias(
    node: str,
    types: QuantTypes,
    bias: np.ndarray,
    s_acc: np.ndarray,
    ratio: float,
    channels: int,
) -> np.ndarray:
    """The bias in accumulator units, per output channel (a negative ratio negates it)."""
    vector = channel_vector(node, bias, channels)
    scale = s_acc if s_acc.size > 1 else s_acc[0]
    sign = -1 if ratio < 0 else 1
    t = types.bias
    if t is None:
        return sign * q.accumulator_bias(vector, scale, ratio=abs(ratio))
    return sign * q.accumulator_bias(
        vector,
        scale,
        bias_scale=t.scale_array() if t.is_per_axis else t.scale,
        bias_zero_point=t.zero_point_array() if t.is_per_axis else t.zero_point,
        ratio=abs(ratio),
    )
