"""The search: a greedy walk on noise removed per cycle, its Pareto front, and verification.

From all INT8, each step takes the move with the most predicted noise removed
(`aicc.tune.sensitivity`) per modelled cycle added (`aicc.tune.cost`); a move is one
group, or one group with a consumer, so that an island whose inner tensors only
stop being quantized once both ends are FP16 is seen. Gains and costs are
re-evaluated after every step, as islands merge. Moves that cost nothing go
first; ties keep graph order, so the walk is deterministic. Every set on the walk
whose predicted (cycles, SQNR) no earlier set dominates is then compiled with the
one profile, run on the calibration inputs and simulated. The cheapest measured set
that meets the target is then pruned: one group at a time leaves FP16 while the
measured set still meets the target and simulates cheaper. The measured points,
Pareto-filtered, are the frontier.

The chosen point is verified on the real flow: a profile dumped with its own
node-precision-info, the `-load-profile` compile, and the device simulator on the
eval list. If it misses the target, the next point is tried.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from aicc.base.accuracy import agreement
from aicc.base.errors import UserError, remark
from aicc.base.files import write_atomically
from aicc.base.node_precision import FP16_KEY, fp16_set_hash
from aicc.base.parallel import run_tasks
from aicc.base.profile import Profile, profile_text, read_profile, write_profile
from aicc.pipeline.bundle import write_bundle
from aicc.pipeline.compiler import (
    CompileConfig,
    CompiledModel,
    compile_model,
    dump_profile,
    open_session,
)
from aicc.runtime.bundle import read_bundle
from aicc.runtime.inputs import read_input_list
from aicc.sim.device import load_program
from aicc.sim.reference.interpreter import run_module
from aicc.tune.cost import CostModel, cost_model
from aicc.tune.plot import plot_frontier
from aicc.tune.sensitivity import Sensitivity, groups_of, kernel_members, measure_sources

SENSITIVITY_RUNS = 8
"""Calibration inputs each noise source is injected over (the first ones of the list);
points are measured over every calibration input."""


@dataclass(frozen=True)
class AccuracyTarget:
    """What the chosen point must meet: exactly one of the three is set."""

    sqnr_db: float | None = None
    """Every output's SQNR against FP32, in dB, at least this."""
    agreement: float | None = None
    """Every output's top-1 agreement with FP32 at least this fraction."""
    max_cycles: int | None = None
    """Simulated cycles at most this; then the most accurate such point."""

    def __post_init__(self) -> None:
        given = [v for v in (self.sqnr_db, self.agreement, self.max_cycles) if v is not None]
        if len(given) != 1:
            raise UserError(
                "give exactly one of -target-sqnr=DB, -target-agreement=FRACTION, -max-cycles=N"
            )
        if self.agreement is not None and not 0 <= self.agreement <= 1:
            raise UserError(f"-target-agreement={self.agreement}: expected a fraction in [0, 1]")
        if self.max_cycles is not None and self.max_cycles <= 0:
            raise UserError(f"-max-cycles={self.max_cycles}: expected a positive cycle count")

    def text(self) -> str:
        if self.sqnr_db is not None:
            return f"SQNR >= {self.sqnr_db:g} dB"
        if self.agreement is not None:
            return f"top-1 agreement >= {self.agreement:g}"
        return f"cycles <= {self.max_cycles}"

    def met(self, point: Point) -> bool:
        if self.sqnr_db is not None:
            return point.worst_sqnr_db >= self.sqnr_db
        if self.agreement is not None:
            return point.worst_agreement >= self.agreement
        assert self.max_cycles is not None
        return point.cycles <= self.max_cycles


@dataclass(frozen=True)
class OutputFigures:
    """One output against FP32."""

    name: str
    sqnr_db: float
    cosine: float
    top1_agreement: float


@dataclass(frozen=True)
class Point:
    """One precision assignment, measured."""

    fp16_names: tuple[str, ...]
    cycles: int
    """Simulated cycles of its device program."""
    outputs: tuple[OutputFigures, ...]
    predicted_cycles: int = 0
    predicted_sqnr_db: float = 0.0

    @property
    def worst_sqnr_db(self) -> float:
        return min((o.sqnr_db for o in self.outputs), default=math.inf)

    @property
    def worst_agreement(self) -> float:
        return min((o.top1_agreement for o in self.outputs), default=1.0)

    def node_precision_text(self) -> str:
        # JSON is YAML whose strings are all quoted, as numeric tensor names need.
        return json.dumps({FP16_KEY: list(self.fp16_names)}) + "\n"

    def to_json(self) -> dict[str, object]:
        return {
            "fp16_nodes": list(self.fp16_names),
            "cycles": self.cycles,
            "predicted_cycles": self.predicted_cycles,
            "predicted_sqnr_db": _number(self.predicted_sqnr_db),
            "outputs": {
                o.name: {
                    "sqnr_db": _number(o.sqnr_db),
                    "cosine": _number(o.cosine),
                    "top1_agreement": _number(o.top1_agreement),
                }
                for o in self.outputs
            },
        }


