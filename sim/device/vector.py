"""The vector unit: every `aic.vector` opcode and its exact semantics.

`OPCODES` implements each `VectorOpcode` of the `aic` dialect, and only those: a
declared opcode without a builder, or a builder of an undeclared one, fails the import.
The lowering (`aicc.lowering.kernel_to_aic`) relies on exactly these definitions.
`ins` are read, `outs` written; all views are in the scratchpad. A result is stored
into its out view with numpy's cast (`np.copyto(..., casting="unsafe")`: float32 ->
float16 rounds to nearest even; float -> int is only used where the value is exact).

Float opcodes compute in float32: f16 views are widened to f32 (exactly), the result
is rounded once to the out dtype (the FP16 semantics of `aicc.base.fp16`). Float
parameters are Python floats (float64) combined with float32 arrays, as the
reference kernels combine ONNX float attributes. Ins broadcast (numpy rules) to the
out shape; `VectorOp.problem` (the verifier, and the decoder before any builder here)
checks that for every opcode but the pools and reductions, whose windows and axes the
builders check.

Elementwise, binary (ins [a, b]; float views; `max`/`min` also integers, exactly):
  add a+b, sub a-b, mul a*b, div a/b, max, min, pow a**b, prelu where(a<0, a*b, a).
Elementwise, unary (ins [x]; float views):
  relu max(x,0); leaky_relu(alpha) where(x<0, x*alpha, x); clip(min?, max?)
  min(max(x, min), max) (an absent bound is no bound); sigmoid exp(-logaddexp(0,-x));
  tanh; exp; log; abs; neg; sqrt; reciprocal 1/x; elu(alpha) where(x<0, alpha*expm1(min(x,0)), x);
  selu(alpha, gamma) gamma*where(x<=0, alpha*expm1(min(x,0)), x); softplus logaddexp(0,x);
  softsign x/(1+|x|); hard_sigmoid(alpha, beta) clip(alpha*x+beta, 0, 1);
  hard_swish x*clip(x/6+0.5, 0, 1).
copy (ins [x]): out = x converted to the out dtype (f32<->f16, or same-dtype moves;
  with strided views this is also transpose, slice and concat).
fill (no ins; value): every out element = value (cast to the out dtype; -inf allowed).
bias_act (ins [acc f32, bias? f32/f16 [N]]; act = "none" or any unary opcode above, with
  that opcode's params): out = act(acc + bias) in float32, rounded to out (f32/f16).
requant (ins [acc i32 [..., N], bias? i32 [N], multiplier i32 [N]|[1], shift i32 [N]|[1]];
  zero_point, qmin, qmax): out = aicc.base.int8.requantize(acc + bias, multiplier,
  shift, zero_point, qmin, qmax), in int64.
quantize (ins [x f32/f16, scale? f32 [N], zero_point? i32 [N]] (per axis = last axis), else
  params scale (float64), zero_point; optional qmin, qmax): aicc.base.int8.quantize
  into the out dtype (i8/u8): clamp(rint(x / scale) + zp).
dequantize (ins [q, scale?, zero_point?] as quantize; params scale, zero_point, expressed
  "f32" (default) | "f16"): aicc.base.int8.dequantize: to_expressed((q - zp) * scale) in
  float64, then to the out dtype.
requantize (ins [q]; multiplier, shift, in_zero_point, zero_point, qmin, qmax): out =
  requantize(q - in_zero_point, multiplier, shift, zero_point, qmin, qmax) (the
  reference's `to_type` between per-tensor types).
qadd, qsub (ins [a, b]; a_zero_point, a_multiplier, a_shift, b_zero_point, b_multiplier,
  b_shift, multiplier, shift, zero_point, qmin, qmax): TFLite's scheme of
  `aicc.base.int8`: t_x = add_term(x, z_x, M_x, shift_x) = requantize((x - z_x) << 20, ...);
  out = requantize(t_a +- t_b, multiplier, shift, zero_point, qmin, qmax).
qmul (ins [a, b]; a_zero_point, b_zero_point, multiplier, shift, zero_point, qmin, qmax):
  out = requantize((a - z_a) * (b - z_b), multiplier, shift, zero_point, qmin, qmax).
pool_max (ins [x [H,W,C]] padded; kernel, strides, dilations (default 1)): out [OH,OW,C]
  = window max, in the views' dtype (exact for integers).
pool_avg (ins [x [H,W,C], divisor [OH,OW]]; kernel, strides, dilations):
  float: out = (window sum in float32) / divisor (f32/f16 divisor, widened);
  integer (i8/u8 x, i32 divisor holding tap counts; in_scale, in_zero_point, out_scale,
  zero_point, qmin, qmax), as the reference interpreter's quantized pool: s = window sum of
  (x - in_zero_point) in int64, out = requantize(s, quantize_multipliers((in_scale /
  divisor) / out_scale), zero_point, qmin, qmax) (float64 arithmetic in that order).
reduce_sum, reduce_max, reduce_mean (ins [x]; axes, keepdims (default 1)): float32
  numpy sum / max / mean.
softmax, log_softmax (ins [x]; last axis): e = exp(x - max); e / sum(e), and
  (x - max) - log(sum(exp(x - max))).
lrn (ins [x], channels last; size, alpha, beta, bias): x / (bias + alpha/size *
  window sum of x^2 over channels [c - (size-1)//2, c + size//2]) ** beta (float32).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from aicc.base import int8 as q
from aicc.dialects.aic import ParamValue, VectorOpcode
from aicc.sim.device.numeric import widen

Run = Callable[[], None]
Params = Mapping[str, ParamValue]


@dataclass(frozen=True)
class VectorArgs:
    """The operand arrays (views of the scratchpad) and parameters of one instruction."""

    ins: list[np.ndarray]
    outs: list[np.ndarray]
    params: Params

    @property
    def out(self) -> np.ndarray:
        return self.outs[0]

    def number(self, name: str, default: float | None = None) -> float:
        value = self.params.get(name, default)
        if not isinstance(value, int | float):
            raise ValueError(f"needs the number parameter '{name}'")
        return float(value)

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.params.get(name, default)
        if not isinstance(value, int):
            raise ValueError(f"needs the integer parameter '{name}'")
        return value

    def ints(self, name: str, default: tuple[int, ...] | None = None) -> tuple[int, ...]:
        value = self.params.get(name, default)
        if not isinstance(value, tuple):
            raise ValueError(f"needs the integer-array parameter '{name}'")
        return value


Builder = Callable[[VectorArgs], Run]


def _store(out: np.ndarray, value: np.ndarray | float) -> None:
    np.copyto(out, value, casting="unsafe")


def _f32(x: np.ndarray) -> np.ndarray:
    return widen(x) if x.dtype == np.float16 else x.astype(np.float32, copy=False)


def _check(args: VectorArgs, ins: tuple[int, ...], floats: bool = True) -> None:
    """The number of ins (one of `ins`), one out, broadcastable ins, float views."""
    if len(args.ins) not in ins or len(args.outs) != 1:
        raise ValueError(f"takes {' or '.join(map(str, ins))} ins and 1 out")
    if floats and any(v.dtype.kind != "f" for v in [*args.ins, args.out]):
        raise ValueError("takes f32/f16 views")


# -- elementwise ---------------------------------------------------------------------

Binary = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _prelu(x: np.ndarray, slope: np.ndarray) -> np.ndarray:
    return np.where(x < 0, x * slope, x)


_BINARY: dict[VectorOpcode, Binary] = {
    VectorOpcode.ADD: np.add,
    VectorOpcode.SUB: np.subtract,
    VectorOpcode.MUL: np.multiply,
    VectorOpcode.DIV: np.true_divide,
    VectorOpcode.MAX: np.maximum,
    VectorOpcode.MIN: np.minimum,
    VectorOpcode.POW: np.power,
    VectorOpcode.PRELU: _prelu,
}
_INTEGER_BINARY = (VectorOpcode.MAX, VectorOpcode.MIN)


def _binary(name: VectorOpcode) -> Builder:
    fn = _BINARY[name]

    def build(args: VectorArgs) -> Run:
        _check(args, (2,), floats=name not in _INTEGER_BINARY)
        a, b, out = args.ins[0], args.ins[1], args.out
        if a.dtype.kind != "f":
            if b.dtype.kind == "f" or out.dtype.kind == "f":
                raise ValueError("takes all-float or all-integer views")
            return lambda: _store(out, fn(a, b))
        return lambda: _store(out, fn(_f32(a), _f32(b)))

    return build


Unary = Callable[[np.ndarray, VectorArgs], np.ndarray]


def _expm1_negative(x: np.ndarray) -> np.ndarray:
    # Only the negative half is used; clamping keeps exp from overflowing.
    return np.expm1(np.minimum(x, 0))


def _clip(x: np.ndarray, args: VectorArgs) -> np.ndarray:
    low, high = args.params.get("min"), args.params.get("max")
    y = x if low is None else np.maximum(x, args.number("min"))
    return y if high is None else np.minimum(y, args.number("max"))


_UNARY: dict[VectorOpcode, Unary] = {
    VectorOpcode.RELU: lambda x, _: np.maximum(x, np.float32(0)),
    VectorOpcode.LEAKY_RELU: lambda x, p: np.where(x < 0, x * p.number("alpha"), x),
    VectorOpcode.CLIP: _clip,
    VectorOpcode.SIGMOID: lambda x, _: np.exp(-np.logaddexp(0, -x)),
    VectorOpcode.TANH: lambda x, _: np.tanh(x),
    VectorOpcode.EXP: lambda x, _: np.exp(x),
    VectorOpcode.LOG: lambda x, _: np.log(x),
    VectorOpcode.ABS: lambda x, _: np.abs(x),
    VectorOpcode.NEG: lambda x, _: np.negative(x),
    VectorOpcode.SQRT: lambda x, _: np.sqrt(x),
    VectorOpcode.RECIPROCAL: lambda x, _: np.reciprocal(x),
    VectorOpcode.ELU: lambda x, p: np.where(x < 0, p.number("alpha") * _expm1_negative(x), x),
    VectorOpcode.SELU: lambda x, p: (
        p.number("gamma") * np.where(x <= 0, p.number("alpha") * _expm1_negative(x), x)
    ),
    VectorOpcode.SOFTPLUS: lambda x, _: np.logaddexp(0, x),
    VectorOpcode.SOFTSIGN: lambda x, _: x / (1 + np.abs(x)),
    VectorOpcode.HARD_SIGMOID: lambda x, p: np.clip(p.number("alpha") * x + p.number("beta"), 0, 1),
    VectorOpcode.HARD_SWISH: lambda x, _: x * np.clip(x / 6 + 0.5, 0, 1),
}


def _activation(args: VectorArgs, name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The unary opcode `name` ("none": identity) with `args`' parameters, checked now."""
    if name == "none":
        return lambda x: x
    opcode = VectorOpcode.named(name)
    fn = None if opcode is None else _UNARY.get(opcode)
    if fn is None:
        raise ValueError(f"unknown activation '{name}'")
    fn(np.ones(1, np.float32), args)  # a missing parameter fails at decode, not at run
    return lambda x: fn(x, args)


