"""Pass `fuse-conv-bn`: fold an inference BatchNormalization into the Conv that feeds it.

    %c = onnx.Conv(%x, %w, %b) <{output_names = ["conv0"]}>
    %y = onnx.BatchNormalization(%c, %gamma, %beta, %mean, %var) <{output_names = ["bn0"]}>
becomes
    %y = onnx.Conv(%x, %w', %b') <{output_names = ["bn0"]}> {aicc.fused_from = ["conv0", "bn0"]}

with, per output channel, a = gamma / sqrt(var + eps), W' = W * a and
b' = (b - mean) * a + beta, computed in float64. The fused Conv keeps the
BatchNormalization's names (profiles and node-precision-info files refer to them)
and its precision annotation.

Both ops must run in the same precision: fusing an FP16 Conv with an FP32
BatchNormalization would silently change what the user asked for one of them, so
such a pair is left alone with a warning that says which name to list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import AnyFloat, ArrayAttr, ModuleOp, StringAttr, TensorType
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from aicc.base.errors import warn
from aicc.base.precision import PRECISION_ATTR, REASON_ATTR, precision_of
from aicc.dialects.aicc import FUSED_FROM_ATTR
from aicc.dialects.elements import elements_array, make_elements, resource_key, tensor_type
from aicc.dialects.onnx_base import NAME_PROPS
from aicc.dialects.onnx_ops import BatchNormalizationOp, ConstantOp, ConvOp


@dataclass(frozen=True)
class FuseConvBnPass(ModulePass):
    """Fuse every Conv -> BatchNormalization pair whose weights and BN parameters are constants."""

    name = "fuse-conv-bn"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for bn in [o for o in op.walk() if isinstance(o, BatchNormalizationOp)]:
            _fuse(bn)


def fusion_candidate(bn: BatchNormalizationOp) -> tuple[ConvOp, list[ConstantOp]] | None:
    """The Conv that `bn` folds into, and their constants, if the structure allows it.

    Precisions are not looked at here: annotate-precision asks this too, to know
    that a BatchNormalization will run as part of its Conv.
    """
    conv = bn.X.owner
    if not isinstance(conv, ConvOp) or not _inference(bn) or not conv.Y.has_one_use():
        return None
    params = [bn.scale, bn.B, bn.input_mean, bn.input_var]
    weights = [conv.W] if conv.B is None else [conv.W, conv.B]
    constants = _constants([*weights, *params])
    if constants is None or not _float_weights(conv.W):
        return None
    return conv, constants


def _fuse(bn: BatchNormalizationOp) -> None:
    candidate = fusion_candidate(bn)
    if candidate is None:
        return
    conv, constants = candidate
    if not _same_precision(conv, bn):
        return
    w, b = _fused_weights(conv, bn)
    name = bn.first_output_name
    w_op, b_op = constant_op(w, f"{name}.fused_W"), constant_op(b, f"{name}.fused_B")
    fused = ConvOp.build(
        operands=[conv.X, w_op.results[0], b_op.results[0]],
        result_types=[bn.Y.type],
        properties={k: v for k, v in conv.properties.items() if k not in NAME_PROPS},
        attributes={
            **{k: v for k, v in bn.attributes.items() if k in (PRECISION_ATTR, REASON_ATTR)},
            FUSED_FROM_ATTR: ArrayAttr([StringAttr(conv.first_output_name), StringAttr(name)]),
        },
    )
    fused.set_names(bn.onnx_node_name, bn.onnx_output_names)
    Rewriter.insert_op([w_op, b_op, fused], InsertPoint.before(bn))
    bn.Y.replace_all_uses_with(fused.Y)
    Rewriter.erase_op(bn)
    Rewriter.erase_op(conv)
    for constant in constants:
        if not constant.results[0].uses:
            Rewriter.erase_op(constant)


def _inference(bn: BatchNormalizationOp) -> bool:
    """Inference mode: the running statistics are neither computed nor returned."""
    return bn.training_mode.value.data == 0 and bn.running_mean is None and bn.running_var is None


def _constants(values: list[SSAValue]) -> list[ConstantOp] | None:
    """The `onnx.Constant` ops defining `values` (each once), or None if one is not constant."""
    owners = [v.owner for v in values]
    if not all(isinstance(o, ConstantOp) for o in owners):
        return None
    return [o for o in dict.fromkeys(owners) if isinstance(o, ConstantOp)]


def _float_weights(w: SSAValue) -> bool:
    # Quantized or integer weights have no per-channel float scaling to absorb the BN.
    return isinstance(w.type, TensorType) and isinstance(w.type.get_element_type(), AnyFloat)


def _array(v: SSAValue) -> np.ndarray:
    owner = v.owner
    assert isinstance(owner, ConstantOp)
    return elements_array(owner.value, v.type)


def _fused_weights(conv: ConvOp, bn: BatchNormalizationOp) -> tuple[np.ndarray, np.ndarray]:
    w = _array(conv.W)
    gamma, beta, mean, var = (
        _array(v).astype(np.float64) for v in (bn.scale, bn.B, bn.input_mean, bn.input_var)
    )
    b = np.zeros(w.shape[0]) if conv.B is None else _array(conv.B).astype(np.float64)
    a = gamma / np.sqrt(var + bn.epsilon.value.data)
    # Output channels are axis 0 of W for every group count, depthwise included.
    fused_w = w.astype(np.float64) * a.reshape((-1,) + (1,) * (w.ndim - 1))
    fused_b = (b - mean) * a + beta
    return fused_w.astype(w.dtype), fused_b.astype(w.dtype)


def constant_op(array: np.ndarray, name: str) -> ConstantOp:
    """A named constant holding `array`."""
    op = ConstantOp.build(
        result_types=[tensor_type(array.shape, array.dtype)],
        properties={"value": make_elements(array, name)},
    )
    op.set_names("", [name])
    op.results[0].name_hint = resource_key(name)
    return op


def _same_precision(conv: ConvOp, bn: BatchNormalizationOp) -> bool:
    """Whether both run in one precision; if not, warn with the fix."""
    conv_p, bn_p = precision_of(conv), precision_of(bn)
    if conv_p == bn_p:
        return True
    if conv_p == "f16":
        fix = f"add {bn.first_output_name} to FP16NodeInstanceNames"
    elif bn_p == "f16":
        fix = f"add {conv.first_output_name} to FP16NodeInstanceNames"
    else:
        fix = "give both the same precision"
    warn(
        f"{conv.describe()} ({conv_p or 'unannotated'}) and {bn.describe()} "
        f"({bn_p or 'unannotated'}) are not fused: they run in different precisions; {fix}"
    )
    return False
