"""`aicc-fuzz`: random ONNX graphs through every level of aicc, checked by seven oracles
(docs/fuzzing.md). Exit status 0 without findings, 1 with findings, 2 on a usage error.

    aicc-fuzz --seed 1 -n 200 -j 2 --failures-dir failures/
    aicc-fuzz --replay failures/graph17-oracle4.onnxtxt --oracles 4
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from aicc.base.errors import UserError, user_errors_exit_2
from aicc.fuzz.oracles import ORACLES
from aicc.fuzz.runner import FuzzOptions, replay, run_fuzz
from aicc.tools.cli import strict_parser


def parse_oracles(text: str) -> tuple[int, ...]:
    """`1,4,5` or `all` as oracle numbers."""
    if text == "all":
        return tuple(ORACLES)
    try:
        numbers = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise UserError(f"--oracles: '{text}' is not a list of oracle numbers") from None
    unknown = [n for n in numbers if n not in ORACLES]
    if unknown or not numbers:
        raise UserError(f"--oracles: choose among {', '.join(map(str, ORACLES))} (got '{text}')")
    return numbers


class ProgressBar:
    """A one-line bar on a terminal's stderr; nothing elsewhere."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int, findings: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = width * done // max(total, 1)
        elapsed = time.perf_counter() - self.start
        bar = "#" * filled + "." * (width - filled)
        line = f"\r[{bar}] {done}/{total} graphs, {findings} findings, {elapsed:.0f} s"
        sys.stderr.write(line)
        sys.stderr.flush()
        if done == total:
            sys.stderr.write("\n")


@user_errors_exit_2("aicc-fuzz")
def main(argv: Sequence[str] | None = None) -> None:
    parser = strict_parser("aicc-fuzz", __doc__.splitlines()[0] if __doc__ else "aicc-fuzz")
    parser.add_argument("--seed", type=int, default=1, help="the run's seed (default 1)")
    parser.add_argument("-n", type=int, default=100, dest="count", help="graphs (default 100)")
    parser.add_argument("--max-nodes", type=int, default=40, help="nodes per graph at most")
    parser.add_argument(
        "--oracles", default="all", help="comma-separated oracle numbers 1-7 (default all)"
    )
    parser.add_argument(
        "--time-budget", type=float, default=None, help="seconds after which no graph starts"
    )
    parser.add_argument(
        "--failures-dir", type=Path, default=None, help="write minimized reproducers here"
    )
    parser.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--replay", type=Path, default=None, help="run the oracles on one file")
    args = parser.parse_args(argv)
    oracles = parse_oracles(args.oracles)
    if args.count < 0 or args.max_nodes < 1 or args.jobs < 1:
        raise UserError("-n must be >= 0, --max-nodes and --jobs >= 1")
    if args.replay is not None:
        raise SystemExit(_replay(args.replay, oracles))
    options = FuzzOptions(
        seed=args.seed,
        count=args.count,
        max_nodes=args.max_nodes,
        oracles=oracles,
        time_budget=args.time_budget,
        failures_dir=args.failures_dir,
        jobs=args.jobs,
    )
    summary = run_fuzz(options, ProgressBar(sys.stderr.isatty()))
    print(summary.table())
    for result, number, detail in summary.findings:
        print(f"finding: graph {result.index} (seed {result.seed}), oracle {number}: {detail}")
    for result in summary.results:
        if result.reproducer is not None:
            print(f"reproduce: {result.reproducer}")
    raise SystemExit(1 if summary.findings else 0)


def _replay(path: Path, oracles: tuple[int, ...]) -> int:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        outcomes = replay(path, oracles)
    except Exception as e:  # onnx's parser and loader raise their own exceptions
        raise UserError(f"{path}: cannot read the model: {str(e).splitlines()[0]}") from None
    for number, outcome in outcomes.items():
        detail = f": {outcome.detail}" if outcome.detail else ""
        print(f"{number}. {ORACLES[number].name}: {outcome.status}{detail}")
    return 1 if any(o.status == "finding" for o in outcomes.values()) else 0


if __name__ == "__main__":
    main()