def _unary(name: VectorOpcode) -> Builder:
    def build(args: VectorArgs) -> Run:
        _check(args, (1,))
        x, out, act = args.ins[0], args.out, _activation(args, name)
        return lambda: _store(out, act(_f32(x)))

    return build


def _copy(args: VectorArgs) -> Run:
    _check(args, (1,), floats=False)
    x, out = args.ins[0], args.out
    return lambda: _store(out, x)


def _fill(args: VectorArgs) -> Run:
    _check(args, (0,), floats=False)
    out, value = args.out, args.number("value")
    return lambda: _store(out, value)


def _bias_act(args: VectorArgs) -> Run:
    _check(args, (1, 2))
    act_name = args.params.get("act", "none")
    act = _activation(args, act_name if isinstance(act_name, str) else "")
    acc, out = args.ins[0], args.out
    if len(args.ins) == 1:
        return lambda: _store(out, act(_f32(acc)))
    bias = args.ins[1]
    return lambda: _store(out, act(_f32(acc) + _f32(bias)))


# -- integer arithmetic --------------------------------------------------------------


def _bounds(args: VectorArgs) -> tuple[int, int]:
    info = np.iinfo(args.out.dtype)
    return args.integer("qmin", int(info.min)), args.integer("qmax", int(info.max))