@dataclass(frozen=True)
class Verification:
    """A point run through the real flow on the eval list."""

    point: Point
    measured: Point
    passed: bool


@dataclass
class Frontier:
    """The Pareto front of simulated cycles against accuracy, and the verified choice."""

    target: AccuracyTarget
    points: list[Point]
    baselines: dict[str, Point]
    """`all-int8` and `all-fp16`, measured as the points are."""
    verifications: list[Verification] = field(default_factory=list[Verification])
    chosen_profile: str | None = None
    """The text of the profile dumped with the chosen point's node-precision-info."""
    failure: str | None = None
    """Why no point was chosen (one line), when none was."""

    @property
    def chosen(self) -> Point | None:
        """The verified point: the cheapest that met the target on the real flow."""
        passed = [v.point for v in self.verifications if v.passed]
        return passed[0] if passed else None

    def to_json(self) -> dict[str, object]:
        chosen = self.chosen
        return {
            "target": self.target.text(),
            "points": [p.to_json() for p in self.points],
            "baselines": {k: p.to_json() for k, p in self.baselines.items()},
            "chosen": None if chosen is None else self.points.index(chosen),
            "verifications": [
                {
                    "point": self.points.index(v.point),
                    "passed": v.passed,
                    "measured": v.measured.to_json(),
                }
                for v in self.verifications
            ],
        }

    def write(self, directory: Path) -> list[Path]:
        """frontier.json, point-<k>.yaml, chosen.yaml, chosen-pgq.yaml, pareto.png.

        Returns what it wrote; pareto.png only where matplotlib is installed.
        """
        directory.mkdir(parents=True, exist_ok=True)
        written = [directory / "frontier.json"]
        write_atomically(written[0], json.dumps(self.to_json(), indent=2) + "\n")
        for k, point in enumerate(self.points):
            path = directory / f"point-{k}.yaml"
            write_atomically(path, point.node_precision_text())
            written.append(path)
        chosen = self.chosen
        if chosen is not None and self.chosen_profile is not None:
            written.append(directory / "chosen.yaml")
            write_atomically(written[-1], chosen.node_precision_text())
            written.append(directory / "chosen-pgq.yaml")
            write_atomically(written[-1], self.chosen_profile)
        png = directory / "pareto.png"
        t = self.target
        if plot_frontier(self.points, self.baselines, chosen, t.sqnr_db, t.max_cycles, png):
            written.append(png)
        return written

    def table(self) -> str:
        chosen = self.chosen
        lines = [
            f"{'k':>3} {'fp16':>4} {'cycles':>9} {'SQNR dB':>8} {'cosine':>9} {'top-1':>6}  nodes"
        ]
        for k, point in enumerate(self.points):
            mark = " *" if point is chosen else ""
            o = min(point.outputs, key=lambda f: f.sqnr_db)
            nodes = ",".join(point.fp16_names) or "-"
            lines.append(
                f"{k:>3} {len(point.fp16_names):>4} {point.cycles:>9} {o.sqnr_db:>8.2f} "
                f"{o.cosine:>9.6f} {point.worst_agreement:>6.3f}  {nodes}{mark}"
            )
        return "\n".join(lines)


def _number(x: float) -> float | str:
    """A JSON number, rounded so that the text is stable; infinities as strings."""
    return round(float(x), 6) if math.isfinite(x) else str(x)


Progress = Callable[[str], None]


