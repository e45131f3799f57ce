"""Folders and canonicalization patterns of the `onnx` dialect.

They run through xDSL's own `canonicalize` pass (and `dce` cleans up): every onnx
op carries `OnnxFolder` and `OnnxCanonicalization`, which look up the registries
of `onnx_base` filled here. Folding an op by evaluating it on constant inputs needs
the reference interpreter, a layer above the dialects: that is the
`constant-fold-reference` pass, which runs these rules too.

Folding never loses a name. A folded result becomes an `onnx.Constant` carrying the
folded op's node name and that result's output name: the folder returns a
`FoldedValue` (value attribute plus names) that `OnnxConstantMaterialization`
unwraps. A fold that forwards another value (Identity, a no-op Reshape) drops the
op's name, so it is refused when the result is a graph output (`func.return`).

`ConstantOfShape` and view ops of a splat fold to `#aicc.splat`, never materialized.
All rules look at an op and its direct producers only, so the pass stays linear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from xdsl.dialect_interfaces.constant_materialization import ConstantMaterializationInterface
from xdsl.dialects.builtin import I64, BFloat16Type, DenseArrayBase, StringAttr, TensorType
from xdsl.dialects.func import ReturnOp
from xdsl.ir import Attribute, Operation, ParametrizedAttribute, SSAValue
from xdsl.irdl import irdl_attr_definition
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

from aicc.dialects.elements import (
    Splat,
    dtype_of,
    elements_value,
    make_elements,
    shape_of,
)
from aicc.dialects.onnx_base import CANONICALIZATION_PATTERNS, FOLDERS, Folder, OnnxOp
from aicc.dialects.onnx_ops import (
    ConstantOfShapeOp,
    ConstantOp,
    DropoutOp,
    FlattenOp,
    IdentityOp,
    ReshapeOp,
    ShapeOp,
    SqueezeOp,
    TransposeOp,
    UnsqueezeOp,
)

Folded = Sequence[SSAValue | Attribute] | None

_VIEW_OPS = (ReshapeOp, SqueezeOp, UnsqueezeOp, FlattenOp)
"""Ops that only re-view their first input's elements in row-major order."""


@irdl_attr_definition
class FoldedValue(ParametrizedAttribute):
    """A folded result in flight to materialization: its value and its ONNX names.

    Never stored in IR: `OnnxConstantMaterialization` turns it into an
    `onnx.Constant` right away.
    """

    name = "onnx.folded_value"
    value: Attribute
    node_name: StringAttr
    output_name: StringAttr


class OnnxConstantMaterialization(ConstantMaterializationInterface):
    """Materializes a `FoldedValue` as an `onnx.Constant` that keeps its names."""

    def materialize_constant(self, value: Attribute, type: Attribute) -> Operation | None:
        if not isinstance(value, FoldedValue):
            return None
        op = ConstantOp.build(result_types=[type], properties={"value": value.value})
        op.set_names(value.node_name.data, [value.output_name.data])
        return op


# -- helpers -------------------------------------------------------------------


def _constant_value(value: SSAValue | None) -> np.ndarray | Splat | None:
    """The value of an operand defined by an `onnx.Constant`, else None."""
    owner = None if value is None else value.owner
    if value is None or not isinstance(owner, ConstantOp):
        return None
    return elements_value(owner.value, value.type)


def constant_array(value: SSAValue | None) -> np.ndarray | None:
    constant = _constant_value(value)
    return constant.materialize() if isinstance(constant, Splat) else constant


def _returned(op: Operation) -> bool:
    """Whether a result of `op` is a graph output."""
    return any(isinstance(use.operation, ReturnOp) for r in op.results for use in r.uses)


def folded_value(op: OnnxOp, index: int, value: np.ndarray | Splat) -> FoldedValue:
    node_name = op.onnx_node_name
    names = op.onnx_output_names
    name = names[index] if index < len(names) else f"{node_name}_{index}"
    return FoldedValue(make_elements(value, name), StringAttr(node_name), StringAttr(name))


def _forward(op: OnnxOp, value: SSAValue) -> Folded:
    """Replace the single result of `op` by `value`, unless it is a graph output."""
    if _returned(op) or value.type != op.results[0].type:
        return None
    return [value]


def splat_type_ok(t: Attribute) -> bool:
    # bfloat16 has no numpy dtype of its own, so it cannot be a folded splat.
    return isinstance(t, TensorType) and not isinstance(t.get_element_type(), BFloat16Type)


# -- folders -------------------------------------------------------------------


def fold_shape(op: OnnxOp) -> Folded:
    """Shape of a statically shaped tensor, honoring start/end."""
    assert isinstance(op, ShapeOp)
    dims = shape_of(op.data.type)
    end = None if op.end is None else op.end.value.data
    shape = np.asarray(dims[slice(op.start.value.data, end)], dtype=np.int64)
    return [folded_value(op, 0, shape)]


