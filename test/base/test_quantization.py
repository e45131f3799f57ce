"""Quantization math (`aicc.base.int8`) and the `quant` dialect's types and exactness."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.context import Context
from xdsl.dialects.builtin import Float16Type, Float32Type, TensorType
from xdsl.parser import Parser
from xdsl.utils.exceptions import VerifyException

from aicc.base.calibration import (
    Calibration,
    Histogram,
    Schema,
    bias_params,
    calibrated_params,
    channelwise_bias_params,
    choose_channelwise_params,
    choose_params,
    optimize_kl,
    profile_histogram,
    rescale_histogram,
)
from aicc.base.int8 import (
    dequantize,
    quantize,
    quantize_multiplier,
    quantize_multipliers,
    quantized_range,
    requantize,
)
from aicc.base.profile import DEFAULT_NUM_HISTOGRAM_BINS, tensor_profile
from aicc.dialects.context import make_context
from aicc.dialects.quant import Quant, UniformQuantizedType, format_scale
from aicc.dialects.quant_canonicalize import dequantize_round_trips

F32 = np.float32

# --- parameter choice -------------------------------------------------------------


def test_asymmetric_matches_glow_by_hand() -> None:
    # Glow: scale = (2 - -1) / (127 - -128); zero point = qmin - min / scale = -128 + 85.
    params = choose_params(-1.0, 2.0, Schema.ASYMMETRIC, np.int8)
    assert params.scale == float(F32(3.0 / 255))
    assert params.offset == -43


def test_range_is_widened_to_contain_zero() -> None:
    params = choose_params(0.5, 2.0, Schema.ASYMMETRIC, np.uint8)
    assert params == (float(F32(2.0 / 255)), 0)
    negative = choose_params(-4.0, -1.0, Schema.ASYMMETRIC, np.uint8)
    assert negative == (float(F32(4.0 / 255)), 255)


def test_symmetric_extends_the_shorter_side() -> None:
    # max saturates first (2/127 > 1/128): min becomes -2 * 128 / 127.
    params = choose_params(-1.0, 2.0, Schema.SYMMETRIC, np.int8)
    assert params.scale == pytest.approx(2.0 / 127, rel=1e-6)
    assert params.offset == 0
    wide_low = choose_params(-3.0, 1.0, Schema.SYMMETRIC, np.int8)
    assert wide_low.scale == pytest.approx(3.0 / 128, rel=1e-6)
    assert wide_low.offset == 0


def test_symmetric_with_uint8_maps_positive_ranges_to_qmin() -> None:
    positive = choose_params(0.5, 2.0, Schema.SYMMETRIC_WITH_UINT8, np.int8)
    assert positive == (float(F32(2.0 / 255)), -128)
    mixed = choose_params(-1.0, 2.0, Schema.SYMMETRIC_WITH_UINT8, np.int8)
    assert mixed == choose_params(-1.0, 2.0, Schema.SYMMETRIC, np.int8)


def test_power2_scale_rounds_up() -> None:
    params = choose_params(-1.0, 2.0, Schema.SYMMETRIC_WITH_POWER2_SCALE, np.int8)
    assert params == (2.0**-5, 0)  # 2/127 = 2^-5.98 rounds up to 2^-5


def test_degenerate_and_invalid_ranges() -> None:
    assert choose_params(0.0, 0.0, Schema.ASYMMETRIC, np.int8) == (float(F32(0.1)), 0)
    with pytest.raises(ValueError, match="signed"):
        choose_params(-1.0, 1.0, Schema.SYMMETRIC, np.uint8)
    with pytest.raises(ValueError, match="min > max"):
        choose_params(1.0, -1.0, Schema.ASYMMETRIC, np.int8)


def test_int32_uses_int30_range() -> None:
    assert quantized_range(np.int32) == (-(2**29), 2**29 - 1)
    params = choose_params(-1.0, 1.0, Schema.SYMMETRIC, np.int32)
    assert params.offset == 0
    assert params.scale == pytest.approx(1.0 / (2**29 - 1), rel=1e-6)


def test_channelwise_params_match_per_channel_choice() -> None:
    rng = np.random.default_rng(0)
    weights = (
        rng.normal(size=(4, 3, 3, 3)).astype(F32) * np.array([1, 2, 0.5, 3])[:, None, None, None]
    )
    scales, offsets = choose_channelwise_params(weights, 0, Schema.SYMMETRIC, np.int8)
    for channel in range(4):
        low, high = weights[channel].min(), weights[channel].max()
        expected = choose_params(float(low), float(high), Schema.SYMMETRIC, np.int8)
        assert (scales[channel], offsets[channel]) == expected


def test_bias_scale_is_product_with_zero_offset() -> None:
    assert bias_params(0.5, 0.25) == (0.125, 0)
    scales, offsets = channelwise_bias_params(0.5, np.array([0.25, 0.5]))
    assert scales.tolist() == [0.125, 0.25]
    assert offsets.tolist() == [0, 0]


# --- quantize / dequantize ----------------------------------------------------------


def test_quantize_rounds_half_to_even_and_saturates() -> None:
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1000.0, -np.inf, np.nan], dtype=F32)
    q = quantize(x, 1.0, 0, np.int8)
    assert q.tolist() == [0, 2, 2, 0, -2, 127, -128, 0]
    assert quantize(np.array([np.nan]), 1.0, 7, np.uint8).tolist() == [7]
    assert quantize(np.array([-5.0, 5.0]), 1.0, 0, np.int8, storage_range=(-3, 3)).tolist() == [
        -3,
        3,
    ]


def test_per_axis_quantize_and_dequantize() -> None:
    x = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], dtype=F32)
    q = quantize(x, np.array([1.0, 0.5]), np.array([0, 1]), np.int8, axis=0)
    assert q.tolist() == [[1, 2, 3], [3, 5, 7]]
    back = dequantize(q, np.array([1.0, 0.5]), np.array([0, 1]), axis=0)
    assert back.dtype == F32
    np.testing.assert_array_equal(back, x)


def test_dequantize_to_f16_converts_the_f32_value() -> None:
    q = np.arange(-128, 128, dtype=np.int8)
    via_f32 = dequantize(q, 0.0123, 3).astype(np.float16)
    np.testing.assert_array_equal(dequantize(q, 0.0123, 3, dtype=np.float16), via_f32)


@settings(max_examples=200, deadline=None)
@given(
    scale=st.floats(1e-6, 1e3),
    zero_point=st.integers(-128, 127),
    unit=st.lists(st.floats(0, 1), min_size=1, max_size=64),
)
def test_quantize_dequantize_error_at_most_half_scale(
    scale: float, zero_point: int, unit: list[float]
) -> None:
    low, high = (-128 - zero_point) * scale, (127 - zero_point) * scale
    x = low + np.asarray(unit) * (high - low)
    q = quantize(x, scale, zero_point, np.int8)
    error = np.abs(dequantize(q, scale, zero_point, expressed=np.float64) - x)
    assert np.all(error <= scale / 2 * (1 + 1e-12))


# --- fixed-point requantization -----------------------------------------------------


def _round_half_away(value: Fraction) -> int:
    magnitude = int(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def test_requantize_ties_go_away_from_zero() -> None:
    multiplier, shift = quantize_multiplier(0.5)
    assert (multiplier, shift) == (2**30, 0)
    acc = np.array([3, -3, 5, -5, 1, -1], dtype=np.int32)
    assert requantize(acc, multiplier, shift, 0, -128, 127).tolist() == [2, -2, 3, -3, 1, -1]


def test_requantize_adds_zero_point_then_saturates() -> None:
    multiplier, shift = quantize_multiplier(0.25)
    acc = np.array([0, 400, -400, 2**31 - 1, -(2**31)], dtype=np.int64)
    assert requantize(acc, multiplier, shift, 10, -128, 127).tolist() == [10, 110, -90, 127, -128]


def test_quantize_multiplier_edges() -> None:
    assert quantize_multiplier(0.0) == (0, 0)
    assert quantize_multiplier(2.0**-33) == (0, 0)
    assert quantize_multiplier(3.0) == (3 * 2**29, -2)
    assert requantize(np.array([5]), *quantize_multiplier(3.0), 0, -128, 127).tolist() == [15]
    # just below 1: the mantissa rounds up to 2^31 and carries into the exponent
    assert quantize_multiplier(1 - 2.0**-40) == (2**30, -1)
    with pytest.raises(ValueError):
        quantize_multiplier(-0.5)


def test_per_channel_multipliers_broadcast() -> None:
    multipliers, shifts = quantize_multipliers(np.array([0.5, 0.25]))
    acc = np.array([[8, 8], [-8, -8]], dtype=np.int32)
    assert requantize(acc, multipliers, shifts, 0, -128, 127).tolist() == [[4, 2], [-4, -2]]


@settings(max_examples=300, deadline=None)
@given(
    real=st.floats(2.0**-40, 1.0, exclude_max=True),
    accs=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=32),
)
def test_fixed_point_requantize_is_exact(real: float, accs: list[int]) -> None:
    multiplier, shift = quantize_multiplier(real)
    assert multiplier == 0 or 2**30 <= multiplier < 2**31
    acc = np.array(accs, dtype=np.int32)
    result = requantize(acc, multiplier, shift, 0, -(2**62), 2**62).tolist()
    encoded = Fraction(multiplier, 2 ** (31 + shift))
    exact_real = Fraction(real)
    if multiplier == 0:
        assert exact_real < Fraction(1, 2**32)
    else:
        assert abs(encoded - exact_real) <= exact_real * Fraction(1, 2**31)
    for a, r in zip(accs, result, strict=True):
        # exactly the stated rule on the encoded multiplier ...
        approx, ideal = a * encoded, a * exact_real
        assert r == _round_half_away(approx)
        # ... and off the ideal result only when a tie lies between the two, by one
        if r != _round_half_away(ideal):
            assert abs(r - _round_half_away(ideal)) == 1
            assert _tie_between(min(approx, ideal), max(approx, ideal))


def _tie_between(low: Fraction, high: Fraction) -> bool:
    """Whether some k + 1/2 lies in [low, high]."""
    half = Fraction(1, 2)
    return math.floor(high - half) >= math.ceil(low - half)


# --- calibration --------------------------------------------------------------------


@pytest.fixture(scope="module")
def laplace() -> np.ndarray:
    """Heavy-tailed activations: a few far values stretch the min/max range."""
    return np.random.default_rng(1).laplace(size=400_000).astype(F32)


def _mse(x: np.ndarray, scale: float, offset: int) -> float:
    q = quantize(x, scale, offset, np.int8)
    return float(np.mean((dequantize(q, scale, offset, expressed=np.float64) - x) ** 2))


@pytest.mark.parametrize(
    "calibration", [Calibration.KL_MINIMIZATION, Calibration.PERCENTILE, Calibration.MSE]
)
def test_calibration_clips_heavy_tails_and_lowers_mse(
    laplace: np.ndarray, calibration: Calibration
) -> None:
    histogram = Histogram.of(laplace)
    baseline = calibrated_params(histogram, Schema.SYMMETRIC, np.int8)
    assert baseline == choose_params(
        float(laplace.min()), float(laplace.max()), Schema.SYMMETRIC, np.int8
    )
    params = calibrated_params(histogram, Schema.SYMMETRIC, np.int8, calibration)
    assert params.offset == 0
    assert params.scale * 128 <= np.abs(laplace).max()
    assert _mse(laplace, *params) < _mse(laplace, *baseline)


@pytest.mark.parametrize("calibration", list(Calibration))
def test_asymmetric_calibration_stays_inside_the_data(
    laplace: np.ndarray, calibration: Calibration
) -> None:
    shifted = laplace + F32(3)
    params = calibrated_params(Histogram.of(shifted), Schema.ASYMMETRIC, np.int8, calibration)
    low, high = (-128 - params.offset) * params.scale, (127 - params.offset) * params.scale
    # a histogram bin, plus half a step for rounding the zero point
    slack = (shifted.max() - shifted.min()) / 2048 + params.scale / 2
    assert min(shifted.min(), 0) - slack <= low <= 0 <= high <= shifted.max() + slack


def test_asymmetric_mse_calibration_lowers_mse(laplace: np.ndarray) -> None:
    shifted = laplace + F32(3)
    histogram = Histogram.of(shifted)
    baseline = calibrated_params(histogram, Schema.ASYMMETRIC, np.int8)
    params = calibrated_params(histogram, Schema.ASYMMETRIC, np.int8, Calibration.MSE)
    assert _mse(shifted, *params) < _mse(shifted, *baseline)


def test_percentile_of_uniform_values() -> None:
    histogram = Histogram(np.full(1000, 10.0), 0.0, 1.0)
    params = calibrated_params(histogram, Schema.ASYMMETRIC, np.uint8, Calibration.PERCENTILE, 99.0)
    assert params.offset == 0
    assert params.scale * 255 == pytest.approx(0.99, rel=1e-6)
    with pytest.raises(ValueError, match="percentile"):
        calibrated_params(histogram, Schema.ASYMMETRIC, np.uint8, Calibration.PERCENTILE, 20)


def test_percentile_counts_both_tails_together() -> None:
    # Uniform on [-1, 1]: 1% of |x| lies beyond 0.99. Clipping 1% from each tail, as
    # a two-sided percentile does, would give 0.98 and clip twice what was asked.
    histogram = Histogram(np.full(2000, 10.0), -1.0, 1.0)
    params = calibrated_params(histogram, Schema.SYMMETRIC, np.int8, Calibration.PERCENTILE, 99.0)
    assert params.scale * 127 == pytest.approx(0.99, rel=1e-6)


def test_percentile_of_a_skewed_range_clips_its_long_side() -> None:
    # 5% of the values at -0.5, 95% spread over [0, 10]: the 1% beyond the threshold is
    # all on the long side; the short side is inside the range and kept.
    histogram = Histogram(np.concatenate([[500.0], np.zeros(99), np.full(1900, 5.0)]), -0.5, 10.0)
    params = calibrated_params(histogram, Schema.ASYMMETRIC, np.int8, Calibration.PERCENTILE, 99.0)
    low, high = (-128 - params.offset) * params.scale, (127 - params.offset) * params.scale
    assert low == pytest.approx(-0.5, abs=0.05)
    assert high == pytest.approx(10.0 - 20 * 10.5 / 2000, abs=params.scale)


def test_profile_histogram_keeps_every_count() -> None:
    # A lone value at Max sits in the last grid bin; spreading that bin's count over the
    # whole bin and cutting at Max would drop most of it.
    values = np.concatenate([np.linspace(0, 1, 5000), [37.3]]).astype(F32)
    histogram = profile_histogram(tensor_profile("t", values, DEFAULT_NUM_HISTOGRAM_BINS))
    assert histogram.counts.sum() == len(values)
    assert (histogram.min, histogram.max) == (0.0, pytest.approx(37.3))
    assert histogram.counts[-1] == pytest.approx(1.0)


def test_kl_keeps_most_of_a_relu_range() -> None:
    # A Relu's output: half exact zeros, half a half-normal. Glow's KL, which merges the
    # zero spike into Q's first quantized bin, shrinks the range to about a quarter of max.
    rng = np.random.default_rng(0)
    values = np.maximum(rng.standard_normal(400_000), 0.0).astype(F32)
    histogram = Histogram.of(values)
    low, high = optimize_kl(histogram, symmetric=False)
    assert low == 0.0
    assert high >= 0.6 * values.max()
    params = calibrated_params(histogram, Schema.ASYMMETRIC, np.int8, Calibration.KL_MINIMIZATION)
    baseline = calibrated_params(histogram, Schema.ASYMMETRIC, np.int8)
    assert _mse(values, *params) <= _mse(values, *baseline)


def test_rescaled_histogram_keeps_its_mass() -> None:
    histogram = Histogram(np.array([4.0, 0.0, 2.0, 2.0]), 1.0, 3.0)
    rescaled = rescale_histogram(histogram, 0.0, 4.0)
    # old bins have width 0.5 at [1, 3]; new bins have width 1 over [0, 4]
    assert rescaled.counts.tolist() == [0.0, 4.0, 4.0, 0.0]


# --- the quant dialect's types and the exactness of its peepholes ------------------


def _quant_context() -> Context:
    ctx = make_context()
    if "quant" not in ctx.registered_dialect_names:
        ctx.load_dialect(Quant)
    return ctx


def _parse_type(text: str) -> UniformQuantizedType:
    parsed = Parser(_quant_context(), text).parse_type()
    assert isinstance(parsed, UniformQuantizedType)
    return parsed


def test_type_accessors() -> None:
    per_tensor = _parse_type("!quant.uniform<u8:f16, 0.5:7>")
    assert per_tensor.storage_dtype == np.uint8
    assert isinstance(per_tensor.expressed_type, Float16Type)
    assert (per_tensor.scale, per_tensor.zero_point, per_tensor.axis) == (0.5, 7, None)
    assert (per_tensor.qmin, per_tensor.qmax) == (0, 255)
    per_axis = _parse_type("!quant.uniform<i8<-127:127>:f32:1, {0.1:2, 0.2}>")
    assert per_axis.storage_dtype == np.int8
    assert (per_axis.scales, per_axis.zero_points, per_axis.axis) == ((0.1, 0.2), (2, 0), 1)
    assert (per_axis.qmin, per_axis.qmax) == (-127, 127)
    made = UniformQuantizedType.make(np.int8, [0.1, 0.2], [2, 0], axis=1, storage_range=(-127, 127))
    assert made == per_axis


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!quant.uniform<u8:f32, 0.5:-1>", "zero points"),
        ("!quant.uniform<i8:f32, 0.0>", "positive"),
        ("!quant.uniform<i8<-200:0>:f32, 0.1>", "storage range"),
        ("!quant.uniform<i8:f32:0, {0.1:0:1}>", "expected"),
    ],
)
def test_invalid_types_are_rejected(text: str, message: str) -> None:
    with pytest.raises(Exception, match=message):
        _parse_type(text)


def test_op_verifiers() -> None:
    source = """
    func.func @f(%x: tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2}>>) {
      %d = quant.dequantize %x : tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2}>> to tensor<2x3xf32>
      func.return
    }
    """
    module = Parser(_quant_context(), source).parse_module()
    with pytest.raises(VerifyException, match="2 scales for dimension 1 of size 3"):
        module.verify()
    wrong_shape = source.replace("{0.1, 0.2}", "{0.1, 0.2, 0.3}").replace(
        "to tensor<2x3xf32>", "to tensor<3x2xf32>"
    )
    with pytest.raises(VerifyException, match="shapes differ"):
        Parser(_quant_context(), wrong_shape).parse_module().verify()


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-30, 1e30, allow_subnormal=False))
def test_printed_scales_read_back_exactly(scale: float) -> None:
    text = f"!quant.uniform<i8:f32, {format_scale(scale)}:1>"
    parsed = _parse_type(text)
    assert parsed.scale == scale
    assert f"{parsed}" == text


@pytest.mark.parametrize(
    ("storage", "expressed"),
    [
        (np.int8, Float32Type()),
        (np.uint8, Float32Type()),
        (np.int16, Float32Type()),
        (np.int8, Float16Type()),
    ],
)
@pytest.mark.parametrize("scale", [1e-3, 0.0123, 0.7, 3.0])
def test_round_trip_condition_is_sound(
    storage: type[np.integer], expressed: Float16Type | Float32Type, scale: float
) -> None:
    info = np.iinfo(storage)
    zero_point = int(info.min + (int(info.max) - int(info.min)) // 3)
    t = UniformQuantizedType.make(storage, scale, zero_point, expressed_type=expressed)
    assert dequantize_round_trips(t)
    q = np.arange(info.min, int(info.max) + 1).astype(storage)
    f16 = isinstance(expressed, Float16Type)
    values = dequantize(q, scale, zero_point, expressed=np.float16 if f16 else np.float32)
    np.testing.assert_array_equal(quantize(values, scale, zero_point, storage), q)


def test_round_trip_condition_rejects_lossy_types() -> None:
    bias = UniformQuantizedType.make(np.int32, 1e-3)
    assert not dequantize_round_trips(bias)
    q = np.array([2**29 + 1], dtype=np.int32)
    assert quantize(dequantize(q, 1e-3, 0), 1e-3, 0, np.int32)[0] != q[0]
    wide_f16 = UniformQuantizedType.make(np.int16, 1e-3, expressed_type=Float16Type())
    assert not dequantize_round_trips(wide_f16)
    tiny = UniformQuantizedType.make(np.int8, 1e-40)
    assert not dequantize_round_trips(tiny)
    assert isinstance(TensorType(tiny, [2]).get_element_type(), UniformQuantizedType)
