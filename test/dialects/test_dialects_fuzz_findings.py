"""Cases `aicc-fuzz` found, minimized, whose fix is in the dialects: each must now pass
the oracles that failed on it (docs/fuzzing.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc.fuzz.runner import replay

FINDINGS = Path(__file__).parent / "Inputs" / "fuzz"


@pytest.mark.parametrize(
    ("name", "oracles"),
    [
        # kernel.matmul refused the i8 bias that an INT8 Gemm with alpha != 1 keeps.
        ("gemm_alpha_int8_bias", (2, 5)),
    ],
)
def test_fuzz_finding_is_fixed(name: str, oracles: tuple[int, ...]) -> None:
    outcomes = replay(FINDINGS / f"{name}.onnxtxt", oracles)
    assert all(o.status == "passed" for o in outcomes.values()), outcomes
