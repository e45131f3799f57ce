"""Pass `annotate-precision`: decide the precision every onnx op runs in.

It rewrites nothing but attributes: every onnx op except onnx.Constant gets
`aicc.precision` ("f32" | "f16" | "i8") and `aicc.precision_reason`
(see `aicc.base.precision`). The rules, in the order they apply (docs/precision.md):

1. `default` (i8 with a profile, f16 with -convert-to-fp16, else f32): `base`;
2. an op whose kind is in keep-original-precision-for-nodes keeps the model's
   float precision: `kept-kind`;
3. an op whose first output name is in the node-precision-info file's
   FP16NodeInstanceNames runs in f16: `fp16-list`; if its kind is also kept,
   the instance list wins with a warning: `fp16-list-over-kept-kind`;
4. an op resolved to i8 whose kind is not in int8-kinds (it has no INT8
   kernel) runs in `int8-fallback` with a remark: `no-int8-kernel`.

Names not in the model, unknown op kinds and FP16-listed ops whose kind is not
in fp16-kinds are `UserError`s. One walk over the module, so linear in graph size.

Which kinds run in f16 and i8 is the compiler's op-support declaration
(`aicc.lowering.onnx_to_kernel.support`); the pipeline passes it in as
fp16-kinds and int8-kinds, which `aicc-opt -p annotate-precision` also defaults to.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import onnx.defs
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from aicc.base.errors import UserError, remark, warn
from aicc.base.node_precision import (
    FP16_KEY,
    NodePrecisionInfo,
    check_names,
    load_node_precision_info,
)
from aicc.base.precision import PRECISIONS, Precision, precision_of, set_precision
from aicc.dialects.aicc import folded_names
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import BatchNormalizationOp
from aicc.dialects.onnx_precision import annotated_ops, original_precision
from aicc.passes.fuse_conv_bn import fusion_candidate

KEEP_FLAG = "keep-original-precision-for-nodes"


@dataclass(frozen=True)
class AnnotatePrecision(ModulePass):
    """Attach `aicc.precision` and `aicc.precision_reason` to every onnx op but Constant."""

    name = "annotate-precision"

    node_precision_info: str | None = None
    """Path of the YAML file listing FP16NodeInstanceNames."""
    keep_original_precision_for_nodes: tuple[str, ...] = ()
    """Op kinds kept in the model's precision: `K1,K2` or `"K1,K2"`."""
    default: str = "f32"
    """The base precision: f32, f16 or i8."""
    int8_fallback: str = "f32"
    """Where an op with no INT8 kernel goes when it resolves to i8: f32 or f16."""
    fp16_kinds: tuple[str, ...] = field(kw_only=True)
    """The op kinds that can run in f16."""
    int8_kinds: tuple[str, ...] = field(kw_only=True)
    """The op kinds that can run in i8 (have an INT8 kernel)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        base = _checked_precision("default", self.default, PRECISIONS)
        fallback = _checked_precision("int8-fallback", self.int8_fallback, ("f32", "f16"))
        kept = _kept_kinds(self.keep_original_precision_for_nodes)
        int8 = frozenset(self.int8_kinds)
        ops = annotated_ops(op)
        fp16_cited = self._fp16_cited(ops, folded_names(op))
        for onnx_op in ops:
            precision, reason = base, "base"
            kind = onnx_op.ONNX_TYPE
            if kind in kept:
                precision, reason = original_precision(onnx_op), "kept-kind"
            where = fp16_cited.get(onnx_op.first_output_name)
            if where is not None:
                precision, reason = "f16", _fp16_reason(onnx_op, kind in kept, where)
            if precision == "i8" and not _runs_in_int8(onnx_op, int8):
                remark(f"{onnx_op.describe()} has no INT8 kernel; runs in {fallback}")
                precision, reason = fallback, "no-int8-kernel"
            set_precision(onnx_op, precision, reason)

    def _fp16_cited(self, ops: list[OnnxOp], folded: tuple[str, ...]) -> dict[str, str]:
        """The FP16-listed names, each with how messages cite it (`file:line`).

        A listed op that canonicalization folded away (`folded`) is in the model but
        runs in no precision: a remark says so."""
        if self.node_precision_info is None:
            return {}
        info = load_node_precision_info(Path(self.node_precision_info))
        check_names(info, {o.first_output_name for o in ops} | set(folded))
        listed = _cited_names(info)
        for name in sorted(set(listed) & set(folded)):
            folded_by = "was folded away by constant-fold-reference"
            remark(f"{listed[name]}: '{name}' {folded_by}; it runs in no precision")
        fp16 = frozenset(self.fp16_kinds)
        for o in ops:
            where = listed.get(o.first_output_name)
            if where is not None and o.ONNX_TYPE not in fp16:
                raise UserError(
                    f"{where}: {FP16_KEY} lists {o.describe()}, but {o.ONNX_TYPE} has no FP16 "
                    "kernel; remove it from the list"
                )
        return listed


def _runs_in_int8(op: OnnxOp, int8_kinds: frozenset[str]) -> bool:
    """Whether an i8 op can run: an INT8 kernel, or folding into an i8 Conv.

    A BatchNormalization that fuse-conv-bn will fold into its Conv needs no
    kernel of its own; sending it to f32 would block the very fusion it is for.
    """
    if op.ONNX_TYPE in int8_kinds:
        return True
    if not isinstance(op, BatchNormalizationOp):
        return False
    candidate = fusion_candidate(op)
    return candidate is not None and precision_of(candidate[0]) == "i8"


def _fp16_reason(op: OnnxOp, kept: bool, where: str) -> str:
    if not kept:
        return "fp16-list"
    warn(
        f"{where}: {op.describe()} is listed in {FP16_KEY} and its kind is in "
        f"-{KEEP_FLAG}; the instance list wins: it runs in f16"
    )
    return "fp16-list-over-kept-kind"


def _cited_names(info: NodePrecisionInfo) -> dict[str, str]:
    if not info.lines:
        return {name: str(info.path) for name in info.fp16_names}
    return {
        name: f"{info.path}:{line}" for name, line in zip(info.fp16_names, info.lines, strict=True)
    }


def _checked_precision(option: str, value: str, allowed: tuple[Precision, ...]) -> Precision:
    for precision in allowed:
        if value == precision:
            return precision
    raise UserError(f"annotate-precision: {option}={value!r} is not one of {', '.join(allowed)}")


def _kept_kinds(option: tuple[str, ...]) -> frozenset[str]:
    """The op kinds of the option; a quoted `"Conv,Relu"` arrives as one item."""
    kinds = frozenset(k.strip() for item in option for k in item.split(",") if k.strip())
    unknown = sorted(kinds - _onnx_op_types())
    if not unknown:
        return kinds
    parts = []
    for kind in unknown:
        near = difflib.get_close_matches(kind, sorted(_onnx_op_types()), n=3)
        hint = f"did you mean {', '.join(repr(n) for n in near)}?" if near else "no similar op"
        parts.append(f"'{kind}' ({hint})")
    raise UserError(f"-{KEEP_FLAG}: unknown op kind {'; '.join(parts)}")


@cache
def _onnx_op_types() -> frozenset[str]:
    """Every ONNX operator type of the default domain, of any opset."""
    return frozenset(s.name for s in onnx.defs.get_all_schemas_with_history() if s.domain == "")
