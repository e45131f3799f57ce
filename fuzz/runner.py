"""The Python entry of `aicc-fuzz`: `run_fuzz(FuzzOptions) -> FuzzSummary`.

    from aicc.fuzz.runner import FuzzOptions, run_fuzz
    summary = run_fuzz(FuzzOptions(seed=1, count=20, oracles=(4, 5)))
    print(summary.table())
    assert not summary.findings

Graph `i` of a run is `generate(graph_seed(seed, i), max_nodes)`, so a run's results
do not depend on `jobs`. Everything runs in process (a pool of `jobs` worker
processes when `jobs > 1`); compiler warnings and remarks are not printed.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import onnx
import onnx.printer

from aicc.base.files import write_atomically
from aicc.fuzz.generator import FuzzCase, case_of, generate, graph_seed
from aicc.fuzz.minimize import minimize
from aicc.fuzz.oracles import ORACLES, Outcome, RoundTrips, judge
from aicc.fuzz.trial import Trial


@dataclass(frozen=True)
class FuzzOptions:
    seed: int = 1
    count: int = 100
    start: int = 0
    """The first graph's index: graphs `start` to `start + count - 1` run."""
    max_nodes: int = 40
    oracles: tuple[int, ...] = tuple(ORACLES)
    time_budget: float | None = None
    """Seconds after which no further graph starts (None: no limit)."""
    failures_dir: Path | None = None
    """Where minimized reproducers go (None: findings are not minimized)."""
    jobs: int = 1


@dataclass(frozen=True)
class GraphResult:
    index: int
    seed: int
    nodes: int
    outcomes: dict[int, Outcome]
    seconds: dict[int, float]
    reproducer: str | None = None


@dataclass
class FuzzSummary:
    options: FuzzOptions
    results: list[GraphResult] = field(default_factory=list[GraphResult])
    wall_seconds: float = 0.0

    @property
    def findings(self) -> list[tuple[GraphResult, int, str]]:
        return [
            (r, number, o.detail)
            for r in self.results
            for number, o in sorted(r.outcomes.items())
            if o.status == "finding"
        ]

    def table(self) -> str:
        """Per oracle: graphs run, passed, refused (by reason), skipped and findings."""
        lines = [f"{'oracle':<44} {'run':>5} {'passed':>6} {'refused':>7} {'findings':>8}"]
        refusals: dict[int, Counter[str]] = {}
        for number in self.options.oracles:
            outcomes = [r.outcomes[number] for r in self.results if number in r.outcomes]
            counts = Counter(o.status for o in outcomes)
            refusals[number] = Counter(o.detail for o in outcomes if o.status == "refused")
            name = f"{number}. {ORACLES[number].name}"
            if counts["skipped"]:
                name += f" (skipped {counts['skipped']})"
            lines.append(
                f"{name:<44} {len(outcomes) - counts['skipped']:>5} {counts['passed']:>6} "
                f"{counts['refused']:>7} {counts['finding']:>8}"
            )
        lines.append("")
        lines.append("refused, by reason:")
        for number, reasons in refusals.items():
            for reason, count in reasons.most_common():
                lines.append(f"  {number}: {count:>4}  {reason}")
        seconds = self.seconds_per_oracle()
        lines.append("")
        lines.append(
            "seconds per graph: "
            + ", ".join(f"{n}: {s:.2f}" for n, s in seconds.items())
            + f"; wall {self.wall_seconds:.1f} s for {len(self.results)} graphs"
            + f" on {self.options.jobs} job(s)"
        )
        return "\n".join(lines)

    def seconds_per_oracle(self) -> dict[int, float]:
        """Mean seconds per graph each oracle took, with the shared steps it ran first."""
        return {
            n: sum(r.seconds.get(n, 0.0) for r in self.results) / max(1, len(self.results))
            for n in self.options.oracles
        }


