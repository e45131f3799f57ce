"""The `aicc-fuzz` command line: summary, exit status, reproducers."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc.fuzz import oracles
from aicc.fuzz.oracles import Oracle, Outcome
from aicc.fuzz.trial import Trial
from aicc.tools.aicc_fuzz import main


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    return code if isinstance(code, int) else 1


def test_no_findings_exits_0_with_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--seed", "4", "-n", "2", "--max-nodes", "3", "--oracles", "4,7"]) == 0
    out = capsys.readouterr().out
    assert "4. FP32 device vs reference" in out
    assert "7. refusals: one line, compile time" in out
    assert "seconds per graph" in out


def test_a_finding_exits_1_and_writes_a_reproducer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def planted(trial: Trial) -> Outcome:
        model = trial.case.model
        has_conv = any(n.op_type == "Conv" for n in model.graph.node)
        return Outcome.finding("planted: a Conv") if has_conv else Outcome.passed()

    monkeypatch.setitem(oracles.ORACLES, 7, Oracle(7, "planted", planted))
    argv = ["--seed", "1", "-n", "3", "--max-nodes", "6", "--oracles", "7"]
    assert run([*argv, "--failures-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "planted: a Conv" in out
    (command,) = [line for line in out.splitlines() if line.startswith("reproduce: ")][:1]
    written = Path(command.split()[3])
    assert written.parent == tmp_path and written.suffix in (".onnxtxt", ".onnx")
    assert "Conv" in (tmp_path / f"{written.stem}.onnxtxt").read_text()


def test_a_bad_oracle_list_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--oracles", "9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("aicc-fuzz: error: --oracles") and err.count("\n") == 1