def _output(args: VectorArgs) -> tuple[int, int, int]:
    """The out zero point and saturation bounds (default: the out dtype's range)."""
    return (args.integer("zero_point"), *_bounds(args))


def _integer_out(args: VectorArgs) -> None:
    if args.out.dtype.kind not in "iu" or any(v.dtype.kind not in "iu" for v in args.ins):
        raise ValueError("takes integer views")


def _requant(args: VectorArgs) -> Run:
    _check(args, (3, 4), floats=False)
    _integer_out(args)
    acc, out = args.ins[0], args.out
    bias = args.ins[1] if len(args.ins) == 4 else None
    multiplier, shift = args.ins[-2], args.ins[-1]
    zero_point, qmin, qmax = _output(args)

    def run() -> None:
        wide = acc.astype(np.int64)
        if bias is not None:
            wide += bias
        _store(out, q.requantize(wide, multiplier, shift, zero_point, qmin, qmax))

    return run


def _quant_params(
    args: VectorArgs,
) -> tuple[Callable[[], np.ndarray | float], Callable[[], np.ndarray | int]]:
    """Per-axis (scale and zero-point views) or per-tensor (params) parameters."""
    if len(args.ins) == 3:
        scale, zero_point = args.ins[1], args.ins[2]
        return (lambda: scale.astype(np.float64)), (lambda: zero_point.astype(np.int64))
    value, zp = args.number("scale"), args.integer("zero_point")
    return (lambda: value), (lambda: zp)


