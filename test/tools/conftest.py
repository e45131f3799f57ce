"""Helpers for the command-line tool tests: a small ONNX model and a subprocess runner."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

BIN = Path(sys.executable).parent
X_SHAPE = (1, 8, 8, 8)
Y_SHAPE = (1, 16, 8, 8)


def run_tool(
    tool: str, *args: str | Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / tool), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def run_in_process(
    main: Callable[[list[str]], None], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> subprocess.CompletedProcess[str]:
    """Run a console-script main in this process (so a test can monkeypatch what it
    calls), with its exit status and output as `run_tool` gives them."""
    capsys.readouterr()
    code: int | str | None = 0
    try:
        main(argv)
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    status = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(argv, status, out, err)


def run_ok(tool: str, *args: str | Path, cwd: Path | None = None) -> str:
    """Run a tool that must succeed without a traceback; its stdout."""
    result = run_tool(tool, *args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def assert_user_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit status 2, exactly one stderr line holding every needle, no traceback."""
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return assert_one_line(lines[0], *needles)


def assert_one_line(line: str, *needles: str) -> str:
    """The line, after checking that it holds every needle."""
    for needle in needles:
        assert needle in line, line
    return line


def edit_bundle_file(bundle: Path, name: str, data: str | bytes) -> None:
    """Replace a bundle file and record its new sha256 in the manifest, as a user who
    edits a bundle carefully would: the edit then reaches the checks after the hashes."""
    path = bundle / name
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def make_model() -> onnx.ModelProto:
    """conv (16x8x3x3 weights: 4608 bytes, above the 4 KiB elision limit), Relu, Add.

    The outputs 'relu/0' and 'sum:1' need file-name sanitizing.
    """
    rng = np.random.default_rng(7)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32) * 0.2
    b = rng.standard_normal(16).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["conv0"], name="conv0", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv0"], ["relu/0"], name="relu0"),
        helper.make_node("Add", ["relu/0", "y"], ["sum:1"], name="add0"),
    ]
    graph = helper.make_graph(
        nodes,
        "tools_test",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, X_SHAPE),
            helper.make_tensor_value_info("y", TensorProto.FLOAT, Y_SHAPE),
        ],
        [
            helper.make_tensor_value_info("relu/0", TensorProto.FLOAT, Y_SHAPE),
            helper.make_tensor_value_info("sum:1", TensorProto.FLOAT, Y_SHAPE),
        ],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    path = tmp_path / "model.onnx"
    onnx.save(make_model(), path)
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return (
        rng.standard_normal(X_SHAPE).astype(np.float32),
        rng.standard_normal(Y_SHAPE).astype(np.float32),
    )
