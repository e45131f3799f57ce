"""aicc.tune.search: the frontier, its determinism, and verification on the real flow."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from tune_case import write_case

from aicc.base.errors import UserError
from aicc.base.parallel import parse_parallel
from aicc.pipeline.compiler import CompileConfig
from aicc.tune import AccuracyTarget, Frontier, OutputFigures, Point, tune
from aicc.tune.search import verify_frontier

TARGET_DB = 45.0


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> CompileConfig:
    return write_case(tmp_path_factory.mktemp("tune"))


@pytest.fixture(scope="module")
def frontier(case: CompileConfig, tmp_path_factory: pytest.TempPathFactory) -> Frontier:
    return tune(case, AccuracyTarget(sqnr_db=TARGET_DB), workdir=tmp_path_factory.mktemp("work"))


def test_frontier_is_pareto_and_the_choice_meets_the_target(frontier: Frontier) -> None:
    points = frontier.points
    assert len(points) >= 2
    assert [p.cycles for p in points] == sorted(p.cycles for p in points)
    sqnrs = [p.worst_sqnr_db for p in points]
    assert all(a < b for a, b in zip(sqnrs, sqnrs[1:], strict=False)), sqnrs
    assert points[0].fp16_names == () and points[0].cycles == frontier.baselines["all-int8"].cycles
    chosen = frontier.chosen
    assert chosen is not None and frontier.chosen_profile is not None
    verified = frontier.verifications[-1]
    assert verified.passed and verified.point is chosen
    assert verified.measured.worst_sqnr_db >= TARGET_DB
    cheaper = [p for p in points if p.cycles < chosen.cycles]
    assert all(p.worst_sqnr_db < TARGET_DB for p in cheaper)


def test_frontier_is_deterministic(case: CompileConfig, frontier: Frontier, tmp_path: Path) -> None:
    """Run again with its trials and verifications in two worker processes: the same bytes."""
    parallel = replace(case, parallel=parse_parallel("processes:2"))
    again = tune(parallel, AccuracyTarget(sqnr_db=TARGET_DB), workdir=tmp_path / "work")
    frontier.write(tmp_path / "a")
    again.write(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "frontier.json" in names and "chosen.yaml" in names and "chosen-pgq.yaml" in names
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def _overestimated(point: Point) -> Point:
    """`point` claiming every output exact."""
    exact = tuple(OutputFigures(o.name, math.inf, 1.0, 1.0) for o in point.outputs)
    return replace(point, outputs=exact)


def test_verification_rejects_an_overestimated_point(
    case: CompileConfig,
    frontier: Frontier,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # All INT8 claims to be exact: it is tried first, measured, rejected, and the search
    # moves on to the real choice.
    cheap = _overestimated(frontier.points[0])
    rest = [p for p in frontier.points[1:] if p.worst_sqnr_db >= TARGET_DB]
    forged = Frontier(frontier.target, [cheap, *rest], frontier.baselines)
    verify_frontier(case, forged, case.input_list or Path(), tmp_path)
    first, *later = forged.verifications
    assert first.point is cheap and not first.passed
    assert first.measured.worst_sqnr_db < TARGET_DB
    assert later and later[-1].passed and forged.chosen is later[-1].point
    assert "point 0 measured" in capsys.readouterr().err


def test_no_point_meeting_the_target_is_a_failure(case: CompileConfig, tmp_path: Path) -> None:
    point = Point(("relu0",), 100, (OutputFigures("relu2", 10.0, 0.9, 1.0),))
    unreachable = Frontier(AccuracyTarget(sqnr_db=500.0), [point], {})
    verify_frontier(case, unreachable, case.input_list or Path(), tmp_path)
    assert unreachable.chosen is None and not unreachable.verifications
    assert unreachable.failure is not None
    assert "no point meets SQNR >= 500 dB" in unreachable.failure


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({}, "exactly one"),
        ({"sqnr_db": 40.0, "max_cycles": 5}, "exactly one"),
        ({"agreement": 2.0}, "[0, 1]"),
        ({"max_cycles": -1}, "positive"),
    ],
)
def test_accuracy_target_refusals(kwargs: dict[str, float], needle: str) -> None:
    with pytest.raises(UserError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        AccuracyTarget(**kwargs)  # type: ignore[arg-type]