def _quantize(args: VectorArgs) -> Run:
    _check(args, (1, 3), floats=False)
    x, out = args.ins[0], args.out
    if x.dtype.kind != "f" or out.dtype.kind not in "iu":
        raise ValueError("quantizes a float view into an integer view")
    scale, zero_point = _quant_params(args)
    bounds = _bounds(args)
    return lambda: _store(
        out, q.quantize(x, scale(), zero_point(), out.dtype, storage_range=bounds)
    )


_EXPRESSED = {"f32": np.float32, "f16": np.float16}


def _dequantize(args: VectorArgs) -> Run:
    _check(args, (1, 3), floats=False)
    x, out = args.ins[0], args.out
    if x.dtype.kind not in "iu" or out.dtype.kind != "f":
        raise ValueError("dequantizes an integer view into a float view")
    expressed = _EXPRESSED.get(str(args.params.get("expressed", "f32")))
    if expressed is None:
        raise ValueError("expressed must be f32 or f16")
    scale, zero_point = _quant_params(args)

    def run() -> None:
        # The store casts the expressed values to the out dtype, as `dequantize(dtype=)` would.
        _store(out, q.dequantize(x, scale(), zero_point(), expressed=expressed))

    return run


def _requantize(args: VectorArgs) -> Run:
    _check(args, (1,), floats=False)
    _integer_out(args)
    x, out = args.ins[0], args.out
    multiplier, shift = args.integer("multiplier"), args.integer("shift")
    z_in, (z_out, qmin, qmax) = args.integer("in_zero_point"), _output(args)

    def run() -> None:
        _store(out, q.requantize(x.astype(np.int64) - z_in, multiplier, shift, z_out, qmin, qmax))

    return run


def _qadd(subtract: bool) -> Builder:
    def build(args: VectorArgs) -> Run:
        _check(args, (2,), floats=False)
        _integer_out(args)
        (a, b), out = args.ins, args.out
        terms = [
            (
                x,
                args.integer(f"{k}_zero_point"),
                args.integer(f"{k}_multiplier"),
                args.integer(f"{k}_shift"),
            )
            for x, k in ((a, "a"), (b, "b"))
        ]
        multiplier, shift = args.integer("multiplier"), args.integer("shift")
        zero_point, qmin, qmax = _output(args)

        def run() -> None:
            ta, tb = (q.add_term(x, z, m, s) for x, z, m, s in terms)
            total = ta - tb if subtract else ta + tb
            _store(out, q.requantize(total, multiplier, shift, zero_point, qmin, qmax))

        return run

    return build


