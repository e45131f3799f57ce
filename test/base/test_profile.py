"""The quantization profile: exact grid histograms, shard merge, deterministic file, read errors."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from onnx import TensorProto, helper

from aicc.base.errors import UserError
from aicc.base.node_precision import fp16_set_hash
from aicc.base.profile import (
    DEFAULT_NUM_HISTOGRAM_BINS,
    Profile,
    Profiler,
    bin_grid,
    grid_index,
    merge_profiles,
    profile_text,
    read_profile,
    tensor_profile,
    write_profile,
)
from aicc.frontend.onnx_import import import_model
from aicc.sim.reference.interpreter import run_module

FP16_HASH = fp16_set_hash(["conv0"])


def _profile(*batches: np.ndarray, bins: int = 16, graph: str = "g0") -> Profile:
    profiler = Profiler(graph, FP16_HASH, ["Softmax"], bins)
    for batch in batches:
        profiler.observe("t", batch)
    return profiler.profile()


# -- histogram grid ------------------------------------------------------------


def _floor_div(v: float, e: int) -> int:
    """floor(v / 2**e) in exact rational arithmetic: the oracle for the float64 grid."""
    return math.floor(Fraction(v) / Fraction(2) ** e)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        (-1.0, 1.0),
        (0.0, 0.0),
        (3.0, 3.0),
        (-1e300, 1e300),
        (0.0, 5e-324),
        (-1.5e-109, 4.3e214),
        (0.5, 0.5000001),
    ],
)
@pytest.mark.parametrize("bins", [2, 3, 16, 2048])
def test_grid_is_the_finest_that_fits(lo: float, hi: float, bins: int) -> None:
    e, k0 = bin_grid(lo, hi, bins)
    assert k0 == _floor_div(lo, e) and _floor_div(hi, e) - k0 < bins
    values = np.array([lo, hi, (lo + hi) / 2])
    assert grid_index(values, e).tolist() == [_floor_div(v, e) for v in values]
    finer = _floor_div(hi, e - 1) - _floor_div(lo, e - 1)
    assert finer >= bins or abs(k0) * 2 >= 2**52 or e == -1074 - 52


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("e", [-160, -140, -127, -126, -30, 0, 1, 20, 127, 128, 140])
def test_grid_index_of_narrow_floats_is_exact(dtype: type[np.floating], e: int) -> None:
    info = np.finfo(dtype)
    magnitudes = [info.max, 1.5, info.tiny, info.smallest_subnormal, 0.0]
    values = np.array([s * m for m in magnitudes for s in (1, -1)], dtype=dtype)
    # A grid never puts an index at or past 2**53 (see `_finest_exponent`).
    values = values[np.abs(values.astype(np.float64)) < 2.0 ** (e + 53)]
    assert grid_index(values, e).tolist() == [_floor_div(float(v), e) for v in values]


def test_histogram_counts_every_value_on_edges() -> None:
    t = tensor_profile("t", np.array([-1.0, 0.0, 0.25, 1.0], dtype=np.float32), bins=8)
    edges = t.bin_edges()
    assert edges[0] <= t.min and t.max < edges[-1]
    assert t.histogram.dtype == np.int64 and t.histogram.sum() == 4
    want, _ = np.histogram([-1.0, 0.0, 0.25, 1.0], bins=edges)
    # np.histogram closes its last bin; no value sits on the last edge here.
    assert np.array_equal(t.histogram, want)


def test_negative_zero_does_not_make_order_matter() -> None:
    a = np.array([-0.0, 0.0], dtype=np.float32)
    assert _profile(a) == _profile(a[::-1])
    assert str(_profile(a).tensors["t"].min) == "0.0"


# -- shard merge: the property ---------------------------------------------------

FLOATS32 = hnp.arrays(
    np.float32,
    st.integers(1, 300),
    elements=st.floats(width=32, allow_nan=False, allow_infinity=False, allow_subnormal=True),
)
FLOATS64 = hnp.arrays(
    np.float64, st.integers(1, 300), elements=st.floats(allow_nan=False, allow_infinity=False)
)


@settings(max_examples=200, deadline=None)
@given(
    values=st.one_of(FLOATS32, FLOATS64),
    cut=st.floats(0, 1),
    bins=st.sampled_from([2, 3, 16, 255, DEFAULT_NUM_HISTOGRAM_BINS]),
)
def test_merge_of_shards_equals_one_run(values: np.ndarray, cut: float, bins: int) -> None:
    split = int(cut * len(values))
    shard1, shard2 = values[:split], values[split:]
    merged = merge_profiles([_profile(shard1, bins=bins), _profile(shard2, bins=bins)])
    whole = _profile(values, bins=bins)
    assert merged == whole
    assert profile_text(merged) == profile_text(whole)
    t = merged.tensors["t"]
    assert t.min == float(values.min()) and t.max == float(values.max())
    assert int(t.histogram.sum()) == values.size
    # ... and one run that saw the two shards as batches, in either order.
    assert _profile(shard2, shard1, bins=bins) == whole
    # float32 is binned without a float64 copy; the profile is a function of the values only.
    assert _profile(values.astype(np.float64), bins=bins) == whole


def test_merge_is_associative_over_many_shards() -> None:
    rng = np.random.default_rng(7)
    shards = [(rng.standard_normal(200) * scale).astype(np.float32) for scale in (1, 50, 1e-3, 7)]
    whole = _profile(np.concatenate(shards), bins=DEFAULT_NUM_HISTOGRAM_BINS)
    singles = [_profile(s, bins=DEFAULT_NUM_HISTOGRAM_BINS) for s in shards]
    left = merge_profiles([merge_profiles(singles[:2]), merge_profiles(singles[2:])])
    assert merge_profiles(singles) == whole == left


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"graph": "g1"}, "GraphHash"),
        ({"fp16": fp16_set_hash(["bn0"])}, "FP16NodeInstanceNamesHash"),
    ],
)
def test_merge_refuses_different_models_or_fp16_sets(change: dict[str, str], key: str) -> None:
    profiler = Profiler(change.get("graph", "g0"), change.get("fp16", FP16_HASH), ["Softmax"], 16)
    with pytest.raises(UserError, match=f"{key} differs"):
        merge_profiles([_profile(np.ones(3)), profiler.profile()])


# -- Profiler as the interpreter's observer --------------------------------------


def test_observer_records_float_tensors_only() -> None:
    profiler = Profiler("g0", FP16_HASH)
    profiler.observe("ids", np.arange(4))
    profiler.observe("mask", np.ones(2, dtype=bool))
    profiler.observe("empty", np.zeros((0, 3), dtype=np.float32))
    profiler.observe("half", np.array([1.5, -2.0], dtype=np.float16))
    assert list(profiler.profile().tensors) == ["half"]


def test_one_bin_is_refused() -> None:
    with pytest.raises(UserError, match="-num-histogram-bins must be at least 2, not 1"):
        Profiler("g0", FP16_HASH, num_histogram_bins=1)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_tensor_is_a_user_error(bad: float) -> None:
    with pytest.raises(UserError, match="tensor 'relu0' has NaN or Inf values"):
        Profiler("g0", FP16_HASH).observe("relu0", np.array([1.0, bad], dtype=np.float32))


def test_profiles_a_reference_run() -> None:
    graph = helper.make_graph(
        [
            helper.make_node("Relu", ["x"], ["relu0"]),
            helper.make_node("Mul", ["relu0", "x"], ["mul0"]),
        ],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("mul0", TensorProto.FLOAT, [2, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    module = import_model(onnx.shape_inference.infer_shapes(model, strict_mode=True))
    x = np.array([[-2, -1, 0], [1, 2, 3]], dtype=np.float32)
    profiler = Profiler("g0", FP16_HASH, num_histogram_bins=8)
    run_module(module, [x], observer=profiler.observe)
    tensors = profiler.profile().tensors
    assert list(tensors) == ["x", "relu0", "mul0"]
    assert (tensors["mul0"].min, tensors["mul0"].max) == (0.0, 9.0)
    assert tensors["relu0"].histogram.sum() == 6


# -- the file ----------------------------------------------------------------------


def test_file_round_trip_is_byte_identical(tmp_path: Path) -> None:
    values = np.array([0.1, -1e-30, 3.4e38, 1e-45, -7.25], dtype=np.float32)
    profile = _profile(values, values[:2] * 3, bins=DEFAULT_NUM_HISTOGRAM_BINS)
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write_profile(profile, first)
    back = read_profile(first)
    assert back == profile and back.source == str(first)
    assert back.tensors["t"].min == float(values.min())
    write_profile(back, second)
    assert first.read_bytes() == second.read_bytes()
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_file_layout(tmp_path: Path) -> None:
    profiler = Profiler("abc", "0123", ["Softmax", "LayerNormalization"], 4)
    profiler.observe("conv0", np.array([0.1, 0.2, 1.0], dtype=np.float64))
    assert profile_text(profiler.profile()) == (
        "FormatVersion: 1\n"
        "GraphHash: abc\n"
        "FP16NodeInstanceNamesHash: '0123'\n"
        "KeepOriginalPrecisionForNodes:\n"
        "- Softmax\n"
        "- LayerNormalization\n"
        "NumHistogramBins: 4\n"
        "Tensors:\n"
        "- NodeOutputName: conv0\n"
        "  Min: 0.1\n"
        "  Max: 1.0\n"
        "  Histogram: 2 0 1 0\n"
    )


GOOD = (
    "FormatVersion: 1\n"
    "GraphHash: g0\n"
    "FP16NodeInstanceNamesHash: h\n"
    "KeepOriginalPrecisionForNodes: []\n"
    "NumHistogramBins: 4\n"
    "Tensors:\n"
    "- NodeOutputName: conv0\n"
    "  Min: 0.1\n"
    "  Max: 1.0\n"
    "  Histogram: 2 0 1 0\n"
)


def _read_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pgq.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as e:
        read_profile(path)
    message = str(e.value)
    assert "\n" not in message and message.startswith(str(path))
    return message.removeprefix(str(path))


def test_good_text_reads(tmp_path: Path) -> None:
    path = tmp_path / "pgq.yaml"
    path.write_text(GOOD)
    assert profile_text(read_profile(path)) == GOOD


@pytest.mark.parametrize(
    ("old", "new", "want"),
    [
        ("  Min: 0.1", "  Min: low", ":8: Min must be a finite number, not 'low'"),
        ("  Max: 1.0", "  Max: .inf", ":9: Max must be a finite number"),
        ("2 0 1 0", "2 0 1", ":10: 'conv0': Histogram has 3 counts, NumHistogramBins is 4"),
        ("2 0 1 0", "2 0 0 1", ":10: 'conv0': Histogram does not match Min and Max"),
        ("2 0 1 0", "0 2 1 0", ":10: 'conv0': Histogram does not match Min and Max"),
        ("2 0 1 0", "2 0 -1 0", ":10: 'conv0': Histogram must be counts separated by single"),
        ("  Min: 0.1", "  Min: 1.5", ":7: 'conv0': Min 1.5 is above Max 1.0"),
        ("GraphHash: g0", "GraphHash: 0123", ":2: GraphHash must be a str, not '0123'"),
        ("FormatVersion: 1", "FormatVersion: 3", ":1: FormatVersion 3 is not supported"),
        (
            "NumHistogramBins: 4\n",
            "NumHistogramBins: 4\nNumHistogramBins: 4\n",
            ":6: duplicate key",
        ),
        ("GraphHash: g0\n", "GraphHash: g0\nGraphHashes: x\n", ":3: unknown key 'GraphHashes'"),
        ("GraphHash: g0\n", "", ":1: the profile header lacks GraphHash"),
        ("  Histogram", "  Hist", ":7: a Tensors entry needs exactly the keys"),
        ("Tensors:\n", "Tensors:\n- NodeOutputName: [\n", ":8: YAML does not parse"),
    ],
)
def test_read_errors_name_the_line(tmp_path: Path, old: str, new: str, want: str) -> None:
    assert old in GOOD
    assert _read_error(tmp_path, GOOD.replace(old, new, 1)).startswith(want)


def test_duplicate_tensor(tmp_path: Path) -> None:
    entry = GOOD[GOOD.index("- NodeOutputName") :]
    assert _read_error(tmp_path, GOOD + entry) == ":11: NodeOutputName 'conv0' appears twice"


# -- channel sums (-quantization-bias-correction) -----------------------------------


def _sums_profile(*batches: np.ndarray) -> Profile:
    profiler = Profiler("g0", FP16_HASH, [], 16, channel_sums=True)
    for batch in batches:
        profiler.observe("t", batch)
    return profiler.profile()


CHANNEL_ROWS = st.one_of(
    hnp.arrays(
        np.float32,
        st.tuples(st.integers(1, 40), st.integers(1, 4)),
        elements=st.floats(width=32, allow_nan=False, allow_infinity=False, allow_subnormal=True),
    ),
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 4)),
        elements=st.floats(min_value=-1e300, max_value=1e300),
    ),
)


@settings(max_examples=100, deadline=None)
@given(values=CHANNEL_ROWS, cut=st.floats(0, 1))
def test_channel_sums_are_exact_and_merge_like_histograms(values: np.ndarray, cut: float) -> None:
    split = max(1, int(cut * len(values)))
    whole = _sums_profile(values)
    sums = whole.tensors["t"].channel_sums
    assert sums is not None
    exact = [sum(map(Fraction, values[:, c].tolist())) for c in range(values.shape[1])]
    assert [Fraction(n) * Fraction(2) ** sums.exponent for n in sums.numerators] == exact
    if split < len(values):
        shards = [_sums_profile(values[:split]), _sums_profile(values[split:])]
        assert merge_profiles(shards) == whole
        assert profile_text(merge_profiles(shards[::-1])) == profile_text(whole)
        assert _sums_profile(values[split:], values[:split]) == whole


def test_channel_sums_file(tmp_path: Path) -> None:
    batch = np.array([[[0.5, 1.5]], [[-1.0, 0.25]]], dtype=np.float32).transpose(0, 2, 1)
    profile = _sums_profile(batch)
    text = profile_text(profile)
    assert text.startswith("FormatVersion: 2\n")
    assert text.endswith("  ChannelSums: -2 7\n  ChannelSumExponent: -2\n")
    path = tmp_path / "pgq.yaml"
    write_profile(profile, path)
    back = read_profile(path)
    assert back == profile
    assert back.tensors["t"].channel_means() == pytest.approx([-0.25, 0.875])
    # Rank-1 tensors have no channels; a profile without sums stays version 1.
    assert "ChannelSums" not in profile_text(_profile(np.ones(3)))


GOOD_SUMS = (
    GOOD.replace("FormatVersion: 1", "FormatVersion: 2")
    + "  ChannelSums: 3 -1 5\n  ChannelSumExponent: -4\n"
)


@pytest.mark.parametrize(
    ("old", "new", "want"),
    [
        ("3 -1 5", "3 - 1", ":11: 'conv0': ChannelSums must be integers separated by single"),
        ("3 -1 5", "3 -1", ":11: 'conv0': ChannelSums has 2 channels, which do not divide the 3"),
        ("3 -1 5", "6 -2 10", ":11: 'conv0': ChannelSums is not in lowest terms"),
        ("Exponent: -4", "Exponent: x", ":12: ChannelSumExponent must be a int, not 'x'"),
        ("FormatVersion: 2", "FormatVersion: 1", ":7: a Tensors entry needs exactly the keys"),
        ("  ChannelSumExponent: -4\n", "", ":7: a Tensors entry needs exactly the keys"),
    ],
)
def test_channel_sums_read_errors(tmp_path: Path, old: str, new: str, want: str) -> None:
    assert old in GOOD_SUMS
    path = tmp_path / "pgq.yaml"
    path.write_text(GOOD_SUMS)
    assert read_profile(path).tensors["conv0"].channel_means() == pytest.approx(
        [3 / 16, -1 / 16, 5 / 16]
    )
    assert _read_error(tmp_path, GOOD_SUMS.replace(old, new, 1)).startswith(want)


def test_merge_refuses_profiles_with_and_without_sums() -> None:
    values = np.ones((2, 3), dtype=np.float32)
    with pytest.raises(UserError, match="only one records ChannelSums"):
        merge_profiles([_sums_profile(values), _profile(values)])
