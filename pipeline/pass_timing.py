"""`-time-passes`: the wall time of each step of a compile, as MLIR's pass timing prints it.

The compile driver calls its after-pass hook once after import and once after every
pass, the device lowering's included; a step's time is what elapsed since the
previous call, so the steps add up to the whole compile. Steps outside the pass
pipeline (reading the profile, writing the bundle) are `mark`ed by the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from xdsl.dialects.builtin import ModuleOp

_RULE = "===" + "-" * 73 + "==="


@dataclass
class PassTiming:
    """Wall time per step, in the order the steps ran."""

    steps: list[tuple[str, float]] = field(default_factory=list[tuple[str, float]])
    _last: float = field(default_factory=time.perf_counter)

    def mark(self, name: str) -> None:
        """Ends the step `name`: the time since the previous step ended."""
        now = time.perf_counter()
        self.steps.append((name, now - self._last))
        self._last = now

    def after_pass(self, name: str, module: ModuleOp) -> None:
        """The compile driver's after-pass hook (the module is not looked at)."""
        self.mark(name)

    def report(self) -> str:
        total = sum(seconds for _, seconds in self.steps)
        lines = [
            _RULE,
            "... Execution time report ...".center(len(_RULE)).rstrip(),
            _RULE,
            f"  Total Execution Time: {total:.4f} seconds",
            "",
            "  ----Wall Time----  ----Name----",
        ]
        share = (lambda s: 100 * s / total) if total > 0 else (lambda s: 0.0)
        for name, seconds in self.steps:
            lines.append(f"  {seconds:8.4f} ({share(seconds):5.1f}%)  {name}")
        lines.append(f"  {total:8.4f} (100.0%)  Total")
        return "\n".join(lines)


def both(
    first: Callable[[str, ModuleOp], None] | None, second: Callable[[str, ModuleOp], None]
) -> Callable[[str, ModuleOp], None]:
    """One after-pass hook that calls `first` (if any), then `second`."""
    if first is None:
        return second

    def after_pass(name: str, module: ModuleOp) -> None:
        first(name, module)
        second(name, module)

    return after_pass