def _qmul(args: VectorArgs) -> Run:
    _check(args, (2,), floats=False)
    _integer_out(args)
    (a, b), out = args.ins, args.out
    za, zb = args.integer("a_zero_point"), args.integer("b_zero_point")
    multiplier, shift = args.integer("multiplier"), args.integer("shift")
    zero_point, qmin, qmax = _output(args)

    def run() -> None:
        product = (a.astype(np.int64) - za) * (b.astype(np.int64) - zb)
        _store(out, q.requantize(product, multiplier, shift, zero_point, qmin, qmax))

    return run


# -- pooling -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    kernel: tuple[int, int]
    strides: tuple[int, int]
    dilations: tuple[int, int]
    out_hw: tuple[int, int]

    @staticmethod
    def of(args: VectorArgs) -> _Window:
        x, out = args.ins[0], args.out
        kernel = args.ints("kernel")
        strides, dilations = args.ints("strides", (1, 1)), args.ints("dilations", (1, 1))
        if len(kernel) != 2 or len(strides) != 2 or len(dilations) != 2:
            raise ValueError("kernel, strides and dilations have 2 values")
        if x.ndim != 3 or out.ndim != 3 or x.shape[2] != out.shape[2]:
            raise ValueError(f"pools [H,W,C] {list(x.shape)} into [OH,OW,C] {list(out.shape)}")
        for axis in range(2):
            taps = (kernel[axis] - 1) * dilations[axis] + 1
            if (x.shape[axis] - taps) // strides[axis] + 1 != out.shape[axis] or taps > x.shape[
                axis
            ]:
                raise ValueError(
                    f"the window does not give out {list(out.shape)} from {list(x.shape)}"
                )
        return _Window(
            (kernel[0], kernel[1]),
            (strides[0], strides[1]),
            (dilations[0], dilations[1]),
            (out.shape[0], out.shape[1]),
        )

    @property
    def taps(self) -> int:
        return self.kernel[0] * self.kernel[1]

    def view(self, x: np.ndarray) -> np.ndarray:
        """[OH, OW, KH, KW, C] windows of `x` (read-only, no copy)."""
        s0, s1, s2 = x.strides
        (sh, sw), (dh, dw) = self.strides, self.dilations
        return np.lib.stride_tricks.as_strided(
            x,
            (*self.out_hw, *self.kernel, x.shape[2]),
            (sh * s0, sw * s1, dh * s0, dw * s1, s2),
            writeable=False,
        )


def _pool_max(args: VectorArgs) -> Run:
    _check(args, (1,), floats=False)
    window, x, out = _Window.of(args), args.ins[0], args.out
    return lambda: _store(out, window.view(x).max(axis=(2, 3)))


def _pool_avg(args: VectorArgs) -> Run:
    _check(args, (2,), floats=False)
    window, (x, divisor), out = _Window.of(args), args.ins, args.out
    if divisor.shape != window.out_hw:
        raise ValueError(f"divisor {list(divisor.shape)} is not [OH, OW] {list(window.out_hw)}")
    if x.dtype.kind == "f":
        return lambda: _store(out, window.view(_f32(x)).sum(axis=(2, 3)) / _f32(divisor)[..., None])
    _integer_out(args)
    in_scale, out_scale = args.number("in_scale"), args.number("out_scale")
    z_in, (z_out, qmin, qmax) = args.integer("in_zero_point"), _output(args)

    def run() -> None:
        sums = window.view(x.astype(np.int64) - z_in).sum(axis=(2, 3))
        real = (in_scale / divisor.astype(np.float64)) / out_scale
        multiplier, shift = q.quantize_multipliers(real)
        _store(out, q.requantize(sums, multiplier[..., None], shift[..., None], z_out, qmin, qmax))

    return run


# -- reductions and normalizations -----------------------------------------------------

_REDUCTIONS = {
    VectorOpcode.REDUCE_SUM: np.sum,
    VectorOpcode.REDUCE_MAX: np.max,
    VectorOpcode.REDUCE_MEAN: np.mean,
}


def _reduce(name: VectorOpcode) -> Builder:
    fn = _REDUCTIONS[name]

    def build(args: VectorArgs) -> Run:
        _check(args, (1,))
        x, out = args.ins[0], args.out
        axes = tuple(a % x.ndim for a in args.ints("axes"))
        keepdims = bool(args.integer("keepdims", 1))
        shape = tuple(
            1 if i in axes else d for i, d in enumerate(x.shape) if keepdims or i not in axes
        )
        if shape != out.shape:
            raise ValueError(
                f"reducing {list(x.shape)} over {list(axes)} does not give {list(out.shape)}"
            )
        return lambda: _store(out, fn(_f32(x), axis=axes, keepdims=keepdims))

    return build