def run_oracles(case: FuzzCase, oracles: Sequence[int]) -> tuple[dict[int, Outcome], dict]:
    """Each oracle's outcome on `case`, and the seconds it took."""
    trial = Trial.create(case, RoundTrips() if 2 in oracles else None)
    outcomes: dict[int, Outcome] = {}
    seconds: dict[int, float] = {}
    try:
        with quiet():
            for number in oracles:
                oracle = ORACLES[number]
                start = time.perf_counter()
                if oracle.needs_onnxruntime and not has_onnxruntime():
                    outcomes[number] = Outcome("skipped", "onnxruntime not installed")
                else:
                    outcomes[number] = judge(trial, oracle.check)
                seconds[number] = time.perf_counter() - start
    finally:
        shutil.rmtree(trial.directory, ignore_errors=True)
    return outcomes, seconds


@contextlib.contextmanager
def quiet():
    """No warnings, remarks or numpy warnings on the terminal while a case runs."""
    with (
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


def has_onnxruntime() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def fails(case: FuzzCase, number: int) -> bool:
    outcomes, _ = run_oracles(case, [number])
    return outcomes[number].status == "finding"


def run_graph(options: FuzzOptions, index: int) -> GraphResult:
    seed = graph_seed(options.seed, index)
    case = generate(seed, options.max_nodes)
    outcomes, seconds = run_oracles(case, options.oracles)
    reproducer = None
    failing = [n for n, o in outcomes.items() if o.status == "finding"]
    if failing and options.failures_dir is not None:
        reproducer = write_reproducer(case, failing[0], options.failures_dir, f"{index}")
    return GraphResult(index, seed, case.node_count, outcomes, seconds, reproducer)


def write_reproducer(case: FuzzCase, number: int, directory: Path, tag: str) -> str:
    """Minimize `case` on oracle `number`, write it and return a one-line command replaying it."""
    small = minimize(case, lambda c: fails(c, number))
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / f"graph{tag}-oracle{number}"
    text = stem.with_suffix(".onnxtxt")
    write_atomically(text, onnx.printer.to_text(small.model) + "\n")
    binary = stem.with_suffix(".onnx")
    write_atomically(binary, small.model.SerializeToString())
    # The text form prints floats in short form; replay the binary if that loses the bug.
    chosen = text if fails(case_of(load_case_model(text)), number) else binary
    return f"aicc-fuzz --replay {chosen} --oracles {number}"


def load_case_model(path: Path) -> onnx.ModelProto:
    if path.suffix == ".onnxtxt":
        return onnx.parser.parse_model(path.read_text())
    return onnx.load(path)


def replay(path: Path, oracles: Sequence[int] = tuple(ORACLES)) -> dict[int, Outcome]:
    """The oracles' outcomes on a written reproducer (`.onnxtxt` or `.onnx`)."""
    outcomes, _ = run_oracles(case_of(load_case_model(path)), oracles)
    return outcomes


def run_fuzz(
    options: FuzzOptions, progress: Callable[[int, int, int], None] | None = None
) -> FuzzSummary:
    """Run the oracles over `options.count` graphs; `progress(done, total, findings)` is
    called after each graph."""
    summary = FuzzSummary(options)
    start = time.perf_counter()
    deadline = None if options.time_budget is None else start + options.time_budget
    found = 0
    for done, result in enumerate(_results(options, deadline), 1):
        summary.results.append(result)
        found += sum(o.status == "finding" for o in result.outcomes.values())
        if progress is not None:
            progress(done, options.count, found)
    summary.results.sort(key=lambda r: r.index)
    summary.wall_seconds = time.perf_counter() - start
    return summary


def _results(options: FuzzOptions, deadline: float | None) -> Iterable[GraphResult]:
    indices = range(options.start, options.start + options.count)
    if options.jobs <= 1:
        for index in indices:
            if _past(deadline):
                return
            yield run_graph(options, index)
        return
    # One BLAS thread per worker: the workers are the parallelism.
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(options.jobs, mp_context=context) as pool:
        pending: set[Future[GraphResult]] = set()
        waiting = iter(indices)
        while True:
            # Two graphs queued per worker: the time budget stops the rest from starting.
            while len(pending) < 2 * options.jobs and not _past(deadline):
                index = next(waiting, None)
                if index is None:
                    break
                pending.add(pool.submit(run_graph, options, index))
            if not pending:
                return
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline
