"""Cases `aicc-fuzz` found whose fix is in the fuzzer's own oracles (docs/fuzzing.md)."""

from __future__ import annotations

from pathlib import Path

from aicc.fuzz.runner import replay

FINDINGS = Path(__file__).parent / "Inputs" / "fuzz"


def test_selu_near_zero_is_onnxruntimes_rounding_not_the_references() -> None:
    # onnxruntime's Selu computes exp(x) - 1 in float32 (-3.29253e-4 for the exact
    # -3.29148e-4); the reference's expm1 is right, so oracle 1 allows onnxruntime's error.
    outcomes = replay(FINDINGS / "selu_near_zero.onnx", (1,))
    assert outcomes[1].status == "passed", outcomes