def _same_shape(args: VectorArgs) -> tuple[np.ndarray, np.ndarray]:
    _check(args, (1,))
    x, out = args.ins[0], args.out
    if x.shape != out.shape:
        raise ValueError(f"in {list(x.shape)} and out {list(out.shape)} differ")
    return x, out


def _softmax(args: VectorArgs) -> Run:
    x, out = _same_shape(args)

    def run() -> None:
        wide = _f32(x)
        e = np.exp(wide - wide.max(axis=-1, keepdims=True))
        _store(out, e / e.sum(axis=-1, keepdims=True))

    return run


def _log_softmax(args: VectorArgs) -> Run:
    x, out = _same_shape(args)

    def run() -> None:
        wide = _f32(x)
        shifted = wide - wide.max(axis=-1, keepdims=True)
        _store(out, shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))

    return run


def _lrn(args: VectorArgs) -> Run:
    x, out = _same_shape(args)
    size = args.integer("size")
    alpha, beta, bias = args.number("alpha"), args.number("beta"), args.number("bias")
    widths = [(0, 0)] * (x.ndim - 1) + [((size - 1) // 2, size // 2)]
    t = np.float32

    def run() -> None:
        wide = _f32(x)
        squares = np.pad(np.square(wide), widths)
        window_sum = np.lib.stride_tricks.sliding_window_view(squares, size, axis=-1).sum(axis=-1)
        _store(out, wide / (t(bias) + t(alpha / size) * window_sum) ** t(beta))

    return run


def opcode_table(builders: Mapping[str, Builder]) -> dict[VectorOpcode, Builder]:
    """`builders` keyed by opcode, if they implement every declared opcode and only those."""
    declared = {str(opcode) for opcode in VectorOpcode}
    unimplemented = sorted(declared - builders.keys())
    undeclared = sorted(builders.keys() - declared)
    if unimplemented or undeclared:
        raise RuntimeError(
            "the vector unit's builders do not match `VectorOpcode`: "
            f"declared but not implemented {unimplemented}, "
            f"implemented but not declared {undeclared}"
        )
    return {VectorOpcode(name): builder for name, builder in builders.items()}


OPCODES = opcode_table(
    {
        **{name: _binary(name) for name in _BINARY},
        **{name: _unary(name) for name in _UNARY},
        **{name: _reduce(name) for name in _REDUCTIONS},
        VectorOpcode.COPY: _copy,
        VectorOpcode.FILL: _fill,
        VectorOpcode.BIAS_ACT: _bias_act,
        VectorOpcode.REQUANT: _requant,
        VectorOpcode.QUANTIZE: _quantize,
        VectorOpcode.DEQUANTIZE: _dequantize,
        VectorOpcode.REQUANTIZE: _requantize,
        VectorOpcode.QADD: _qadd(subtract=False),
        VectorOpcode.QSUB: _qadd(subtract=True),
        VectorOpcode.QMUL: _qmul,
        VectorOpcode.POOL_MAX: _pool_max,
        VectorOpcode.POOL_AVG: _pool_avg,
        VectorOpcode.SOFTMAX: _softmax,
        VectorOpcode.LOG_SOFTMAX: _log_softmax,
        VectorOpcode.LRN: _lrn,
    }
)
"""Opcode -> builder: checks the operands now (ValueError) and returns the run callable."""


def build(opcode: str, args: VectorArgs) -> Run:
    known = VectorOpcode.named(opcode)
    if known is None:
        raise ValueError(f"unknown vector opcode '{opcode}'")
    return OPCODES[known](args)


def work(opcode: str, args: VectorArgs) -> int:
    """Elements the vector unit processes (the cost model's unit): a pool's taps count."""
    largest = max(v.size for v in [*args.ins, *args.outs])
    if opcode in (VectorOpcode.POOL_MAX, VectorOpcode.POOL_AVG):
        return args.out.size * _Window.of(args).taps
    return largest
