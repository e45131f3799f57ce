"""aicc-opt as a user runs it: one-line user errors, atomic `-o`, the blob sidecar, device steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import assert_user_error, run_tool

from aicc.dialects.context import make_context
from aicc.dialects.ir_io import parse_module
from aicc.frontend.onnx_load import load_module
from aicc.sim.device import load_program
from aicc.sim.reference.interpreter import run_module

INPUTS = Path(__file__).parent / "Inputs"
RELU = (INPUTS / "relu.mlir").read_text()
BAD_RETURN = RELU.replace("-> (tensor<2x3xf32> {onnx", "-> (tensor<2x4xf32> {onnx")
BAD_CONV = (INPUTS / "bad_conv.mlir").read_text()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_parse_error_is_one_line_with_line_and_column(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.mlir", RELU.replace("onnx.Relu(%x)", "onnx.Relu(%x ?)"))
    line = assert_user_error(run_tool("aicc-opt", bad), f"{bad}:2:")
    assert line.split(f"{bad}:2:")[1].split(":")[0].isdigit(), line
    # With --split-input-file the line counts from the start of the file, not the chunk.
    split = write(tmp_path / "split.mlir", f"{RELU}// -----\n{bad.read_text()}")
    assert_user_error(run_tool("aicc-opt", "--split-input-file", split), f"{split}:7:")


def test_verifier_failure_names_file_and_op(tmp_path: Path) -> None:
    bad = write(tmp_path / "ret.mlir", BAD_RETURN)
    assert_user_error(run_tool("aicc-opt", bad), str(bad), "func.return", "tensor<2x4xf32>")


def test_onnx_verifier_failure_names_first_output(tmp_path: Path) -> None:
    bad = write(tmp_path / "conv.mlir", BAD_CONV)
    assert_user_error(run_tool("aicc-opt", bad), str(bad), "conv7")


def test_verify_diagnostics_keeps_xdsl_behaviour(tmp_path: Path) -> None:
    bad = write(tmp_path / "ret.mlir", BAD_RETURN)
    result = run_tool("aicc-opt", "--verify-diagnostics", bad)
    assert result.returncode == 0, result.stderr
    assert "Expected arguments to have the same types" in result.stdout


def test_corrupt_onnx(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.onnx"
    bad.write_bytes(b"\x0a\xff\xff\xff\xffgarbage")
    assert_user_error(run_tool("aicc-opt", bad), str(bad), "not a valid ONNX file")


@pytest.mark.parametrize(
    ("spec", "needle"),
    [("nosuch-pass", "nosuch-pass"), ("canonicalize,,dce", "column 14"), ("dce{x=1}", "x")],
)
def test_bad_pipeline(tmp_path: Path, spec: str, needle: str) -> None:
    good = write(tmp_path / "ok.mlir", RELU)
    assert_user_error(run_tool("aicc-opt", "-p", spec, good), f"-p '{spec}'", needle)


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mlir"
    assert_user_error(run_tool("aicc-opt", missing), str(missing), "No such file")
    odd = write(tmp_path / "model.txt", RELU)
    assert_user_error(run_tool("aicc-opt", odd), str(odd), "unknown input file extension '.txt'")


@pytest.mark.parametrize("flag", ["-target=x", "-onnx-define=N,1", "--outp=x"])
def test_unknown_or_misspelt_flag(tmp_path: Path, flag: str) -> None:
    result = run_tool("aicc-opt", flag, write(tmp_path / "ok.mlir", RELU))
    assert result.returncode == 2
    assert "unrecognized argument" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_output(tmp_path: Path) -> None:
    out = tmp_path / "no" / "dir" / "out.mlir"
    result = run_tool("aicc-opt", write(tmp_path / "ok.mlir", RELU), "-o", out)
    assert_user_error(result, str(out), "cannot write")


def test_failing_run_leaves_output_untouched(tmp_path: Path) -> None:
    src = write(tmp_path / "in.mlir", f"{RELU}// -----\n{BAD_RETURN}")
    out = write(tmp_path / "out.mlir", "previous content\n")
    assert_user_error(run_tool("aicc-opt", "--split-input-file", src, "-o", out), str(src))
    assert out.read_text() == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mlir", "out.mlir"]


def test_split_input_file_with_output(tmp_path: Path) -> None:
    src = write(tmp_path / "in.mlir", f"{RELU}// -----\n{RELU}")
    out = tmp_path / "out.mlir"
    result = run_tool("aicc-opt", "--split-input-file", src, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text().count("builtin.module") == 2
    assert "// -----" in out.read_text()


def test_sidecar_round_trip(tmp_path: Path, model_path: Path) -> None:
    out, out2 = tmp_path / "out.mlir", tmp_path / "out2.mlir"
    assert run_tool("aicc-opt", model_path, "-o", out).returncode == 0
    text = out.read_text()
    assert "__sidecar__" in text
    assert (tmp_path / "out.mlir.npz").exists()
    assert run_tool("aicc-opt", out, "-o", out2).returncode == 0
    assert out2.read_text() == text
    printed = run_tool("aicc-opt", out)
    assert printed.returncode == 0, printed.stderr
    assert "__elided__" in printed.stdout


def test_device_steps_from_onnx_run_on_the_simulator(
    tmp_path: Path, model_path: Path, inputs: tuple[np.ndarray, np.ndarray]
) -> None:
    """Each device step alone, file to file (weights in sidecars); the program runs."""
    steps = ("lower-onnx-to-kernel", "plan-memory", "lower-kernel-to-aic{num_cores=3}")
    source = model_path
    for index, step in enumerate(steps):
        out = tmp_path / f"level{index}.mlir"
        result = run_tool("aicc-opt", source, "-p", step, "-o", out)
        assert result.returncode == 0, result.stderr
        source = out
    module = parse_module(make_context(), source.read_text(), source)
    outputs, report = load_program(module).run({"x": inputs[0], "y": inputs[1]})
    want = run_module(load_module(model_path, {}), list(inputs))
    for name, expected in zip(("relu/0", "sum:1"), want, strict=True):
        np.testing.assert_allclose(outputs[name], expected, rtol=1e-5, atol=1e-6)
    assert report.cores == 3
