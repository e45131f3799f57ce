"""`constant-fold-reference`: canonicalization plus folding by the reference interpreter.

The `onnx` dialect's folders and patterns (`aicc.dialects.onnx_canonicalize`) need
no interpreter; this pass runs them together with one more pattern that evaluates
an onnx op whose inputs are all constants and whose results are small, as xDSL's
`constant-fold-interp` does with its own interpreter. Both share one greedy
rewrite, so a chain such as Shape -> Gather -> Concat -> Reshape folds completely.

An evaluated result becomes an `onnx.Constant` keeping the op's node name and that
result's output name (the `FoldedValue` materialization of the dialect). Ops that
the dialect's folders settle alone are never evaluated: a forwarding fold of
Identity or Dropout is refused for a graph output, and evaluating would bypass it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialect_interfaces.constant_materialization import ConstantMaterializationInterface
from xdsl.dialects.builtin import ArrayAttr, ModuleOp, StringAttr
from xdsl.ir import Attribute, Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.transforms.canonicalize import CanonicalizationRewritePattern
from xdsl.transforms.dead_code_elimination import region_dce

from aicc.dialects.aicc import FOLDED_NAMES_ATTR, folded_names
from aicc.dialects.elements import shape_of
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_canonicalize import (
    FoldedValue,
    constant_array,
    folded_value,
    splat_type_ok,
)
from aicc.dialects.onnx_ops import ConstantOfShapeOp, ConstantOp, DropoutOp, IdentityOp, ShapeOp
from aicc.sim.reference.interpreter import KERNELS, evaluate_op

MAX_FOLDED_ELEMENTS = 1024
"""Results larger than this are not constant-folded (weights stay blobs)."""

MAX_FOLDED_INPUT_ELEMENTS = 1 << 16
"""Inputs larger than this are not evaluated at compile time (keeps folding cheap)."""

_NOT_EVALUATED = (ConstantOp, ShapeOp, ConstantOfShapeOp, IdentityOp, DropoutOp)
"""Ops folded by the dialect alone: a constant, ops folded from their types (Shape;
ConstantOfShape to a splat) and forwarding ops (Identity; Dropout, which in training
mode has no value at compile time)."""


def _elements(t: Attribute) -> int:
    return int(np.prod(shape_of(t), dtype=np.int64))


def fold_by_evaluation(op: OnnxOp) -> Sequence[FoldedValue] | None:
    """Evaluate an op whose inputs are all constants and whose results are small."""
    slots = op.operand_slots()
    present = [v for v in slots if v is not None]
    if not present or not all(isinstance(v.owner, ConstantOp) for v in present):
        return None
    if any(
        _elements(r.type) > MAX_FOLDED_ELEMENTS or not splat_type_ok(r.type) for r in op.results
    ):
        return None
    if sum(_elements(v.type) for v in present) > MAX_FOLDED_INPUT_ELEMENTS:
        return None
    if op.name not in KERNELS:
        return None
    outputs = evaluate_op(op, [constant_array(v) for v in slots])
    results = list(zip(op.results, outputs, strict=True))
    if any(tuple(a.shape) != shape_of(r.type) for r, a in results):
        return None
    return [folded_value(op, i, a) for i, (_, a) in enumerate(results)]


@dataclass
class EvaluateOnConstants(RewritePattern):
    """Replaces an onnx op on constant inputs by the constants it evaluates to."""

    ctx: Context

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /) -> None:
        if not isinstance(op, OnnxOp) or isinstance(op, _NOT_EVALUATED):
            return
        folded = fold_by_evaluation(op)
        if folded is None:
            return
        dialect = self.ctx.get_dialect(op.dialect_name())
        materializer = dialect.get_interface(ConstantMaterializationInterface)
        if materializer is None:
            return
        new_ops: list[Operation] = []
        for value, result in zip(folded, op.results, strict=True):
            new_op = materializer.materialize_constant(value, result.type)
            if new_op is None:
                return
            new_ops.append(new_op)
        rewriter.replace(op, new_ops, [new_op.results[0] for new_op in new_ops])


@dataclass(frozen=True)
class ConstantFoldReferencePass(ModulePass):
    """Canonicalizes, and folds onnx ops on small constants by evaluating them with
    the reference interpreter; dead ops are removed."""

    name = "constant-fold-reference"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        pattern = GreedyRewritePatternApplier(
            [CanonicalizationRewritePattern(), EvaluateOnConstants(ctx)],
            ctx=ctx,
            folding_enabled=True,
        )
        before = _op_names(op)
        PatternRewriteWalker(pattern, post_walk_func=region_dce).rewrite_module(op)
        folded = before - _op_names(op) | set(folded_names(op))
        if folded:
            op.attributes[FOLDED_NAMES_ATTR] = ArrayAttr([StringAttr(n) for n in sorted(folded)])


def _op_names(module: ModuleOp) -> set[str]:
    """The first output names of the module's onnx ops other than constants."""
    return {
        o.first_output_name
        for o in module.walk()
        if isinstance(o, OnnxOp) and not isinstance(o, ConstantOp)
    }
