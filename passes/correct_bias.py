"""Pass `correct-bias`: shift INT8 Conv and Gemm biases by the mean error of their weights.

Quantizing the weights W to Q(W) moves the mean of every output channel by
E[(W - Q(W)) x]: rounding errors that do not average out over a channel's inputs
add a constant offset, which the next layers see as a shifted activation. Bias
correction (TPU-MLIR's `--bc`, NNCF's fast bias correction, Nagel et al. 2019,
"Data-free quantization", section 4.2) adds that offset back to the bias:

    b'[o] = b[o] + sum over c, k of (W - Q(W))[o, c, k] * mean(x[c])

with Q(W) exactly as `quantize` will build it (same schema, per tensor or per
channel) and mean(x[c]) the mean of input channel c over the calibration set, from
the profile's `ChannelSums` (recorded by `-dump-profile` with
`-quantization-bias-correction`). A Conv's spatial padding is not modelled: the
correction assumes every tap reads the channel's mean.

It rewrites the bias constant of every Conv and Gemm annotated "i8" whose weight and
bias are constants; a Gemm's C must hold one value per output (after `beta`). Other
such ops keep their bias and get a remark naming them. It runs after
`fuse-conv-bn` (the fused weights are the ones quantized) and before `quantize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from aicc.base import calibration as cal
from aicc.base import int8 as q
from aicc.base.errors import UserError, remark
from aicc.base.precision import precision_of
from aicc.base.profile import Profile, read_profile
from aicc.dialects.graph import main_func
from aicc.dialects.onnx_ops import ConstantOp, ConvOp, GemmOp
from aicc.passes.fuse_conv_bn import constant_op
from aicc.passes.quantize import (
    constant_array,
    input_names,
    tensor_name,
    weight_axis,
    weight_schema,
)


@dataclass(frozen=True)
class CorrectBiasPass(ModulePass):
    """Add E[(W - Q(W)) x] to the bias of every INT8 Conv and Gemm, from the profile's
    per-channel input means."""

    name = "correct-bias"

    profile: str | None = None
    """The profile, dumped with -quantization-bias-correction."""
    schema: str = cal.Schema.ASYMMETRIC.value
    """The activations' schema, which decides the weights' (as in `quantize`)."""
    channelwise: bool = False
    """Per-channel weight scales, as in `quantize`."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.profile is None:
            raise UserError("correct-bias needs a profile (pass option profile=PATH)")
        profile = read_profile(Path(self.profile))
        main = main_func(op)
        inputs = input_names(main)
        for node in list(main.body.block.ops):
            if not isinstance(node, ConvOp | GemmOp) or precision_of(node) != "i8":
                continue
            correction = self._correction(node, profile, tensor_name(node.operands[0], inputs))
            if correction is not None:
                _replace_bias(node, correction)

    def _correction(
        self, node: ConvOp | GemmOp, profile: Profile, input_name: str
    ) -> np.ndarray | None:
        """The new bias of `node`, or None (with a remark) where it cannot be corrected."""
        w_op, b_op = node.operands[1].owner, _bias_operand(node)
        if not isinstance(w_op, ConstantOp) or not isinstance(b_op, ConstantOp):
            remark(f"{node.describe()}: no constant weight and bias; its bias is not corrected")
            return None
        entry = profile.tensors.get(input_name)
        means = None if entry is None else entry.channel_means()
        if means is None:
            raise UserError(
                f"{profile.source}: no ChannelSums for tensor '{input_name}', the input of "
                f"{node.describe()}; -quantization-bias-correction needs a profile dumped "
                "with -quantization-bias-correction"
            )
        w = constant_array(w_op).astype(np.float64)
        axis = weight_axis(node, node.operands[1]) if self.channelwise else None
        scales, offsets = cal.weight_params(w, axis, weight_schema(cal.Schema(self.schema)))
        stored = q.quantize(w, scales, offsets, np.int8, axis=axis)
        error = w - q.dequantize(stored, scales, offsets, axis=axis, expressed=np.float64)
        shift = _output_shift(node, error, means)
        if shift is None:
            return None
        b = constant_array(b_op)
        if b.size != shift.size:
            remark(f"{node.describe()}: its bias does not hold one value per output; not corrected")
            return None
        return (b.astype(np.float64) + shift.reshape(b.shape)).astype(b.dtype)


def _bias_operand(node: ConvOp | GemmOp) -> object:
    bias = node.B if isinstance(node, ConvOp) else node.C
    return None if bias is None else bias.owner


def _output_shift(node: ConvOp | GemmOp, error: np.ndarray, means: np.ndarray) -> np.ndarray | None:
    """sum over inputs of error * mean, per output (Gemm: scaled by alpha / beta)."""
    if isinstance(node, ConvOp):
        groups = node.group.value.data
        outputs, per_group = error.shape[0], error.shape[1]
        if means.size != groups * per_group:
            raise UserError(
                f"{node.describe()}: the profile has {means.size} input channel means, "
                f"the weights read {groups * per_group}"
            )
        taps = error.reshape(groups, outputs // groups, per_group, -1).sum(axis=3)
        return np.einsum("goc,gc->go", taps, means.reshape(groups, per_group)).reshape(-1)
    if node.transA.value.data:
        remark(f"{node.describe()}: transA reads features along axis 0; its bias is not corrected")
        return None
    matrix = error if node.transB.value.data else error.T
    if means.size != matrix.shape[1]:
        raise UserError(
            f"{node.describe()}: the profile has {means.size} input feature means, "
            f"the weights read {matrix.shape[1]}"
        )
    return matrix @ means * (node.alpha.value.data / node.beta.value.data)


def _replace_bias(node: ConvOp | GemmOp, bias: np.ndarray) -> None:
    index = 2
    old = node.operands[index].owner
    assert isinstance(old, ConstantOp)
    new = constant_op(bias, f"{old.first_output_name}.{node.first_output_name}.bc")
    Rewriter.insert_op(new, InsertPoint.before(node))
    node.operands[index] = new.results[0]
    if not old.results[0].uses:
        Rewriter.erase_op(old)
