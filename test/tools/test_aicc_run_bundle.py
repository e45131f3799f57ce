"""aicc-run on a compiled bundle's high-level IR (-t DIR --reference) and --compare."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import run_tool
from tiny_cnn_flow import make_flow

from aicc.api import CompileConfig, QuantizationConfig, compile

PRECISION = ["-node-precision-info=node_precision.yaml", "-load-profile=pgq.yaml"]


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = make_flow(tmp_path_factory.mktemp("bundle"))
    seed = [
        "-m=model.onnx",
        "-input-list-file=list.txt",
        "-node-precision-info=node_precision.yaml",
    ]
    for step in ("-dump-profile=pgq.yaml", "-load-profile=pgq.yaml"):
        result = run_tool("aicc-compile", *seed, step, cwd=directory)
        assert result.returncode == 0, result.stderr
    return directory


def test_bundle_outputs_equal_compiled_model(flow: Path) -> None:
    result = run_tool(
        "aicc-run", "-t", "model-bundle", "--reference", "--input-list-file=list.txt",
        "--write-output-dir", "out", cwd=flow,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("running bundle model-bundle on the reference interpreter") == 1
    config = CompileConfig(
        flow / "model.onnx",
        QuantizationConfig(flow / "node_precision.yaml", profile=flow / "pgq.yaml"),
    )
    compiled = compile(config)
    names = (flow / "list.txt").read_text().split()
    for index, name in enumerate(names):
        (want,) = compiled.run([np.load(flow / name)])
        got = np.fromfile(flow / "out" / f"fc0-activation-0-inf-{index}.bin", dtype="<f4")
        assert want.dtype == np.float32
        np.testing.assert_array_equal(got, want.reshape(-1))


def test_compare_lists_every_tensor_and_marks_one(flow: Path) -> None:
    result = run_tool(
        "aicc-run", "model.onnx", "--compare", *PRECISION, "-i", "in0.npy",
        "--compare-threshold=100", cwd=flow,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows: dict[str, str] = {}
    for line in result.stdout.splitlines():
        rows.setdefault(line.split()[0], line)  # the table comes before the FP16 trials
    for name in ("input", "bn0", "relu0", "bn1", "add0", "pool0", "gap0", "flatten0", "fc0"):
        assert "SQNR" in rows[name], name
    assert "fused into bn1" in rows["conv1"]
    assert " f16 " in rows["bn0"] and " i8 " in rows["bn1"]
    marked = [line for line in result.stdout.splitlines() if "<-- first below threshold" in line]
    # bn0 and relu0 run in FP16 (about 69 dB), so the first tensor below 100 dB is bn0.
    assert len(marked) == 1 and marked[0].startswith("bn0 ")
    assert "add to FP16NodeInstanceNames: [" in result.stdout


def test_compare_threshold_can_mark_nothing(flow: Path) -> None:
    result = run_tool(
        "aicc-run", "model.onnx", "--compare", "-convert-to-fp16", "-i", "in0.npy",
        "--compare-threshold=10", cwd=flow,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "<-- first below threshold" not in result.stdout
    assert "every tensor is at or above 10 dB SQNR" in result.stdout
