"""ONNX backend conformance: every runnable case (see `conformance.py`) must match."""

from __future__ import annotations

import pytest
from conformance import Case, run_case, runnable_cases

CASES = runnable_cases()


def test_cases_are_found() -> None:
    # Guards against a silent empty run if onnx moves its test cases.
    assert len(CASES) > 300


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_conformance(case: Case) -> None:
    run_case(case)