def fold_constant_of_shape(op: OnnxOp) -> Folded:
    """ConstantOfShape -> a splat of the (static) result type; zero f32 by default."""
    assert isinstance(op, ConstantOfShapeOp)
    t = op.output.type
    if not splat_type_ok(t):
        return None
    scalar: float | int = 0
    if op.value is not None:
        one = TensorType(t.get_element_type(), [1])  # pyright: ignore[reportAttributeAccessIssue]
        value = elements_value(op.value, one)
        scalar = value.value if isinstance(value, Splat) else value.reshape(-1)[0].item()
    return [folded_value(op, 0, Splat(scalar, shape_of(t), dtype_of(t)))]


def fold_identity(op: OnnxOp) -> Folded:
    assert isinstance(op, IdentityOp)
    return _forward(op, op.input)


def fold_dropout(op: OnnxOp) -> Folded:
    """Inference Dropout (training_mode absent or constant false) is its input."""
    assert isinstance(op, DropoutOp)
    if op.mask is not None and op.mask.first_use is not None:
        return None
    if op.training_mode is not None:
        mode = constant_array(op.training_mode)
        if mode is None or bool(mode.reshape(-1)[0]):
            return None
    forwarded = _forward(op, op.data)
    if forwarded is None or op.mask is None:
        return forwarded
    # The unused mask still needs a replacement value: an all-true splat.
    return [
        *forwarded,
        folded_value(op, 1, Splat(True, shape_of(op.mask.type), np.dtype(np.bool_))),
    ]


def fold_same_type(op: OnnxOp) -> Folded:
    """A view op whose result has its input's type is its input."""
    return _forward(op, op.operands[0])


def fold_view_of_view(op: OnnxOp) -> Folded:
    """view(view(x)) whose result has x's type is x (e.g. Unsqueeze of Squeeze)."""
    inner = op.operands[0].owner
    if not isinstance(inner, _VIEW_OPS):
        return None
    return _forward(op, inner.operands[0])


def fold_transpose(op: OnnxOp) -> Folded:
    """Transpose with the identity permutation is its input."""
    assert isinstance(op, TransposeOp)
    rank = len(shape_of(op.data.type))
    # cast: the generated INTS constraint leaves the element type open and xDSL's
    # get_values overloads need it closed; ONNX perms are i64 and the cast changes nothing.
    perm = (
        tuple(range(rank))[::-1]
        if op.perm is None
        else cast(DenseArrayBase[I64], op.perm).get_values()
    )
    if perm != tuple(range(rank)):
        return None
    return _forward(op, op.data)


def fold_splat_view(op: OnnxOp) -> Folded:
    """A view of a splat is a splat of the result type: no data is materialized."""
    source = _constant_value(op.operands[0])
    t = op.results[0].type
    if not isinstance(source, Splat) or not splat_type_ok(t):
        return None
    return [folded_value(op, 0, Splat(source.value, shape_of(t), dtype_of(t)))]


def first_of(*folders: Folder) -> Folder:
    """A folder that tries `folders` in order and returns the first success."""

    def fold(op: OnnxOp) -> Folded:
        for folder in folders:
            folded = folder(op)
            if folded is not None:
                return folded
        return None

    return fold


# -- patterns ------------------------------------------------------------------


class ReshapeOfView(RewritePattern):
    """Reshape(view(x), s) -> Reshape(x, s) when s means the same for x.

    A 0 in `s` copies a dimension of the Reshape's input (unless allowzero), so
    the rewrite needs a constant `s` without zeros; -1 is fine since x and
    view(x) have the same number of elements.
    """

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ReshapeOp, rewriter: PatternRewriter) -> None:
        inner = op.data.owner
        if not isinstance(inner, _VIEW_OPS):
            return
        shape = constant_array(op.shape)
        if shape is None or (op.allowzero.value.data == 0 and bool(np.any(shape == 0))):
            return
        op.operands = [inner.operands[0], op.shape]
        rewriter.notify_op_modified(op)


def _register() -> None:
    FOLDERS.update(
        {
            ShapeOp.name: fold_shape,
            ConstantOfShapeOp.name: fold_constant_of_shape,
            IdentityOp.name: fold_identity,
            DropoutOp.name: fold_dropout,
            TransposeOp.name: first_of(fold_transpose, fold_splat_view),
            **{
                v.name: first_of(fold_same_type, fold_view_of_view, fold_splat_view)
                for v in _VIEW_OPS
            },
        }
    )
    CANONICALIZATION_PATTERNS[ReshapeOp.name] = (ReshapeOfView(),)


_register()
