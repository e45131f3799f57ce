"""Cases `aicc-fuzz` found whose fix is in the lowerings (docs/fuzzing.md).

Each file is a minimized reproducer (`.onnx` keeps its floats exact; the `.onnxtxt`
beside it is for reading); it must now pass the oracles that failed on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc.fuzz.runner import replay

FINDINGS = Path(__file__).parent / "Inputs" / "fuzz"


@pytest.mark.parametrize(
    ("name", "oracles"),
    [
        # An FP16 MaxPool whose window held only -inf (1e3 x 1e3 overflowed) and padding
        # gave -65504 on the device: the padding was float16's lowest finite value.
        ("maxpool_fp16_infinite_window.onnx", (4, 6)),
        # A [1,C,H,W] constant operand with C = H = W keeps its shape when transposed to
        # NHWC, and its NCHW blob was shared as if the bytes had not moved (Div, Min).
        ("div_by_square_constant.onnx", (4, 5, 6)),
        ("min_of_square_constant.onnx", (4, 5, 6)),
    ],
)
def test_fuzz_finding_is_fixed(name: str, oracles: tuple[int, ...]) -> None:
    outcomes = replay(FINDINGS / name, oracles)
    assert all(o.status in ("passed", "refused") for o in outcomes.values()), outcomes
    assert outcomes[oracles[-1]].status == "passed" or "overflows to Inf" in str(outcomes)
