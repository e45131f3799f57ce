"""Cases `aicc-fuzz` found whose fix is in the reference kernels (docs/fuzzing.md).

Each file is a minimized reproducer (`.onnx` keeps its floats exact; the `.onnxtxt`
beside it is for reading); every oracle that failed on it must now pass or refuse it
in one line."""

from __future__ import annotations

from pathlib import Path

from aicc.fuzz.runner import replay

FINDINGS = Path(__file__).parent / "Inputs" / "fuzz"


def test_edge_pad_of_a_cropped_away_axis_is_refused_in_one_line() -> None:
    # Pad (edge) cropping an axis to nothing and padding it: numpy raised a ValueError
    # from inside the reference; there is no element to repeat.
    outcomes = replay(FINDINGS / "pad_edge_empty_axis.onnx", (2, 7))
    assert all(o.status == "refused" for o in outcomes.values()), outcomes
    assert "cannot pad an empty axis" in str(outcomes[7])
