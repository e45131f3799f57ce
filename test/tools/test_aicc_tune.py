"""aicc-tune: its outputs, its table, and the chosen point reproduced by aicc-compile."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from conftest import run_in_process

from aicc.tools import aicc_compile, aicc_tune

sys.path.insert(0, str(Path(__file__).parents[1] / "tune"))
from tune_case import write_case  # noqa: E402  # pyright: ignore[reportMissingImports]


def test_outputs_and_the_reproducing_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_case(tmp_path)
    argv = ["-m=model.onnx", "-input-list-file=list.txt", "-target-sqnr=45", "-output-dir=out"]
    result = run_in_process(aicc_tune.main, argv, capsys)
    assert result.returncode == 0, result.stderr
    out = Path("out")
    frontier = json.loads((out / "frontier.json").read_text())
    points = frontier["points"]
    chosen = frontier["chosen"]
    assert chosen is not None and frontier["verifications"][-1]["passed"]
    for k in range(len(points)):
        assert (out / f"point-{k}.yaml").exists()
    assert (out / "pareto.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "chosen.yaml").read_text() == (out / f"point-{chosen}.yaml").read_text()
    assert "Frontier (SQNR >= 45 dB; * chosen):" in result.stdout
    lines = result.stdout.splitlines()
    commands = lines[lines.index("Reproduce the chosen point with:") + 1 :]
    assert len(commands) == 2
    dump, load = (shlex.split(c)[1:] for c in commands)
    # The first command rewrites chosen-pgq.yaml: the same bytes, since the profile is a
    # function of the model, the inputs and the node-precision-info.
    written = (out / "chosen-pgq.yaml").read_bytes()
    assert run_in_process(aicc_compile.main, dump, capsys).returncode == 0
    assert (out / "chosen-pgq.yaml").read_bytes() == written
    compiled = run_in_process(aicc_compile.main, [*load, "-aic-binary-dir=bundle"], capsys)
    assert compiled.returncode == 0, compiled.stderr
    assert "Model is compiled with Int8 precision using PGQ." in compiled.stdout
