"""Every FP32 conformance case runs on the device and matches, or is refused at compile time
with a one-line message naming the node (see `device_conformance.py`)."""

from __future__ import annotations

import pytest
from device_conformance import float_cases, run_on_device

CASES = float_cases()


def test_float_cases_are_found() -> None:
    assert len(CASES) > 300


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_runs_on_device_or_is_refused(case) -> None:
    assert run_on_device(case).kind in ("ran", "refused")
