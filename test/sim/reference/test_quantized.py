"""INT8 execution in the reference interpreter.

Conv/Gemm/MatMul are checked bit for bit against a direct int64 implementation
(Python-int fixed-point requantization), every INT8 kernel within one output step
of its FP32 kernel on the dequantized inputs, the quant op kernels against
aicc.base.int8, and what the observer sees.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.parser import Parser

from aicc.base import int8 as q
from aicc.base.errors import UserError
from aicc.dialects.context import make_context
from aicc.dialects.graph import main_func
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.quant import UniformQuantizedType, format_scale, quantized_element
from aicc.sim.reference.interpreter import evaluate_op, run_module
from aicc.sim.reference.kernels.quant_ops import dequantize_from

RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _fresh_rng() -> None:
    """Each test draws the same values whichever tests ran before it (GlobalMaxPool's
    two outputs could otherwise saturate alike in some orders)."""
    global RNG
    RNG = np.random.default_rng(7)


Spec = str | None
"""A quantized element spec such as `i8:f32, 0.05:3`, or None for f32."""


def _type(shape: tuple[int, ...], spec: Spec, dtype: str = "f32") -> str:
    dims = "x".join(map(str, shape))
    element = dtype if spec is None else f"!quant.uniform<{spec}>"
    return f"tensor<{dims}x{element}>" if dims else f"tensor<{element}>"


def _op(name: str, operands: list[str | None], results: list[str], props: str = "") -> OnnxOp:
    """`onnx.<name>` on block arguments of the given types (None: absent operand)."""
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(operands) if t is not None)
    uses = ", ".join("none" if t is None else f"%a{i}" for i, t in enumerate(operands))
    in_types = ", ".join("none" if t is None else t for t in operands)
    names = ", ".join(f"%r{i}" for i in range(len(results)))
    out_types = ", ".join(results)
    sep = ", " if props else ""
    text = (
        f"func.func @main({args}) -> ({out_types}) {{\n"
        f'  {names} = onnx.{name}({uses}) <{{{props}{sep}output_names = ["y"]}}> '
        f": ({in_types}) -> {results[0] if len(results) == 1 else f'({out_types})'}\n"
        f"  func.return {names} : {out_types}\n}}"
    )
    module = Parser(make_context(), text).parse_module()
    module.verify()
    return next(o for o in main_func(module).body.block.ops if isinstance(o, OnnxOp))


def _element(spec: str, shape: tuple[int, ...] = (1,)) -> UniformQuantizedType:
    element = quantized_element(Parser(make_context(), _type(shape, spec)).parse_type())
    assert element is not None
    return element


def _storage(shape: tuple[int, ...], t: UniformQuantizedType) -> np.ndarray:
    return RNG.integers(t.qmin, t.qmax + 1, size=shape).astype(t.storage_dtype)


def _requantize_exact(acc: np.ndarray, real: np.ndarray, zp: int, t: UniformQuantizedType):
    """The documented fixed-point rule in Python ints: round half away, + zp, saturate."""
    multipliers, shifts = q.quantize_multipliers(np.broadcast_to(real, acc.shape))
    out = np.empty(acc.shape, dtype=np.int64)
    for index, a in np.ndenumerate(acc):
        product, bits = int(a) * int(multipliers[index]), 31 + int(shifts[index])
        magnitude = (abs(product) + (1 << (bits - 1))) >> bits
        out[index] = min(max((-magnitude if product < 0 else magnitude) + zp, t.qmin), t.qmax)
    return out


# -- Conv / Gemm / MatMul: bit exact -------------------------------------------

scales = st.sampled_from([0.003, 0.0123, 0.05, 0.17, 0.5])


def _conv_reference(x, w, b, stride, pad, group):
    """Direct int64 convolution of centered values, one kernel tap at a time."""
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    acc = np.zeros((n, m, oh, ow), dtype=np.int64)
    mg = m // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg : (g + 1) * cg, i : i + stride * oh : stride]
                patch = patch[..., j : j + stride * ow : stride]
                acc[:, g * mg : (g + 1) * mg] += np.einsum(
                    "nchw,mc->nmhw", patch, w[g * mg : (g + 1) * mg, :, i, j]
                )
    return acc if b is None else acc + b.reshape(1, m, 1, 1)


@settings(max_examples=25, deadline=None)
@given(
    group=st.sampled_from([1, 2]),
    per_channel=st.booleans(),
    with_bias=st.booleans(),
    stride=st.integers(1, 2),
    pad=st.integers(0, 1),
    kernel=st.integers(1, 3),
    size=st.integers(3, 6),
    s_x=scales,
    s_w=scales,
    s_y=scales,
    z_x=st.integers(-20, 20),
    z_w=st.integers(-3, 3),
    unsigned_out=st.booleans(),
)
def test_conv_bit_exact(
    group, per_channel, with_bias, stride, pad, kernel, size, s_x, s_w, s_y, z_x, z_w, unsigned_out
):
    c, m = 2 * group, 2 * group
    w_scales = [s_w * (1 + k / 4) for k in range(m)] if per_channel else [s_w]
    w_spec = (
        f"i8:f32:0, {{{', '.join(map(format_scale, w_scales))}}}"
        if per_channel
        else f"i8:f32, {s_w}:{z_w}"
    )
    b_spec = (
        f"i32:f32:0, {{{', '.join(format_scale(s_x * s) for s in w_scales)}}}"
        if per_channel
        else f"i32:f32, {format_scale(s_x * s_w)}"
    )
    y_spec = f"u8:f32, {s_y}:100" if unsigned_out else f"i8:f32, {s_y}:-5"
    out = (size + 2 * pad - kernel) // stride + 1
    x_shape, w_shape, y_shape = (
        (2, c, size, size),
        (m, c // group, kernel, kernel),
        (2, m, out, out),
    )
    op = _op(
        "Conv",
        [
            _type(x_shape, f"i8:f32, {s_x}:{z_x}"),
            _type(w_shape, w_spec),
            _type((m,), b_spec) if with_bias else None,
        ],
        [_type(y_shape, y_spec)],
        f"group = {group} : i64, pads = array<i64: {pad}, {pad}, {pad}, {pad}>, "
        f"strides = array<i64: {stride}, {stride}>",
    )
    tx, tw, ty = (quantized_element(v.type) for v in (*op.operands[:2], op.results[0]))
    x, w = _storage(x_shape, tx), _storage(w_shape, tw)
    b = RNG.integers(-5000, 5000, size=m).astype(np.int32) if with_bias else None
    (y,) = evaluate_op(op, [x, w, b])
    zw = 0 if per_channel else z_w
    acc = _conv_reference(x.astype(np.int64) - z_x, w.astype(np.int64) - zw, b, stride, pad, group)
    real = (s_x * np.array(w_scales) / s_y).reshape(-1, 1, 1) if per_channel else s_x * s_w / s_y
    expected = _requantize_exact(acc, real, ty.zero_point, ty)
    assert y.dtype == ty.storage_dtype
    np.testing.assert_array_equal(y, expected)


@settings(max_examples=25, deadline=None)
@given(
    trans_a=st.booleans(),
    trans_b=st.booleans(),
    per_channel=st.booleans(),
    with_bias=st.booleans(),
    mkn=st.tuples(st.integers(1, 4), st.integers(1, 9), st.integers(1, 5)),
    s_a=scales,
    s_b=scales,
    s_y=scales,
    z_a=st.integers(-128, 127),
)
def test_gemm_bit_exact(trans_a, trans_b, per_channel, with_bias, mkn, s_a, s_b, s_y, z_a):
    m, k, n = mkn
    a_shape = (k, m) if trans_a else (m, k)
    b_shape = (n, k) if trans_b else (k, n)
    b_scales = [s_b * (1 + j / 3) for j in range(n)] if per_channel else [s_b]
    axis = 0 if trans_b else 1
    b_spec = (
        f"i8:f32:{axis}, {{{', '.join(map(format_scale, b_scales))}}}"
        if per_channel
        else f"i8:f32, {s_b}"
    )
    c_spec = (
        f"i32:f32:0, {{{', '.join(format_scale(s_a * s) for s in b_scales)}}}"
        if per_channel
        else f"i32:f32, {format_scale(s_a * s_b)}"
    )
    op = _op(
        "Gemm",
        [
            _type(a_shape, f"i8:f32, {s_a}:{z_a}"),
            _type(b_shape, b_spec),
            _type((n,), c_spec) if with_bias else None,
        ],
        [_type((m, n), f"i8:f32, {s_y}:3")],
        f"transA = {int(trans_a)} : i64, transB = {int(trans_b)} : i64",
    )
    ta, tb, ty = (quantized_element(v.type) for v in (*op.operands[:2], op.results[0]))
    a, b = _storage(a_shape, ta), _storage(b_shape, tb)
    c = RNG.integers(-(1 << 20), 1 << 20, size=n).astype(np.int32) if with_bias else None
    (y,) = evaluate_op(op, [a, b, c])
    a64 = a.astype(np.int64) - z_a
    b64 = b.astype(np.int64)
    acc = (a64.T if trans_a else a64) @ (b64.T if trans_b else b64)
    acc = acc if c is None else acc + c
    expected = _requantize_exact(acc, s_a * np.array(b_scales) / s_y, ty.zero_point, ty)
    np.testing.assert_array_equal(y, expected)


def test_matmul_bit_exact_batched_per_channel():
    b_scales = [0.01, 0.02, 0.03]
    op = _op(
        "MatMul",
        [
            _type((2, 4, 5), "u8:f32, 0.05:128"),
            _type((5, 3), f"i8:f32:1, {{{', '.join(map(format_scale, b_scales))}}}"),
        ],
        [_type((2, 4, 3), "i8:f32, 0.2:-1")],
    )
    ta, tb, ty = (quantized_element(v.type) for v in (*op.operands, op.results[0]))
    a, b = _storage((2, 4, 5), ta), _storage((5, 3), tb)
    (y,) = evaluate_op(op, [a, b])
    acc = np.matmul(a.astype(np.int64) - 128, b.astype(np.int64))
    expected = _requantize_exact(acc, 0.05 * np.array(b_scales) / 0.2, -1, ty)
    np.testing.assert_array_equal(y, expected)


def test_weights_quantized_along_the_reduction_axis_are_an_error():
    op = _op(
        "MatMul",
        [_type((4, 3), "i8:f32, 0.05"), _type((3, 2), "i8:f32:0, {0.1, 0.2, 0.3}")],
        [_type((4, 2), "i8:f32, 0.2")],
    )
    with pytest.raises(UserError, match="per axis 1"):
        evaluate_op(op, [np.zeros((4, 3), np.int8), np.zeros((3, 2), np.int8)])


# -- every kernel within one output step of FP32 on dequantized inputs ----------

X4 = (1, 2, 5, 5)
A_SPEC, B_SPEC, Y_SPEC = "i8:f32, 0.05:3", "u8:f32, 0.03:120", "i8:f32, 0.07:-4"
Case = tuple[str, list[tuple[tuple[int, ...], Spec]], list[tuple[tuple[int, ...], Spec]], str]
CASES: list[Case] = [
    ("Relu", [(X4, A_SPEC)], [(X4, Y_SPEC)], ""),
    ("Relu", [(X4, A_SPEC)], [(X4, A_SPEC)], ""),
    # The bounds' parameters keep min <= 0 <= max whatever the random storage values.
    ("Clip", [(X4, A_SPEC), ((), "u8:f32, 0.002:255"), ((), "u8:f32, 0.002")], [(X4, Y_SPEC)], ""),
    (
        "Clip",
        [(X4, A_SPEC), ((), "i8:f32, 0.01:127"), ((), "i8:f32, 0.004:-128")],
        [(X4, Y_SPEC)],
        "",
    ),
    ("Add", [(X4, A_SPEC), ((1, 2, 1, 5), B_SPEC)], [(X4, Y_SPEC)], ""),
    ("Sub", [(X4, A_SPEC), ((5,), B_SPEC)], [(X4, "u8:f32, 0.1:60")], ""),
    ("Mul", [(X4, A_SPEC), (X4, B_SPEC)], [(X4, Y_SPEC)], ""),
    (
        "MaxPool",
        [(X4, A_SPEC)],
        [((1, 2, 3, 3), Y_SPEC)],
        "kernel_shape = array<i64: 3, 3>, "
        "pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>",
    ),
    (
        "AveragePool",
        [(X4, A_SPEC)],
        [((1, 2, 3, 3), Y_SPEC)],
        "kernel_shape = array<i64: 3, 3>, "
        "pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>",
    ),
    (
        "AveragePool",
        [(X4, A_SPEC)],
        [((1, 2, 3, 3), Y_SPEC)],
        "count_include_pad = 1 : i64, kernel_shape = array<i64: 3, 3>, "
        "pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>",
    ),
    ("GlobalAveragePool", [(X4, A_SPEC)], [((1, 2, 1, 1), Y_SPEC)], ""),
    ("GlobalMaxPool", [(X4, A_SPEC)], [((1, 2, 1, 1), A_SPEC)], ""),
    ("Concat", [(X4, A_SPEC), ((1, 3, 5, 5), B_SPEC)], [((1, 5, 5, 5), Y_SPEC)], "axis = 1 : i64"),
    ("Transpose", [(X4, A_SPEC)], [((5, 5, 2, 1), Y_SPEC)], "perm = array<i64: 3, 2, 1, 0>"),
    ("Flatten", [(X4, A_SPEC)], [((1, 50), A_SPEC)], ""),
    (
        "Gemm",
        [((3, 4), A_SPEC), ((5, 4), "i8:f32, 0.02"), ((5,), "i8:f32, 0.01:2")],
        [((3, 5), Y_SPEC)],
        "alpha = 0.5 : f32, beta = 2.0 : f32, transB = 1 : i64",
    ),
    (
        "Conv",
        [(X4, A_SPEC), ((3, 2, 3, 3), "i8:f32, 0.02"), ((3,), None)],
        [((1, 3, 5, 5), Y_SPEC)],
        "pads = array<i64: 1, 1, 1, 1>",
    ),
]


def _ops(case: Case) -> tuple[OnnxOp, OnnxOp]:
    """The op with quantized types, and its FP32 twin."""
    name, operands, results, props = case
    quantized = _op(
        name,
        [_type(s, spec) for s, spec in operands],
        [_type(s, spec) for s, spec in results],
        props,
    )
    plain = _op(
        name, [_type(s, None) for s, _ in operands], [_type(s, None) for s, _ in results], props
    )
    return quantized, plain


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_kernel_within_one_step_of_fp32(case: Case):
    quantized, plain = _ops(case)
    inputs, reals = [], []
    for value in quantized.operands:
        t = quantized_element(value.type)
        shape = tuple(value.type.get_shape())
        if t is None:
            real = RNG.normal(0, 0.3, size=shape).astype(np.float32)
            inputs.append(real)
        else:
            inputs.append(_storage(shape, t))
            real = dequantize_from(inputs[-1], t)
        reals.append(real)
    (y,) = evaluate_op(quantized, inputs)
    (reference,) = evaluate_op(plain, reals)
    ty = quantized_element(quantized.results[0].type)
    expected = q.quantize(reference, ty.scale, ty.zero_point, ty.storage_dtype)
    assert y.dtype == ty.storage_dtype
    assert np.abs(y.astype(np.int64) - expected).max() <= 1
    assert len(np.unique(y)) > 1, "a degenerate test: constant output"


def test_data_movement_keeps_integers_when_parameters_agree():
    op = _op("Reshape", [_type(X4, A_SPEC), "tensor<2xi64>"], [_type((2, 25), A_SPEC)])
    x = _storage(X4, _element(A_SPEC))
    (y,) = evaluate_op(op, [x, np.array([2, 25])])
    np.testing.assert_array_equal(y, x.reshape(2, 25))


def test_op_without_int8_kernel_is_a_user_error():
    op = _op("Sigmoid", [_type(X4, A_SPEC)], [_type(X4, A_SPEC)])
    with pytest.raises(UserError, match="no INT8 kernel"):
        evaluate_op(op, [_storage(X4, _element(A_SPEC))])


# -- quant ops and the observer ------------------------------------------------

QX = "tensor<2x3x!quant.uniform<i8:f32:1, {0.02:1, 0.05:-3, 0.1}>>"
QR = "tensor<2x3x!quant.uniform<u8:f32, 0.03:128>>"
QUANT_MODULE = f"""
func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf16>) {{
  %q = quant.quantize %x : tensor<2x3xf32> to {QX}
  %r = quant.requantize %q : {QX} to {QR}
  %y = onnx.Relu(%r) <{{output_names = ["relu0"]}}> : ({QR}) -> {QR}
  %d = quant.dequantize %y : {QR} to tensor<2x3xf32>
  %h = quant.convert %d : tensor<2x3xf32> to tensor<2x3xf16>
  func.return %d, %h : tensor<2x3xf32>, tensor<2x3xf16>
}}
"""


def test_quant_ops_match_aicc_quantization_and_observer_sees_floats():
    module = Parser(make_context(), QUANT_MODULE).parse_module()
    x = RNG.normal(0, 3, size=(2, 3)).astype(np.float32)
    seen: dict[str, np.ndarray] = {}
    d, h = run_module(module, [x], observer=lambda name, array: seen.setdefault(name, array))
    scales, zps = np.array([0.02, 0.05, 0.1]), np.array([1, -3, 0])
    qx = q.quantize(x, scales, zps, np.int8, axis=1)
    qr = q.quantize(q.dequantize(qx, scales, zps, axis=1), 0.03, 128, np.uint8)
    qy = np.maximum(qr, 128)
    np.testing.assert_array_equal(d, q.dequantize(qy, 0.03, 128))
    assert h.dtype == np.float16
    np.testing.assert_array_equal(h, d.astype(np.float16))
    # The graph input and the Relu; the quant ops convert tensors already reported.
    assert sorted(seen) == ["#0", "relu0"]
    np.testing.assert_array_equal(seen["#0"], x)
    assert seen["relu0"].dtype == np.float32
    np.testing.assert_array_equal(seen["relu0"], d)