def tune(
    config: CompileConfig,
    target: AccuracyTarget,
    eval_list: Path | None = None,
    workdir: Path | None = None,
    progress: Progress | None = None,
) -> Frontier:
    """Search the FP16 sets of `config.model` for `target` and verify the chosen point.

    `config.input_list` is the calibration list (profiled once); `eval_list` the inputs
    the chosen point is verified on (default: the calibration list). `workdir` holds
    the intermediate files (default: a temporary directory).
    """
    if config.input_list is None:
        raise UserError("aicc-tune needs -input-list-file=PATH: the calibration inputs")
    if config.quantization.profile is not None or config.quantization.node_precision_info:
        raise UserError(
            "aicc-tune profiles once and chooses the FP16 nodes itself; "
            "drop -load-profile and -node-precision-info"
        )
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="aicc-tune-") as tmp:
            return tune(config, target, eval_list, Path(tmp), progress)
    workdir.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _: None)
    search = _Search(config, workdir, say)
    frontier = search.frontier(target)
    verify_frontier(config, frontier, eval_list or config.input_list, workdir, say)
    return frontier


class _Search:
    """One model's profile, modules, noise model and cost model."""

    def __init__(self, config: CompileConfig, workdir: Path, say: Progress) -> None:
        self.config = config
        self.workdir = workdir
        self.say = say
        self._trials = 0
        say("profiling once over the calibration inputs")
        self.profile = dump_profile(config, workdir / "pgq.yaml").profile
        reference = open_session(replace(config, input_list=None))
        self.reference = reference.module
        assert config.input_list is not None
        runs = read_input_list(config.input_list, reference.inputs())
        self.runs = [run.read(reference.inputs()) for run in runs]
        self.outputs = [port.name for port in reference.outputs()]
        self.expected = [run_module(self.reference, r) for r in self.runs]
        int8 = self._compile(())
        int8_report = load_program(int8.program, int8.target).report
        kernels = list(int8_report.nodes)
        self.groups = groups_of(
            kernel_members(kernels, self.reference, int8.module), self.reference
        )
        names = tuple(n for g in self.groups for n in g.names)
        fp16 = self._compile(names)
        fp16_report = load_program(fp16.program, fp16.target).report
        self.cost: CostModel = cost_model(
            self.groups,
            {k: n.span_cycles for k, n in int8_report.nodes.items()},
            {k: n.span_cycles for k, n in fp16_report.nodes.items()},
            int8.target,
        )
        say(f"injecting each quantization error alone ({len(self.groups)} candidate kernels)")
        q = config.quantization
        injected = self.runs[:SENSITIVITY_RUNS]
        raw = measure_sources(
            self.reference, int8.module, self.groups, injected, q.schema, q.channelwise
        )
        self.all_int8 = self._measured_from(int8, (), int8_report.total_cycles)
        self.all_fp16 = self._measured_from(fp16, names, fp16_report.total_cycles)
        self.sensitivity: Sensitivity = raw.calibrated([o.sqnr_db for o in self.all_int8.outputs])

    def _compile(self, fp16: Sequence[str]) -> CompiledModel:
        return compile_retagged(self.config, self.profile, fp16, self.workdir)

    def _measured_from(self, compiled: CompiledModel, fp16: Sequence[str], cycles: int) -> Point:
        got = [run_module(compiled.module, r) for r in self.runs]
        return Point(tuple(fp16), cycles, figures(self.outputs, self.expected, got))

    def measure(self, fp16: frozenset[str]) -> Point:
        return self.measure_all([fp16])[0]

    def measure_all(self, sets: Sequence[frozenset[str]]) -> list[Point]:
        """Each set compiled, run on the calibration inputs and simulated: independent
        tasks, run where `-parallel` says, each in its own folder."""
        alone = replace(self.config, parallel=None)
        trials: list[Trial] = []
        for fp16 in sets:
            names = tuple(n for g in self.groups if g.key in fp16 for n in g.names)
            folder = self.workdir / f"trial-{self._trials}"
            self._trials += 1
            trials.append(
                Trial(alone, self.profile, names, folder, self.runs, self.outputs, self.expected)
            )
        places = [f"trial of {len(t.fp16)} FP16 nodes" for t in trials]
        points = run_tasks(measure_trial, trials, places, self.config.parallel)
        return [
            replace(
                point,
                predicted_cycles=self.cost.cycles(fp16),
                predicted_sqnr_db=min(self.sensitivity.sqnr_db(fp16), default=math.inf),
            )
            for fp16, point in zip(sets, points, strict=True)
        ]

    def walk(self) -> list[frozenset[str]]:
        """The greedy sequence of FP16 sets, from none to every group."""
        moves = [frozenset({g.key}) for g in self.groups] + [
            frozenset({g.key, c}) for g in self.groups for c in g.consumers
        ]
        every = frozenset(g.key for g in self.groups)
        current: frozenset[str] = frozenset()
        walk = [current]
        while current != every:
            noise = self.sensitivity.relative_noise(current)
            cycles = self.cost.cycles(current)
            best: tuple[tuple[int, float, int], frozenset[str]] | None = None
            for move in moves:
                if move <= current:
                    continue
                after = current | move
                gain = noise - self.sensitivity.relative_noise(after)
                added = self.cost.cycles(after) - cycles
                free = added <= 0
                key = (int(free), gain if free else gain / added, -added)
                if best is None or key > best[0]:
                    best = (key, after)
            assert best is not None
            current = best[1]
            walk.append(current)
        return walk

    def frontier(self, target: AccuracyTarget) -> Frontier:
        walk = self.walk()
        candidates: list[frozenset[str]] = []
        best = -math.inf
        for fp16 in sorted(walk, key=lambda s: (self.cost.cycles(s), walk.index(s))):
            predicted = min(self.sensitivity.sqnr_db(fp16), default=math.inf)
            if predicted > best:
                candidates.append(fp16)
                best = predicted
        self.say(f"measuring {len(candidates)} points of the predicted front")
        measured = dict(zip(candidates, self.measure_all(candidates), strict=True))
        if target.max_cycles is None:
            self._prune(measured, target)
        points: list[Point] = []
        ordered = sorted(measured.values(), key=lambda p: (p.cycles, -p.worst_sqnr_db))
        for point in ordered:
            if not points or point.worst_sqnr_db > points[-1].worst_sqnr_db:
                points.append(point)
        baselines = {"all-int8": self.all_int8, "all-fp16": self.all_fp16}
        return Frontier(target, points, baselines)

    def _prune(self, measured: dict[frozenset[str], Point], target: AccuracyTarget) -> None:
        """From the cheapest measured set that meets `target`, drop one group at a time
        (graph order) while the measured set still meets it and simulates cheaper: the
        cost model's conversions are estimates, the simulator is not."""
        meeting = [s for s, p in measured.items() if target.met(p)]
        if not meeting:
            return
        current = min(meeting, key=lambda s: measured[s].cycles)
        self.say(f"pruning the cheapest point that meets {target.text()}")
        shrunk = True
        while shrunk:
            shrunk = False
            for group in self.groups:
                if group.key not in current:
                    continue
                trial = current - {group.key}
                if trial not in measured:
                    measured[trial] = self.measure(trial)
                point = measured[trial]
                if target.met(point) and point.cycles < measured[current].cycles:
                    current, shrunk = trial, True
                    break


