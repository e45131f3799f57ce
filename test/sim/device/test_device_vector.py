"""Every vector opcode against an independent numpy expression; INT8 ones bit-exact
against the reference interpreter's INT8 kernels on the same data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from device_programs import run_on_sp, sp
from xdsl.parser import Parser

from aicc.base import int8 as q
from aicc.dialects.aic import ParamValue, VectorOp, VectorOpcode
from aicc.dialects.context import make_context
from aicc.dialects.graph import main_func
from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.device.vector import OPCODES, Builder, opcode_table
from aicc.sim.reference.interpreter import evaluate_op

RNG = np.random.default_rng(5)
SLOT = 1 << 14


def vector(
    opcode: str,
    ins: Sequence[np.ndarray],
    out_shape: Sequence[int],
    out_dtype: type,
    params: dict[str, ParamValue | Sequence[int]] | None = None,
) -> np.ndarray:
    """Run one vector instruction with `ins` in consecutive scratchpad slots."""
    in_views = [sp(SLOT * i, x.shape, x.dtype) for i, x in enumerate(ins)]
    out_addr = SLOT * len(ins)
    op = VectorOp(opcode, in_views, [sp(out_addr, out_shape, out_dtype)], "v", params)
    placed = [(SLOT * i, x) for i, x in enumerate(ins)]
    return run_on_sp([op], placed, (out_addr, out_shape, out_dtype))


def _x(shape: tuple[int, ...] = (4, 8), dtype: type = np.float32) -> np.ndarray:
    return (RNG.standard_normal(shape) * 2).astype(dtype)


UNARY: dict[str, tuple[Callable[[np.ndarray], np.ndarray], dict[str, float]]] = {
    "relu": (lambda x: np.where(x > 0, x, 0), {}),
    "leaky_relu": (lambda x: np.where(x < 0, 0.1 * x, x), {"alpha": 0.1}),
    "clip": (lambda x: np.clip(x, -0.5, 1.5), {"min": -0.5, "max": 1.5}),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), {}),
    "tanh": (np.tanh, {}),
    "exp": (np.exp, {}),
    "log": (lambda x: np.log(np.abs(x)), {}),
    "abs": (np.abs, {}),
    "neg": (lambda x: -x, {}),
    "sqrt": (lambda x: np.sqrt(np.abs(x)), {}),
    "reciprocal": (lambda x: 1 / x, {}),
    "elu": (lambda x: np.where(x < 0, 0.7 * (np.exp(x) - 1), x), {"alpha": 0.7}),
    "selu": (
        lambda x: 1.05 * np.where(x <= 0, 1.67 * (np.exp(x) - 1), x),
        {"alpha": 1.67, "gamma": 1.05},
    ),
    "softplus": (lambda x: np.log1p(np.exp(x)), {}),
    "softsign": (lambda x: x / (1 + np.abs(x)), {}),
    "hard_sigmoid": (lambda x: np.clip(0.2 * x + 0.5, 0, 1), {"alpha": 0.2, "beta": 0.5}),
    "hard_swish": (lambda x: x * np.clip(x + 3, 0, 6) / 6, {}),
}
_POSITIVE_ONLY = ("log", "sqrt")


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_unary(name: str, dtype: type) -> None:
    expression, params = UNARY[name]
    x = _x(dtype=dtype)
    if name in _POSITIVE_ONLY:
        x = np.abs(x) + dtype(0.25)
    got = vector(name, [x], x.shape, dtype, params)
    expected = expression(x.astype(np.float64))
    if dtype is np.float32:
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    else:  # computed in f32, rounded once to f16: within one f16 ulp of the exact value
        np.testing.assert_array_less(
            np.abs(got.astype(np.float64) - expected),
            np.spacing(np.abs(expected).astype(np.float16)).astype(np.float64) + 1e-7,
        )


BINARY: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "max": np.maximum,
    "min": np.minimum,
    "pow": lambda a, b: np.abs(a) ** b,
    "prelu": lambda a, b: np.where(a < 0, a * b, a),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcasts_to_the_out_shape(name: str) -> None:
    a, b = _x((4, 8)), _x((8,))
    if name == "pow":
        a = np.abs(a)
    got = vector(name, [a, b], a.shape, np.float32)
    np.testing.assert_allclose(
        got, BINARY[name](a.astype(np.float64), b.astype(np.float64)), rtol=1e-5, atol=1e-6
    )


def test_integer_max_is_exact() -> None:
    a, b = (
        RNG.integers(-128, 128, (4, 8)).astype(np.int8),
        RNG.integers(-128, 128, (4, 8)).astype(np.int8),
    )
    np.testing.assert_array_equal(vector("max", [a, b], a.shape, np.int8), np.maximum(a, b))


def test_copy_converts_f32_to_f16_and_back() -> None:
    x = _x((4, 8))
    np.testing.assert_array_equal(vector("copy", [x], x.shape, np.float16), x.astype(np.float16))
    h = x.astype(np.float16)
    np.testing.assert_array_equal(vector("copy", [h], h.shape, np.float32), h.astype(np.float32))


def test_fill_writes_the_value_even_minus_infinity() -> None:
    got = vector("fill", [], (3, 5), np.float32, {"value": float("-inf")})
    assert np.all(got == -np.inf)
    np.testing.assert_array_equal(
        vector("fill", [], (3, 5), np.int8, {"value": -7}), np.full((3, 5), -7)
    )


@pytest.mark.parametrize("out_dtype", [np.float32, np.float16])
def test_bias_act(out_dtype: type) -> None:
    acc, bias = _x((6, 8)), _x((8,))
    got = vector(
        "bias_act", [acc, bias], acc.shape, out_dtype, {"act": "clip", "min": 0.0, "max": 1.0}
    )
    expected = np.clip(acc.astype(np.float64) + bias, 0, 1).astype(out_dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-3 if out_dtype is np.float16 else 1e-6)


def _requantize_exact(
    acc: np.ndarray, m: np.ndarray, s: np.ndarray, zp: int, lo: int, hi: int
) -> np.ndarray:
    """The documented fixed-point rule in Python ints."""
    m, s = np.broadcast_to(m, acc.shape), np.broadcast_to(s, acc.shape)
    out = np.empty(acc.shape, dtype=np.int64)
    for index, a in np.ndenumerate(acc):
        product, bits = int(a) * int(m[index]), 31 + int(s[index])
        magnitude = (abs(product) + (1 << (bits - 1))) >> bits
        out[index] = min(max((-magnitude if product < 0 else magnitude) + zp, lo), hi)
    return out


def test_requant_with_bias_and_per_channel_multipliers_is_bit_exact() -> None:
    acc = RNG.integers(-(1 << 20), 1 << 20, (5, 8)).astype(np.int32)
    bias = RNG.integers(-5000, 5000, (8,)).astype(np.int32)
    multipliers, shifts = q.quantize_multipliers(RNG.uniform(1e-4, 0.05, 8))
    got = vector(
        "requant",
        [acc, bias, multipliers.astype(np.int32), shifts.astype(np.int32)],
        acc.shape,
        np.int8,
        {"zero_point": -3, "qmin": -128, "qmax": 127},
    )
    expected = _requantize_exact(acc.astype(np.int64) + bias, multipliers, shifts, -3, -128, 127)
    np.testing.assert_array_equal(got, expected)


def test_requantize_moves_between_per_tensor_types() -> None:
    x = RNG.integers(0, 256, (4, 8)).astype(np.uint8)
    multiplier, shift = q.quantize_multiplier(0.37)
    params = {
        "multiplier": multiplier,
        "shift": shift,
        "in_zero_point": 120,
        "zero_point": 4,
        "qmin": -128,
        "qmax": 127,
    }
    got = vector("requantize", [x], x.shape, np.int8, params)
    expected = _requantize_exact(
        x.astype(np.int64) - 120, np.array(multiplier), np.array(shift), 4, -128, 127
    )
    np.testing.assert_array_equal(got, expected)


def test_quantize_and_dequantize_per_tensor_and_per_axis() -> None:
    x = _x((4, 8))
    got = vector("quantize", [x], x.shape, np.int8, {"scale": 0.02, "zero_point": 3})
    np.testing.assert_array_equal(got, np.clip(np.rint(x.astype(np.float64) / 0.02) + 3, -128, 127))
    scales = RNG.uniform(0.01, 0.1, 8).astype(np.float32)
    zps = RNG.integers(-5, 5, 8).astype(np.int32)
    got = vector("quantize", [x, scales, zps], x.shape, np.int8)
    np.testing.assert_array_equal(
        got, np.clip(np.rint(x.astype(np.float64) / scales.astype(np.float64)) + zps, -128, 127)
    )
    back = vector("dequantize", [got, scales, zps], x.shape, np.float32)
    np.testing.assert_array_equal(
        back, ((got.astype(np.int64) - zps) * scales.astype(np.float64)).astype(np.float32)
    )
    half = vector("dequantize", [got], x.shape, np.float16, {"scale": 0.02, "zero_point": 3})
    np.testing.assert_array_equal(
        half, ((got.astype(np.int64) - 3) * 0.02).astype(np.float32).astype(np.float16)
    )


# -- INT8 arithmetic against the reference interpreter ---------------------------------


def _onnx_op(
    name: str,
    in_specs: Sequence[str],
    out_spec: str,
    shapes: Sequence[tuple[int, ...]],
    out_shape: tuple[int, ...],
    props: str = "",
) -> OnnxOp:
    def t(shape: tuple[int, ...], spec: str) -> str:
        return f"tensor<{'x'.join(map(str, shape))}x!quant.uniform<{spec}>>"

    in_types = [t(s, spec) for s, spec in zip(shapes, in_specs, strict=True)]
    args = ", ".join(f"%a{i}: {ty}" for i, ty in enumerate(in_types))
    uses = ", ".join(f"%a{i}" for i in range(len(in_types)))
    out = t(out_shape, out_spec)
    sep = ", " if props else ""
    text = (
        f"func.func @main({args}) -> {out} {{\n"
        f'  %y = onnx.{name}({uses}) <{{{props}{sep}output_names = ["y"]}}> '
        f": ({', '.join(in_types)}) -> {out}\n"
        f"  func.return %y : {out}\n}}"
    )
    module = Parser(make_context(), text).parse_module()
    return next(o for o in main_func(module).body.block.ops if isinstance(o, OnnxOp))


def _m(real: float) -> tuple[int, int]:
    return q.quantize_multiplier(real)


@pytest.mark.parametrize("kind", ["Add", "Sub", "Mul"])
def test_qadd_qsub_qmul_match_the_reference_int8_kernels(kind: str) -> None:
    (sa, za), (sb, zb), (sy, zy) = (0.05, 3), (0.11, -7), (0.09, 2)
    a = RNG.integers(-128, 128, (4, 16)).astype(np.int8)
    b = RNG.integers(-128, 128, (16,)).astype(np.int8)
    op = _onnx_op(
        kind,
        [f"i8:f32, {sa}:{za}", f"i8:f32, {sb}:{zb}"],
        f"i8:f32, {sy}:{zy}",
        [a.shape, b.shape],
        a.shape,
    )
    (expected,) = evaluate_op(op, [a, b])
    out = {"zero_point": zy, "qmin": -128, "qmax": 127}
    if kind == "Mul":
        multiplier, shift = _m(sa * sb / sy)
        params = {
            "a_zero_point": za,
            "b_zero_point": zb,
            "multiplier": multiplier,
            "shift": shift,
            **out,
        }
        got = vector("qmul", [a, b], a.shape, np.int8, params)
    else:
        common = 2 * max(sa, sb)
        (ma, sha), (mb, shb), (my, shy) = (
            _m(sa / common),
            _m(sb / common),
            _m(common / (1 << 20) / sy),
        )
        params = {
            "a_zero_point": za,
            "a_multiplier": ma,
            "a_shift": sha,
            "b_zero_point": zb,
            "b_multiplier": mb,
            "b_shift": shb,
            "multiplier": my,
            "shift": shy,
            **out,
        }
        got = vector("qadd" if kind == "Add" else "qsub", [a, b], a.shape, np.int8, params)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("include_pad", [0, 1])
def test_pool_avg_i8_matches_the_reference_average_pool(include_pad: int) -> None:
    (sx, zx), (sy, zy) = (0.07, 10), (0.05, -4)
    c, h, w = 5, 7, 6
    x = RNG.integers(-128, 128, (1, c, h, w)).astype(np.int8)
    props = (
        "kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, "
        f"strides = array<i64: 2, 2>, count_include_pad = {include_pad} : i64"
    )
    op = _onnx_op(
        "AveragePool", [f"i8:f32, {sx}:{zx}"], f"i8:f32, {sy}:{zy}", [x.shape], (1, c, 4, 3), props
    )
    (expected,) = evaluate_op(op, [x])
    padded = np.full((h + 2, w + 2, c), zx, dtype=np.int8)
    padded[1:-1, 1:-1] = x[0].transpose(1, 2, 0)
    # Taps inside the unpadded input (padded rows 1..h, columns 1..w) per output position.
    rows = np.array([min(2 * i + 2, h) - max(2 * i, 1) + 1 for i in range(4)])
    cols = np.array([min(2 * j + 2, w) - max(2 * j, 1) + 1 for j in range(3)])
    counts = np.full((4, 3), 9) if include_pad else np.outer(rows, cols)
    counts = counts.astype(np.int32)
    params = {
        "kernel": (3, 3),
        "strides": (2, 2),
        "in_scale": sx,
        "in_zero_point": zx,
        "out_scale": sy,
        "zero_point": zy,
        "qmin": -128,
        "qmax": 127,
    }
    got = vector("pool_avg", [padded, counts], (4, 3, c), np.int8, params)
    np.testing.assert_array_equal(got.transpose(2, 0, 1)[None], expected)


def test_pool_max_and_float_pool_avg() -> None:
    x = _x((7, 7, 3))
    got = vector("pool_max", [x], (3, 3, 3), np.float32, {"kernel": (3, 3), "strides": (2, 2)})
    windows = np.stack([x[i : i + 5 : 2, j : j + 5 : 2] for i in range(3) for j in range(3)])
    np.testing.assert_array_equal(got, windows.max(axis=0))
    divisor = np.full((3, 3), 9, np.float32)
    got = vector(
        "pool_avg", [x, divisor], (3, 3, 3), np.float32, {"kernel": (3, 3), "strides": (2, 2)}
    )
    np.testing.assert_allclose(
        got, windows.astype(np.float64).sum(axis=0) / 9, rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "name,fn", [("reduce_sum", np.sum), ("reduce_max", np.max), ("reduce_mean", np.mean)]
)
def test_reductions(name: str, fn: Callable[..., np.ndarray]) -> None:
    x = _x((3, 4, 5))
    got = vector(name, [x], (3, 1, 1), np.float32, {"axes": (1, 2), "keepdims": 1})
    np.testing.assert_allclose(
        got, fn(x.astype(np.float64), axis=(1, 2), keepdims=True), rtol=1e-5, atol=1e-6
    )
    got = vector(name, [x], (4, 5), np.float32, {"axes": (0,), "keepdims": 0})
    np.testing.assert_allclose(got, fn(x.astype(np.float64), axis=0), rtol=1e-5, atol=1e-6)


def test_softmax_and_log_softmax_over_the_last_axis() -> None:
    x = _x((3, 10))
    e = np.exp(x.astype(np.float64))
    np.testing.assert_allclose(
        vector("softmax", [x], x.shape, np.float32),
        e / e.sum(-1, keepdims=True),
        rtol=1e-5,
        atol=1e-7,
    )
    np.testing.assert_allclose(
        vector("log_softmax", [x], x.shape, np.float32),
        np.log(e / e.sum(-1, keepdims=True)),
        rtol=1e-5,
        atol=1e-6,
    )


def test_lrn_over_channels_last() -> None:
    x = _x((2, 3, 7))
    size, alpha, beta, bias = 3, 1e-2, 0.75, 2.0
    got = vector(
        "lrn", [x], x.shape, np.float32, {"size": size, "alpha": alpha, "beta": beta, "bias": bias}
    )
    wide = x.astype(np.float64)
    sums = np.zeros_like(wide)
    for c in range(7):
        sums[..., c] = (wide[..., max(0, c - 1) : c + 2] ** 2).sum(-1)
    np.testing.assert_allclose(got, wide / (bias + alpha / size * sums) ** beta, rtol=1e-5)


def test_the_builders_match_the_declared_opcodes() -> None:
    unimplemented: dict[str, Builder] = {k: v for k, v in OPCODES.items() if k != VectorOpcode.LRN}
    with pytest.raises(RuntimeError, match=r"declared but not implemented \['lrn'\], implemented"):
        opcode_table(unimplemented)
    undeclared: dict[str, Builder] = {**OPCODES, "frobnicate": OPCODES[VectorOpcode.COPY]}
    with pytest.raises(RuntimeError, match=r"implemented but not declared \['frobnicate'\]"):
        opcode_table(undeclared)
