"""Semantic verifiers of the `onnx` dialect ops: ranks, shapes, attribute consistency.

Each verifier is registered by op name in `onnx_base.VERIFIERS` and raises
`VerifyException`; the base class prefixes the op kind and first output name.
Shape rules come from `onnx_shapes`, which the interpreter shares. Every check
is linear in the rank of the types involved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from math import prod
from typing import TypeVar

from xdsl.dialects.builtin import (
    BFloat16Type,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.utils.exceptions import VerifyException

from aicc.dialects import onnx_ops as ops
from aicc.dialects.aicc import DenseResourceAttr, SplatAttr
from aicc.dialects.elements import numpy_dtype, shape_of
from aicc.dialects.onnx_base import VERIFIERS, OnnxOp
from aicc.dialects.onnx_shapes import (
    DYNAMIC,
    ShapeError,
    Window,
    broadcast,
    broadcasts_to,
    conv_transpose_out_dim,
    dims_agree,
    element_count,
    matmul_shape,
    normalize_axis,
    shapes_agree,
)
from aicc.dialects.quant import UniformQuantizedType

Shape = tuple[int, ...]
OpT = TypeVar("OpT", bound=OnnxOp)

CAST_TYPES: dict[int, Attribute] = {
    1: Float32Type(),
    2: IntegerType(8, Signedness.UNSIGNED),
    3: IntegerType(8),
    4: IntegerType(16, Signedness.UNSIGNED),
    5: IntegerType(16),
    6: IntegerType(32),
    7: IntegerType(64),
    9: IntegerType(1),
    10: Float16Type(),
    11: Float64Type(),
    12: IntegerType(32, Signedness.UNSIGNED),
    13: IntegerType(64, Signedness.UNSIGNED),
    16: BFloat16Type(),
}
"""The ONNX TensorProto data types that `Cast.to` may name, as element types."""

_INDEX_TYPES = (IntegerType(32), IntegerType(64))
_RESIZE_STRINGS = {
    "mode": ("nearest", "linear", "cubic"),
    "coordinate_transformation_mode": (
        "half_pixel",
        "half_pixel_symmetric",
        "pytorch_half_pixel",
        "align_corners",
        "asymmetric",
        "tf_crop_and_resize",
    ),
    "nearest_mode": ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"),
    "keep_aspect_ratio_policy": ("stretch", "not_larger", "not_smaller"),
}
_PAD_MODES = ("constant", "reflect", "edge", "wrap")


def _verifier(*op_types: type[OpT]) -> Callable[[Callable[[OpT], None]], Callable[[OpT], None]]:
    """Register a verifier for the given op classes; ShapeError becomes VerifyException.

    Taking the classes (not their names) types the verifier's `op` as the union of
    them, so named operand and result accessors are checked.
    """

    def register(check: Callable[[OpT], None]) -> Callable[[OpT], None]:
        def verify(op: OnnxOp) -> None:
            # VERIFIERS is keyed by op name, so `op` is always one of `op_types`.
            assert isinstance(op, op_types)
            try:
                check(op)
            except ShapeError as e:
                raise VerifyException(str(e)) from None

        for op_type in op_types:
            VERIFIERS[op_type.name] = verify
        return check

    return register


# -- accessors -----------------------------------------------------------------


def _shape(value: SSAValue) -> Shape:
    return shape_of(value.type)


def _elt(value: SSAValue) -> Attribute:
    assert isinstance(value.type, TensorType)
    return value.type.get_element_type()


def _int(op: OnnxOp, name: str) -> int | None:
    attr = op.properties.get(name)
    return attr.value.data if isinstance(attr, IntegerAttr) else None


def _ints(op: OnnxOp, name: str) -> tuple[int, ...] | None:
    attr = op.properties.get(name)
    if not isinstance(attr, DenseArrayBase):
        return None
    return tuple(int(v) for v in attr.get_values())


def _str(op: OnnxOp, name: str) -> str:
    attr = op.properties.get(name)
    assert isinstance(attr, StringAttr), f"{name} is a string property with a default"
    return attr.data


def _flag(op: OnnxOp, name: str) -> int:
    value = _int(op, name)
    if value not in (0, 1):
        raise VerifyException(f"{name} must be 0 or 1, got {value}")
    return value


def _one_of(op: OnnxOp, name: str, allowed: Sequence[str]) -> str:
    value = _str(op, name)
    if value not in allowed:
        raise VerifyException(f"{name} '{value}' is not one of {', '.join(allowed)}")
    return value


# -- checks ----------------------------------------------------------------------


def _expect_shape(what: str, actual: Shape, expected: Shape) -> None:
    if not shapes_agree(actual, expected):
        raise VerifyException(f"{what} has shape {list(actual)}, expected {list(expected)}")


def _kind(value: SSAValue) -> str:
    """The element type as same-type rules compare it.

    Quantized types of one expressed type count as one kind whatever their storage,
    scales and zero points: integer kernels take operands and results at different
    parameters (and rescale), while a quantized and a float tensor never mix.
    """
    element = _elt(value)
    if isinstance(element, UniformQuantizedType):
        return f"!quant.uniform<*:{element.expressed_type}>"
    return str(element)


def _same_elt(values: Iterable[SSAValue], what: str) -> None:
    values = list(values)
    if len({_kind(v) for v in values}) != 1:
        types = dict.fromkeys(str(_elt(v)) for v in values)
        raise VerifyException(f"{what} must have one element type, got {', '.join(types)}")


def _rank_at_least(what: str, shape: Shape, rank: int) -> None:
    if len(shape) < rank:
        raise VerifyException(f"{what} has rank {len(shape)}, expected at least {rank}")


def _vector(value: SSAValue | None, what: str, types: Sequence[Attribute] = _INDEX_TYPES) -> int:
    """Check a 1-D index tensor; return its length (-1 when dynamic or absent)."""
    if value is None:
        return DYNAMIC
    shape = _shape(value)
    if len(shape) != 1:
        raise VerifyException(f"{what} must be 1-D, got shape {list(shape)}")
    if _elt(value) not in types:
        raise VerifyException(f"{what} must hold {' or '.join(map(str, types))}, got {_elt(value)}")
    return shape[0]


def _scalar(value: SSAValue | None, what: str) -> None:
    if value is not None and element_count(_shape(value)) not in (None, 1):
        raise VerifyException(f"{what} must be a scalar, got shape {list(_shape(value))}")


def _same_as_input(op: OnnxOp) -> None:
    x, y = op.operands[0], op.results[0]
    _expect_shape("the result", _shape(y), _shape(x))
    if _kind(y) != _kind(x):
        raise VerifyException(f"result element type {_elt(y)} differs from input {_elt(x)}")


def _axis(op: OnnxOp, rank: int, *, inclusive: bool = False) -> int:
    axis = _int(op, "axis")
    assert axis is not None, "axis is a required or defaulted property"
    return normalize_axis(axis, rank, inclusive=inclusive)


# -- elementwise -----------------------------------------------------------------


@_verifier(
    ops.AbsOp, ops.EluOp, ops.ExpOp, ops.HardSigmoidOp, ops.HardSwishOp, ops.IdentityOp,
    ops.LeakyReluOp, ops.LogOp, ops.NegOp, ops.ReciprocalOp, ops.ReluOp, ops.SeluOp,
    ops.SigmoidOp, ops.SoftplusOp, ops.SoftsignOp, ops.SqrtOp, ops.TanhOp,
)  # fmt: skip
def _unary(op: OnnxOp) -> None:
    _same_as_input(op)


@_verifier(ops.AddOp, ops.SubOp, ops.MulOp, ops.DivOp, ops.MaxOp, ops.MinOp, ops.SumOp)
def _broadcasting(op: OnnxOp) -> None:
    if not op.operands:
        raise VerifyException("needs at least one input")
    _same_elt([*op.operands, *op.results], "inputs and result")
    _expect_shape("the result", _shape(op.results[0]), broadcast(*map(_shape, op.operands)))


@_verifier(ops.PowOp)
def _pow(op: ops.PowOp) -> None:
    # The exponent may have another element type; the result has the base's.
    x, y = op.operands
    if _kind(op.results[0]) != _kind(x):
        raise VerifyException(f"result element type {_elt(op.results[0])} differs from X {_elt(x)}")
    _expect_shape("the result", _shape(op.results[0]), broadcast(_shape(x), _shape(y)))


@_verifier(ops.PReluOp)
def _prelu(op: ops.PReluOp) -> None:
    x, slope = op.operands
    _same_elt([x, slope], "X and slope")
    if not broadcasts_to(_shape(slope), _shape(x)):
        raise VerifyException(
            f"slope {list(_shape(slope))} does not broadcast to X {list(_shape(x))}"
        )
    _same_as_input(op)


@_verifier(ops.ClipOp)
def _clip(op: ops.ClipOp) -> None:
    for name in ("min", "max"):
        bound = getattr(op, name)
        _scalar(bound, name)
        if bound is not None and _kind(bound) != _kind(op.operands[0]):
            raise VerifyException(
                f"{name} has element type {_elt(bound)}, input has {_elt(op.operands[0])}"
            )
    _same_as_input(op)


@_verifier(ops.SoftmaxOp, ops.LogSoftmaxOp)
def _softmax(op: OnnxOp) -> None:
    _axis(op, len(_shape(op.operands[0])))
    _same_as_input(op)


@_verifier(ops.LRNOp)
def _lrn(op: ops.LRNOp) -> None:
    size = _int(op, "size")
    if size is None or size < 1:
        raise VerifyException(f"size must be positive, got {size}")
    _rank_at_least("X", _shape(op.operands[0]), 3)
    _same_as_input(op)


@_verifier(ops.DropoutOp)
def _dropout(op: ops.DropoutOp) -> None:
    _scalar(op.ratio, "ratio")
    _scalar(op.training_mode, "training_mode")
    if op.training_mode is not None and _elt(op.training_mode) != IntegerType(1):
        raise VerifyException(f"training_mode must be i1, got {_elt(op.training_mode)}")
    if op.mask is not None:
        _expect_shape("mask", _shape(op.mask), _shape(op.data))
        if _elt(op.mask) != IntegerType(1):
            raise VerifyException(f"mask must be i1, got {_elt(op.mask)}")
    _same_as_input(op)


@_verifier(ops.CastOp)
def _cast(op: ops.CastOp) -> None:
    to = _int(op, "to")
    target = CAST_TYPES.get(to if to is not None else 0)
    if target is None:
        raise VerifyException(f"to = {to} is not a supported element type")
    if _elt(op.results[0]) != target:
        raise VerifyException(
            f"result element type {_elt(op.results[0])} does not match to = {to} ({target})"
        )
    _flag(op, "saturate")
    _expect_shape("the result", _shape(op.results[0]), _shape(op.operands[0]))


# -- windows -----------------------------------------------------------------------


def _window(op: OnnxOp, kernel: tuple[int, ...], ceil_mode: bool = False) -> Window:
    rank = len(kernel)
    auto_pad = _str(op, "auto_pad")
    pads = _ints(op, "pads")
    if pads is not None and auto_pad != "NOTSET":
        raise VerifyException(f"pads cannot be given with auto_pad = {auto_pad}")
    window = Window(
        kernel=kernel,
        strides=_ints(op, "strides") or (1,) * rank,
        dilations=_ints(op, "dilations") or (1,) * rank,
        pads=pads or (0,) * (2 * rank),
        auto_pad=auto_pad,
        ceil_mode=ceil_mode,
    )
    window.check()
    return window


def _kernel(op: OnnxOp, spatial_rank: int, weights: Shape | None = None) -> tuple[int, ...]:
    kernel = _ints(op, "kernel_shape")
    if kernel is None:
        if weights is None:
            raise VerifyException("kernel_shape is required")
        return weights[2:]
    if len(kernel) != spatial_rank:
        raise VerifyException(f"kernel_shape has {len(kernel)} values, expected {spatial_rank}")
    if weights is not None and not shapes_agree(kernel, weights[2:]):
        raise VerifyException(f"kernel_shape {list(kernel)} differs from W's {list(weights[2:])}")
    return kernel


def _conv_weights(op: OnnxOp, in_channels: Callable[[Shape, int], int]) -> tuple[Shape, Shape, int]:
    """Check X, W and group of Conv/ConvTranspose; return X's and W's shapes and group.

    `in_channels(W shape, group)` is the input channel count that W implies.
    """
    x, w = _shape(op.operands[0]), _shape(op.operands[1])
    _rank_at_least("X", x, 3)
    if len(w) != len(x):
        raise VerifyException(f"W has rank {len(w)}, X has rank {len(x)}")
    _same_elt([op.operands[0], op.operands[1], op.results[0]], "X, W and Y")
    group = _int(op, "group") or 0
    if group < 1:
        raise VerifyException(f"group must be positive, got {group}")
    if DYNAMIC not in w[:2] and not dims_agree(in_channels(w, group), x[1]):
        raise VerifyException(
            f"W {list(w)} with group = {group} takes {in_channels(w, group)} input channels, "
            f"X has {x[1]}"
        )
    return x, w, group


def _bias(op: OnnxOp, channels: int) -> None:
    b = op.operands[2] if len(op.operands) > 2 else None
    if b is not None:
        _expect_shape("B", _shape(b), (channels,))


@_verifier(ops.ConvOp)
def _conv(op: ops.ConvOp) -> None:
    x, w, group = _conv_weights(op, lambda w, group: w[1] * group)
    if w[0] >= 0 and w[0] % group:
        raise VerifyException(f"M = {w[0]} output channels is not a multiple of group = {group}")
    _bias(op, w[0])
    window = _window(op, _kernel(op, len(x) - 2, w))
    _expect_shape("the result", _shape(op.results[0]), (x[0], w[0], *window.out_dims(x[2:])))


@_verifier(ops.ConvTransposeOp)
def _conv_transpose(op: ops.ConvTransposeOp) -> None:
    x, w, group = _conv_weights(op, lambda w, _: w[0])
    if x[1] >= 0 and x[1] % group:
        raise VerifyException(f"C = {x[1]} input channels is not a multiple of group = {group}")
    channels = w[1] * group if w[1] >= 0 else DYNAMIC
    _bias(op, channels)
    rank = len(x) - 2
    window = _window(op, _kernel(op, rank, w))
    output_padding = _ints(op, "output_padding") or (0,) * rank
    output_shape = _ints(op, "output_shape")
    for name, values in (("output_padding", output_padding), ("output_shape", output_shape)):
        if values is not None and len(values) != rank:
            raise VerifyException(f"{name} has {len(values)} values, expected {rank}")
    if output_shape is not None:
        spatial = output_shape
    elif window.auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        spatial = tuple(
            n * s if n >= 0 else DYNAMIC for n, s in zip(x[2:], window.strides, strict=True)
        )
    else:
        spatial = tuple(
            conv_transpose_out_dim(n, k, s, d, window.pads[i], window.pads[rank + i], op_)
            for i, (n, k, s, d, op_) in enumerate(
                zip(
                    x[2:],
                    window.kernel,
                    window.strides,
                    window.dilations,
                    output_padding,
                    strict=True,
                )
            )
        )
    _expect_shape("the result", _shape(op.results[0]), (x[0], channels, *spatial))


def _pool(op: OnnxOp) -> Window:
    x = _shape(op.operands[0])
    _rank_at_least("X", x, 3)
    ceil_mode = _flag(op, "ceil_mode") == 1
    window = _window(op, _kernel(op, len(x) - 2), ceil_mode)
    _expect_shape("the result", _shape(op.results[0]), (*x[:2], *window.out_dims(x[2:])))
    if _kind(op.results[0]) != _kind(op.operands[0]):
        raise VerifyException("result element type differs from X's")
    return window


@_verifier(ops.AveragePoolOp)
def _average_pool(op: ops.AveragePoolOp) -> None:
    _flag(op, "count_include_pad")
    _pool(op)


@_verifier(ops.MaxPoolOp)
def _max_pool(op: ops.MaxPoolOp) -> None:
    _flag(op, "storage_order")
    _pool(op)
    indices = op.results[1] if len(op.results) > 1 else None
    if indices is None:
        return
    _expect_shape("Indices", _shape(indices), _shape(op.results[0]))
    if _elt(indices) != IntegerType(64):
        raise VerifyException(f"Indices must be i64, got {_elt(indices)}")


@_verifier(ops.GlobalAveragePoolOp, ops.GlobalMaxPoolOp)
def _global_pool(op: OnnxOp) -> None:
    x = _shape(op.operands[0])
    _rank_at_least("X", x, 3)
    _expect_shape("the result", _shape(op.results[0]), (*x[:2], *(1,) * (len(x) - 2)))


@_verifier(ops.BatchNormalizationOp)
def _batch_norm(op: ops.BatchNormalizationOp) -> None:
    x = _shape(op.operands[0])
    _rank_at_least("X", x, 2)
    for name in ("scale", "B", "input_mean", "input_var"):
        _expect_shape(name, _shape(getattr(op, name)), (x[1],))
    training = _flag(op, "training_mode")
    stats = [r for r in (op.running_mean, op.running_var) if r is not None]
    if stats and not training:
        raise VerifyException(
            "running_mean and running_var are outputs only when training_mode = 1"
        )
    for stat in stats:
        _expect_shape("a running statistic", _shape(stat), (x[1],))
    _same_as_input(op)


# -- linear algebra ----------------------------------------------------------------


@_verifier(ops.GemmOp)
def _gemm(op: ops.GemmOp) -> None:
    a, b = _shape(op.operands[0]), _shape(op.operands[1])
    if len(a) != 2 or len(b) != 2:
        raise VerifyException(f"A and B must have rank 2, got {list(a)} and {list(b)}")
    m, k = (a[1], a[0]) if _flag(op, "transA") else a
    kb, n = (b[1], b[0]) if _flag(op, "transB") else b
    if not dims_agree(k, kb):
        raise VerifyException(f"K differs: {k} (A) and {kb} (B) after transA/transB")
    c = op.operands[2] if len(op.operands) > 2 else None
    if c is not None and not broadcasts_to(_shape(c), (m, n)):
        raise VerifyException(f"C {list(_shape(c))} does not broadcast to {[m, n]}")
    _same_elt([o for o in (*op.operands, *op.results) if o is not None], "A, B, C and Y")
    _expect_shape("the result", _shape(op.results[0]), (m, n))


@_verifier(ops.MatMulOp)
def _matmul(op: ops.MatMulOp) -> None:
    _same_elt([*op.operands, *op.results], "A, B and Y")
    a, b = _shape(op.operands[0]), _shape(op.operands[1])
    _expect_shape("the result", _shape(op.results[0]), matmul_shape(a, b))


# -- data movement ------------------------------------------------------------------


@_verifier(ops.ConcatOp)
def _concat(op: ops.ConcatOp) -> None:
    if not op.operands:
        raise VerifyException("needs at least one input")
    shapes = [_shape(v) for v in op.operands]
    first = shapes[0]
    axis = _axis(op, len(first))
    for shape in shapes[1:]:
        others_agree = shapes_agree(
            shape[:axis] + shape[axis + 1 :], first[:axis] + first[axis + 1 :]
        )
        if len(shape) != len(first) or not others_agree:
            raise VerifyException(
                f"input shapes {list(first)} and {list(shape)} differ off axis {axis}"
            )
    _same_elt([*op.operands, *op.results], "inputs and result")
    sizes = [s[axis] for s in shapes]
    total = DYNAMIC if DYNAMIC in sizes else sum(sizes)
    _expect_shape("the result", _shape(op.results[0]), (*first[:axis], total, *first[axis + 1 :]))


@_verifier(ops.SplitOp)
def _split(op: ops.SplitOp) -> None:
    x = _shape(op.operands[0])
    axis = _axis(op, len(x))
    num_outputs = _int(op, "num_outputs")
    if num_outputs is not None and op.split is not None:
        raise VerifyException("split and num_outputs cannot both be given")
    if num_outputs is not None and num_outputs != len(op.results):
        raise VerifyException(
            f"num_outputs = {num_outputs} but the op has {len(op.results)} results"
        )
    count = _vector(op.split, "split", (IntegerType(64),))
    if count not in (DYNAMIC, len(op.results)):
        raise VerifyException(f"split has {count} sizes for {len(op.results)} results")
    sizes = [_shape(r) for r in op.results]
    for shape in sizes:
        if len(shape) != len(x) or not shapes_agree(
            shape[:axis] + shape[axis + 1 :], x[:axis] + x[axis + 1 :]
        ):
            raise VerifyException(
                f"result shape {list(shape)} differs from input {list(x)} off axis {axis}"
            )
    total = sum(s[axis] for s in sizes)
    if DYNAMIC not in (x[axis], *(s[axis] for s in sizes)) and total != x[axis]:
        raise VerifyException(f"results sum to {total} along axis {axis}, input has {x[axis]}")
    _same_elt([*op.operands[:1], *op.results], "input and results")


@_verifier(ops.SliceOp)
def _slice(op: ops.SliceOp) -> None:
    lengths = {
        _vector(v, name)
        for v, name in (
            (op.starts, "starts"),
            (op.ends, "ends"),
            (op.axes, "axes"),
            (op.steps, "steps"),
        )
    } - {DYNAMIC}
    if len(lengths) > 1:
        raise VerifyException("starts, ends, axes and steps must have one length")
    if len(_shape(op.results[0])) != len(_shape(op.data)):
        raise VerifyException("the result rank differs from the data rank")
    if _kind(op.results[0]) != _kind(op.data):
        raise VerifyException("result element type differs from the data's")


@_verifier(ops.ReshapeOp)
def _reshape(op: ops.ReshapeOp) -> None:
    _flag(op, "allowzero")
    out = _shape(op.results[0])
    if _vector(op.shape, "shape", (IntegerType(64),)) not in (DYNAMIC, len(out)):
        raise VerifyException(
            f"shape has {_shape(op.shape)[0]} values, the result has rank {len(out)}"
        )
    _same_count(_shape(op.data), out)
    if _kind(op.results[0]) != _kind(op.data):
        raise VerifyException("result element type differs from the data's")


def _same_count(a: Shape, b: Shape) -> None:
    count_a, count_b = element_count(a), element_count(b)
    if None not in (count_a, count_b) and count_a != count_b:
        raise VerifyException(
            f"{list(a)} and {list(b)} have different element counts ({count_a} vs {count_b})"
        )


@_verifier(ops.FlattenOp)
def _flatten(op: ops.FlattenOp) -> None:
    x = _shape(op.operands[0])
    axis = _axis(op, len(x), inclusive=True)
    outer, inner = element_count(x[:axis]), element_count(x[axis:])
    expected = (DYNAMIC if outer is None else outer, DYNAMIC if inner is None else inner)
    _expect_shape("the result", _shape(op.results[0]), expected)


@_verifier(ops.TransposeOp)
def _transpose(op: ops.TransposeOp) -> None:
    x = _shape(op.operands[0])
    perm = _ints(op, "perm")
    perm = tuple(reversed(range(len(x)))) if perm is None else perm
    if sorted(perm) != list(range(len(x))):
        raise VerifyException(f"perm {list(perm)} is not a permutation of the {len(x)} axes")
    _expect_shape("the result", _shape(op.results[0]), tuple(x[p] for p in perm))


@_verifier(ops.SqueezeOp)
def _squeeze(op: ops.SqueezeOp) -> None:
    x, out = _shape(op.data), _shape(op.results[0])
    count = _vector(op.axes, "axes", (IntegerType(64),))
    if count != DYNAMIC and len(out) != len(x) - count:
        raise VerifyException(
            f"squeezing {count} axes of rank {len(x)} gives rank {len(x) - count}, not {len(out)}"
        )
    if op.axes is None and DYNAMIC not in x and out != tuple(d for d in x if d != 1):
        raise VerifyException(f"squeezing every 1 of {list(x)} does not give {list(out)}")
    _same_count(x, out)


@_verifier(ops.UnsqueezeOp)
def _unsqueeze(op: ops.UnsqueezeOp) -> None:
    x, out = _shape(op.data), _shape(op.results[0])
    count = _vector(op.axes, "axes", (IntegerType(64),))
    if count != DYNAMIC and len(out) != len(x) + count:
        raise VerifyException(
            f"inserting {count} axes into rank {len(x)} gives rank {len(x) + count}, not {len(out)}"
        )
    _same_count(x, out)


@_verifier(ops.GatherOp)
def _gather(op: ops.GatherOp) -> None:
    data, indices = _shape(op.data), _shape(op.indices)
    _rank_at_least("data", data, 1)
    axis = _axis(op, len(data))
    if _elt(op.indices) not in _INDEX_TYPES:
        raise VerifyException(f"indices must be i32 or i64, got {_elt(op.indices)}")
    _expect_shape("the result", _shape(op.results[0]), (*data[:axis], *indices, *data[axis + 1 :]))


@_verifier(ops.ShapeOp)
def _shape_op(op: ops.ShapeOp) -> None:
    rank = len(_shape(op.data))
    start = _int(op, "start") or 0
    end = _int(op, "end")
    begin = min(max(start + rank if start < 0 else start, 0), rank)
    stop = rank if end is None else min(max(end + rank if end < 0 else end, 0), rank)
    _expect_shape("the result", _shape(op.results[0]), (max(stop - begin, 0),))
    if _elt(op.results[0]) != IntegerType(64):
        raise VerifyException(f"the result must hold i64, got {_elt(op.results[0])}")


@_verifier(ops.PadOp)
def _pad(op: ops.PadOp) -> None:
    _one_of(op, "mode", _PAD_MODES)
    rank = len(_shape(op.data))
    count = _vector(op.pads, "pads", (IntegerType(64),))
    axes = _vector(op.axes, "axes")
    expected = 2 * (rank if op.axes is None else axes)
    if DYNAMIC not in (count, expected) and count != expected:
        raise VerifyException(f"pads has {count} values, expected {expected}")
    _scalar(op.constant_value, "constant_value")
    if len(_shape(op.results[0])) != rank:
        raise VerifyException("the result rank differs from the data rank")


@_verifier(ops.ResizeOp)
def _resize(op: ops.ResizeOp) -> None:
    for name, allowed in _RESIZE_STRINGS.items():
        _one_of(op, name, allowed)
    _flag(op, "antialias")
    _flag(op, "exclude_outside")
    if op.scales is not None and op.sizes is not None:
        raise VerifyException("scales and sizes cannot both be given")
    _vector(op.sizes, "sizes", (IntegerType(64),))
    if len(_shape(op.results[0])) != len(_shape(op.X)):
        raise VerifyException("the result rank differs from X's")


@_verifier(ops.ReduceMaxOp, ops.ReduceMeanOp, ops.ReduceSumOp)
def _reduce(op: ops.ReduceMaxOp | ops.ReduceMeanOp | ops.ReduceSumOp) -> None:
    keepdims = _flag(op, "keepdims")
    _flag(op, "noop_with_empty_axes")
    rank, out = len(_shape(op.data)), _shape(op.results[0])
    count = _vector(op.axes, "axes", (IntegerType(64),))
    if keepdims and len(out) != rank:
        raise VerifyException(f"with keepdims the result rank must be {rank}, got {len(out)}")
    if not keepdims and count != DYNAMIC and len(out) != rank - count:
        raise VerifyException(
            f"reducing {count} axes of rank {rank} gives rank {rank - count}, not {len(out)}"
        )


# -- constants ----------------------------------------------------------------------


def _value_elt(value: Attribute) -> Attribute | None:
    """The element type an inline constant value states (a blob states none)."""
    if isinstance(value, DenseIntOrFPElementsAttr):
        return value.get_element_type()
    if isinstance(value, SplatAttr):
        return value.value.type
    return None


def _value_type(value: Attribute, result: Attribute) -> None:
    """Check that a constant value attribute can have the tensor type `result`.

    A quantized constant's value holds its storage integers (i8 for `!quant.uniform<i8:...>`).
    """
    assert isinstance(result, TensorType)
    elt, shape = result.get_element_type(), shape_of(result)
    quantized = isinstance(elt, UniformQuantizedType)
    dtype = elt.storage_dtype if quantized else numpy_dtype(elt)
    stated = _value_elt(value)
    stores = stated == elt or (
        quantized and isinstance(stated, IntegerType) and numpy_dtype(stated) == dtype
    )
    if stated is not None and not stores:
        raise VerifyException(f"value has element type {stated}, result has {elt}")
    if isinstance(value, DenseIntOrFPElementsAttr) and not shapes_agree(
        shape_of(value.type), shape
    ):
        raise VerifyException(
            f"value has shape {list(shape_of(value.type))}, result has {list(shape)}"
        )
    if isinstance(value, DenseResourceAttr) and value.blob.array is not None:
        expected = prod(shape) * dtype.itemsize
        if value.blob.array.nbytes != expected:
            raise VerifyException(
                f"resource '{value.key}' holds {value.blob.array.nbytes} bytes, "
                f"the result needs {expected}"
            )


@_verifier(ops.ConstantOp)
def _constant(op: ops.ConstantOp) -> None:
    _value_type(op.properties["value"], op.results[0].type)


@_verifier(ops.ConstantOfShapeOp)
def _constant_of_shape(op: ops.ConstantOfShapeOp) -> None:
    count = _vector(op.operands[0], "input", (IntegerType(64),))
    out = op.results[0].type
    if count != DYNAMIC and len(shape_of(out)) != count:
        raise VerifyException(f"the result has rank {len(shape_of(out))}, input has {count} dims")
    value = op.properties.get("value")
    if value is None:
        if _elt(op.results[0]) != Float32Type():
            raise VerifyException(f"without value the result is f32, got {_elt(op.results[0])}")
        return
    if isinstance(value, DenseIntOrFPElementsAttr) and len(value) != 1:
        raise VerifyException(f"value must have one element, got {len(value)}")
    elt = _value_elt(value)
    if elt is not None and elt != _elt(op.results[0]):
        raise VerifyException(f"value has element type {elt}, result has {_elt(op.results[0])}")