@dataclass(frozen=True)
class Trial:
    """One FP16 set to compile with the one profile, run and simulate (a task)."""

    config: CompileConfig
    profile: Profile
    fp16: tuple[str, ...]
    workdir: Path
    runs: list[list[np.ndarray]]
    outputs: list[str]
    expected: list[list[np.ndarray]]


def measure_trial(trial: Trial) -> Point:
    """The measured point of `trial.fp16`, in whichever process runs it."""
    trial.workdir.mkdir(parents=True, exist_ok=True)
    compiled = compile_retagged(trial.config, trial.profile, trial.fp16, trial.workdir)
    cycles = load_program(compiled.program, compiled.target).report.total_cycles
    got = [run_module(compiled.module, r) for r in trial.runs]
    return Point(trial.fp16, cycles, figures(trial.outputs, trial.expected, got))


def compile_retagged(
    config: CompileConfig, profile: Profile, fp16: Sequence[str], workdir: Path
) -> CompiledModel:
    """Compile and lower `config` with `fp16` in FP16 and the one `profile`, re-tagged for
    that set (its histograms stand for the set's own; only FP16 rounding differs).

    The trial's remarks (its memory plan) are not shown.
    """
    info = workdir / "node_precision.yaml"
    write_atomically(info, json.dumps({FP16_KEY: list(fp16)}) + "\n")
    path = workdir / "pgq-set.yaml"
    write_profile(replace(profile, fp16_hash=fp16_set_hash(fp16)), path)
    q = replace(config.quantization, node_precision_info=info, profile=path)
    with quiet():
        compiled = compile_model(replace(config, quantization=q, input_list=None))
        _ = compiled.program
    return compiled


