"""aicc.tune.sensitivity: which quantization errors a set of FP16 groups removes, and the
noise model's arithmetic; aicc.tune.cost: boundary conversions."""

from __future__ import annotations

import math

from aicc.base.target import load_target
from aicc.tune.cost import convert_cycles, cost_model
from aicc.tune.sensitivity import Group, Sensitivity, Source

# a -> b -> c: three groups in a chain.
GROUPS = (
    Group("a", ("a",), "a", 100, ("b",)),
    Group("b", ("conv_b", "b"), "b", 100, ("c",)),
    Group("c", ("c",), "c", 100, ()),
)


def source(name: str, kind: str, owner: str | None, consumers: tuple[str, ...]) -> Source:
    return Source(name, kind, owner, consumers, (1.0,))


def test_a_tensor_between_groups_stays_quantized_until_both_ends_are_fp16() -> None:
    between = source("a", "tensor", "a", ("b",))
    assert between.active(frozenset())
    assert between.active(frozenset({"a"}))
    assert between.active(frozenset({"b"}))
    assert not between.active(frozenset({"a", "b"}))


def test_weights_and_inner_tensors_follow_their_group() -> None:
    weight = source("conv_b.W", "weight", "b", ())
    inner = source("conv_b", "tensor", "b", ())
    for s in (weight, inner):
        assert s.active(frozenset({"a", "c"}))
        assert not s.active(frozenset({"b"}))


def test_a_graph_input_is_quantized_while_a_reader_runs_in_int8() -> None:
    graph_input = source("x", "tensor", None, ("a",))
    assert graph_input.active(frozenset({"b"}))
    assert not graph_input.active(frozenset({"a"}))


def test_noise_adds_over_active_sources_and_calibrates_to_the_measurement() -> None:
    sources = (
        source("a", "tensor", "a", ("b",)),
        source("b", "tensor", "b", ("c",)),
        Source("c", "tensor", "c", (), (2.0,)),
    )
    model = Sensitivity(("y",), (1000.0,), GROUPS, sources, (1.0,))
    assert model.noise(frozenset()) == [4.0]
    assert model.noise(frozenset({"b", "c"})) == [1.0]
    assert math.isclose(model.sqnr_db(frozenset())[0], 10 * math.log10(250))
    calibrated = model.calibrated([10 * math.log10(1000 / 8.0)])
    assert math.isclose(calibrated.noise(frozenset())[0], 8.0)
    assert model.sqnr_db(frozenset({"a", "b", "c"})) == [math.inf]


def test_cost_counts_one_conversion_per_crossing() -> None:
    target = load_target()
    model = cost_model(
        GROUPS, {"a": 10, "b": 20, "c": 30, "x": 5}, {"a": 15, "b": 40, "c": 30}, target
    )
    convert = convert_cycles(100, target)
    assert model.cycles(frozenset()) == 5 + 60
    assert model.cycles(frozenset({"b"})) == 5 + 10 + 40 + 30 + 2 * convert
    assert model.cycles(frozenset({"a", "b", "c"})) == 5 + 85
