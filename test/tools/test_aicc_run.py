"""aicc-run as a user runs it: input forms, qaic-runner output files, one-line user errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from conftest import Y_SHAPE, assert_user_error, make_model, run_tool

OUTPUTS = ("relu_0", "sum_1")
Inputs = tuple[np.ndarray, np.ndarray]


def expected(model_path: Path, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    return [np.asarray(a) for a in session.run(None, {"x": x, "y": y})]


def outputs(directory: Path, inference: int = 0) -> list[np.ndarray]:
    files = [directory / f"{name}-activation-0-inf-{inference}.bin" for name in OUTPUTS]
    return [np.fromfile(f, dtype=np.float32).reshape(Y_SHAPE) for f in files]


def save_inputs(tmp_path: Path, inputs: Inputs) -> tuple[Path, Path]:
    """x as .npy, y as a raw little-endian file."""
    x, y = tmp_path / "x.npy", tmp_path / "y.bin"
    np.save(x, inputs[0])
    inputs[1].astype("<f4").tofile(y)
    return x, y


def test_outputs_are_sanitized_raw_files(tmp_path: Path, model_path: Path, inputs: Inputs) -> None:
    x, y = save_inputs(tmp_path, inputs)
    out = tmp_path / "new"
    result = run_tool("aicc-run", model_path, "-i", x, "-i", y, "--write-output-dir", out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "relu_0-activation-0-inf-0.bin",
        "sum_1-activation-0-inf-0.bin",
    ]
    assert (out / "sum_1-activation-0-inf-0.bin").stat().st_size == np.prod(Y_SHAPE) * 4
    for got, want in zip(outputs(out), expected(model_path, *inputs), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_inputs_by_name(tmp_path: Path, model_path: Path, inputs: Inputs) -> None:
    x, y = save_inputs(tmp_path, inputs)
    out = tmp_path / "out"
    result = run_tool(
        "aicc-run", model_path, "-i", f"y={y}", "-i", f"x={x}", "-write-output-dir", out
    )
    assert result.returncode == 0, result.stderr
    for got, want in zip(outputs(out), expected(model_path, *inputs), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_input_list_file(tmp_path: Path, model_path: Path, inputs: Inputs) -> None:
    x, y = save_inputs(tmp_path, inputs)
    y2 = tmp_path / "y2.npy"
    np.save(y2, -inputs[1])
    listing = tmp_path / "list.txt"
    listing.write_text(f"# x, y\n{x.name},{y.name}\n\n{x.name}, {y2.name}\n")
    result = run_tool(
        "aicc-run",
        model_path,
        f"--input-list-file={listing.name}",
        "--write-output-dir",
        "out",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    for inference, y_value in enumerate((inputs[1], -inputs[1])):
        want = expected(model_path, inputs[0], y_value)
        for got, ref in zip(outputs(tmp_path / "out", inference), want, strict=True):
            np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def test_input_list_wrong_count_names_line(
    tmp_path: Path, model_path: Path, inputs: Inputs
) -> None:
    x, y = save_inputs(tmp_path, inputs)
    listing = tmp_path / "list.txt"
    listing.write_text(f"{x},{y}\n# only x:\n{x}\n")
    result = run_tool(
        "aicc-run", model_path, "-input-list-file", listing, "--write-output-dir", tmp_path
    )
    assert_user_error(result, f"{listing}:3:", "1 file(s) listed", "2 input(s) (x, y)")


def test_wrong_size_raw_input(tmp_path: Path, model_path: Path, inputs: Inputs) -> None:
    x, y = save_inputs(tmp_path, inputs)
    y.write_bytes(y.read_bytes()[:-4])
    result = run_tool("aicc-run", model_path, "-i", x, "-i", y, "--write-output-dir", tmp_path)
    needed = int(np.prod(Y_SHAPE)) * 4
    assert_user_error(result, str(y), f"needs {needed} bytes", f"holds {needed - 4} bytes")


def test_wrong_npy_and_missing_file(tmp_path: Path, model_path: Path, inputs: Inputs) -> None:
    x, y = save_inputs(tmp_path, inputs)
    np.save(x, inputs[0].astype(np.float64))
    result = run_tool("aicc-run", model_path, "-i", x, "-i", y, "--write-output-dir", tmp_path)
    assert_user_error(result, str(x), "float64[1,8,8,8]", "input 'x' needs float32[1,8,8,8]")
    np.save(x, inputs[0])
    missing = tmp_path / "missing.bin"
    result = run_tool(
        "aicc-run", model_path, "-i", x, "-i", missing, "--write-output-dir", tmp_path
    )
    assert_user_error(result, str(missing), "No such file")


def test_wrong_input_count_and_unknown_flag(tmp_path: Path, model_path: Path) -> None:
    result = run_tool("aicc-run", model_path, "-i", "a.npy", "--write-output-dir", tmp_path)
    assert_user_error(result, str(model_path), "2 input(s) (x, y)", "-i gives 1")
    result = run_tool("aicc-run", model_path, "-write-output=x", "--write-output-dir", tmp_path)
    assert result.returncode == 2
    assert "unrecognized argument: -write-output=x" in result.stderr


def test_mlir_with_sidecar_runs_like_the_onnx_model(
    tmp_path: Path, model_path: Path, inputs: Inputs
) -> None:
    x, y = save_inputs(tmp_path, inputs)
    mlir = tmp_path / "model.mlir"
    assert run_tool("aicc-opt", model_path, "-o", mlir).returncode == 0
    for source, out in ((model_path, "a"), (mlir, "b")):
        result = run_tool(
            "aicc-run", source, "-i", x, "-i", y, "--write-output-dir", tmp_path / out
        )
        assert result.returncode == 0, result.stderr
    for name in OUTPUTS:
        file = f"{name}-activation-0-inf-0.bin"
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_elided_module_is_refused(tmp_path: Path, model_path: Path) -> None:
    printed = run_tool("aicc-opt", model_path)
    elided = tmp_path / "elided.mlir"
    elided.write_text(printed.stdout)
    result = run_tool("aicc-run", elided, "--write-output-dir", tmp_path)
    assert_user_error(result, str(elided), "constant 'w' was elided")


def test_symbolic_dimension(tmp_path: Path, inputs: Inputs) -> None:
    model = make_model()
    for info in (*model.graph.input, *model.graph.output):
        info.type.tensor_type.shape.dim[0].dim_param = "N"
    path = tmp_path / "symbolic.onnx"
    onnx.save(model, path)
    x, y = save_inputs(tmp_path, inputs)
    result = run_tool("aicc-run", path, "-i", x, "-i", y, "--write-output-dir", tmp_path)
    assert_user_error(result, str(path), "'N'", "-onnx-define-symbol")
    result = run_tool(
        "aicc-run",
        path,
        "-onnx-define-symbol=N,1",
        "-i",
        x,
        "-i",
        y,
        "--write-output-dir",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