def verify_frontier(
    config: CompileConfig,
    frontier: Frontier,
    eval_list: Path,
    workdir: Path,
    say: Progress | None = None,
) -> None:
    """Try the points meeting the target on the real flow, cheapest first (or, for a
    cycle budget, most accurate first), until one passes; record every try."""
    target = frontier.target
    if target.max_cycles is not None:
        order = sorted(
            (p for p in frontier.points if target.met(p)), key=lambda p: -p.worst_sqnr_db
        )
    else:
        order = [p for p in frontier.points if target.met(p)]
    if not order:
        best = max(frontier.points, key=lambda p: p.worst_sqnr_db)
        frontier.failure = (
            f"{config.model}: no point meets {target.text()} on the calibration inputs; the "
            f"most accurate gives SQNR {best.worst_sqnr_db:.2f} dB, top-1 agreement "
            f"{best.worst_agreement:.3f} at {best.cycles} cycles"
        )
        return
    if say is not None:
        say(f"verifying up to {len(order)} points on the real flow, cheapest first")
    # Under -parallel the next points are verified while the first runs; only the tries
    # up to the first that passes are recorded, as when they run one by one.
    alone = replace(config, parallel=None)
    jobs = [
        Verify(alone, point, eval_list, workdir / f"verify-{k}") for k, point in enumerate(order)
    ]
    places = [f"verifying point {frontier.points.index(p)}" for p in order]
    results = run_tasks(verify_job, jobs, places, config.parallel)
    for point, (measured, profile) in zip(order, results, strict=True):
        passed = target.met(measured)
        frontier.verifications.append(Verification(point, measured, passed))
        if passed:
            frontier.chosen_profile = profile
            return
        remark(
            f"point {frontier.points.index(point)} measured {measured.worst_sqnr_db:.2f} dB, "
            f"top-1 {measured.worst_agreement:.3f} on the eval list, missing "
            f"{target.text()}; trying the next point"
        )
    frontier.failure = (
        f"{config.model}: no point of the frontier meets {target.text()} when verified on "
        f"{eval_list}"
    )


@dataclass(frozen=True)
class Verify:
    """One point to verify on the real flow, in its own folder (a task)."""

    config: CompileConfig
    point: Point
    eval_list: Path
    workdir: Path


def verify_job(job: Verify) -> tuple[Point, str]:
    job.workdir.mkdir(parents=True, exist_ok=True)
    return verify_point(job.config, job.point, job.eval_list, job.workdir)


def verify_point(
    config: CompileConfig, point: Point, eval_list: Path, workdir: Path
) -> tuple[Point, str]:
    """`point` through the real flow: its own profile, the compile, the device on
    `eval_list`. Returns the measured point and the profile's text."""
    info = workdir / "chosen.yaml"
    write_atomically(info, point.node_precision_text())
    pgq = workdir / "chosen-pgq.yaml"
    q = replace(config.quantization, node_precision_info=info, profile=None)
    loaded = replace(config, quantization=replace(q, profile=pgq), input_list=None)
    bundle = workdir / "chosen-bundle"
    with quiet():
        dump_profile(replace(config, quantization=q), pgq)
        compiled = compile_model(loaded)
        write_bundle(compiled, bundle)
    executable = read_bundle(bundle).executable()
    session = compiled.session
    reference = open_session(replace(config, input_list=None))
    expected: list[list[np.ndarray]] = []
    got: list[list[np.ndarray]] = []
    cycles = 0
    for run in read_input_list(eval_list, session.inputs()):
        arrays = run.read(session.inputs())
        expected.append(run_module(reference.module, arrays))
        outputs, report = executable.run(arrays)
        got.append(outputs)
        cycles = report.total_cycles
    names = [p.name for p in session.outputs()]
    profile: Profile = read_profile(pgq)
    return Point(point.fp16_names, cycles, figures(names, expected, got)), profile_text(profile)


@contextmanager
def quiet() -> Iterator[None]:
    """Hold back the remarks and warnings of the trial compiles: the first profile and
    compile of the model showed the user's."""
    with redirect_stderr(io.StringIO()):
        yield


def figures(
    names: Sequence[str],
    expected: Sequence[Sequence[np.ndarray]],
    got: Sequence[Sequence[np.ndarray]],
) -> tuple[OutputFigures, ...]:
    figures: list[OutputFigures] = []
    for index, name in enumerate(names):
        want = [np.asarray(e[index], dtype=np.float32).reshape(-1) for e in expected]
        have = [np.asarray(g[index], dtype=np.float32).reshape(-1) for g in got]
        measured = agreement(np.concatenate(want), np.concatenate(have))
        same = [int(np.argmax(w)) == int(np.argmax(h)) for w, h in zip(want, have, strict=True)]
        top1 = sum(same) / len(same) if same else 1.0
        figures.append(OutputFigures(name, measured.sqnr_db, measured.cosine, top1))
    return tuple(figures)
