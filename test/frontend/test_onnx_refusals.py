"""aicc-opt refuses unsafe or unsupported ONNX files with one line and exit status 2."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["aicc-opt", str(path)], capture_output=True, text=True, timeout=120)


def _assert_refused(path: Path, *words: str) -> None:
    result = _run(path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def _model(
    nodes: list[onnx.NodeProto],
    initializers: list[TensorProto] = (),  # type: ignore[assignment]
    x_dims: list[int | str] = [4],  # noqa: B006
    opset: int = 17,
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, x_dims)],
        list(initializers),
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


def _bare_tensor(name: str, dims: list[int], values: list[float] = []) -> TensorProto:  # noqa: B006
    """A float tensor with exactly the given fields; make_tensor would validate them."""
    tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=dims)
    tensor.float_data.extend(values)
    return tensor


def _add_w(w: TensorProto) -> onnx.ModelProto:
    return _model([helper.make_node("Add", ["x", "w"], ["y"], name="add0")], [w])


def test_unsupported_op(tmp_path: Path) -> None:
    path = tmp_path / "erf.onnx"
    onnx.save(_model([helper.make_node("Erf", ["x"], ["y"], name="erf0")]), path)
    _assert_refused(path, "erf0", "Erf", "not supported")


def test_truncated_file(tmp_path: Path) -> None:
    w = numpy_helper.from_array(np.arange(4096, dtype=np.float32), "w")
    data = _add_w(w).SerializeToString()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[: len(data) // 2])
    _assert_refused(path, "truncated or corrupt")


@pytest.mark.parametrize("location", ["../secret.bin", "/etc/passwd", "link.bin"])
def test_external_data_outside_the_folder(tmp_path: Path, location: str) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.ones(4, dtype=np.float32).tobytes())
    (folder / "link.bin").symlink_to(secret)
    w = _bare_tensor("w", [4])
    w.data_location = TensorProto.EXTERNAL
    w.external_data.add(key="location", value=location)
    path = folder / "escape.onnx"
    onnx.save(_add_w(w), path)
    _assert_refused(path, f"'{location}'", "outside the model's folder")


def test_external_data_inside_the_folder_loads(tmp_path: Path) -> None:
    (tmp_path / "w.bin").write_bytes(np.arange(4, dtype=np.float32).tobytes())
    w = _bare_tensor("w", [4])
    w.data_location = TensorProto.EXTERNAL
    w.external_data.add(key="location", value="w.bin")
    path = tmp_path / "inside.onnx"
    onnx.save(_add_w(w), path)
    result = _run(path)
    assert result.returncode == 0, result.stderr
    assert "dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00]>" in result.stdout


@pytest.mark.parametrize(
    ("dims", "words"),
    [([1 << 20, 1 << 20, 1 << 10], ("'w'", "memory")), ([1 << 40, 1 << 40], ("'w'", "overflows"))],
)
def test_huge_declared_tensor(tmp_path: Path, dims: list[int], words: tuple[str, ...]) -> None:
    w = _bare_tensor("w", dims)
    path = tmp_path / "huge.onnx"
    onnx.save(_add_w(w), path)
    _assert_refused(path, *words)


def test_inline_data_of_the_wrong_size(tmp_path: Path) -> None:
    w = _bare_tensor("w", [4], [1.0, 2.0])
    path = tmp_path / "short.onnx"
    onnx.save(_add_w(w), path)
    _assert_refused(path, "'w'", "holds 2 values", "need 4")


def test_symbolic_dimension_unset(tmp_path: Path) -> None:
    path = tmp_path / "symbolic.onnx"
    onnx.save(_model([helper.make_node("Relu", ["x"], ["y"])], x_dims=["N", 4]), path)
    _assert_refused(path, "'x'", "'N'", "-onnx-define-symbol")


@pytest.mark.parametrize(
    ("node", "words"),
    [
        (
            helper.make_node("Cast", ["x"], ["y"], name="c0", to=TensorProto.STRING),
            ("c0", "STRING"),
        ),
        (
            helper.make_node("Cast", ["x"], ["y"], name="c1", to=TensorProto.FLOAT8E4M3FN),
            ("c1", "FLOAT8E4M3FN"),
        ),
        (
            helper.make_node("Resize", ["x", "", "s"], ["y"], name="r0", mode="linear"),
            ("r0", "'linear'"),
        ),
    ],
)
def test_unsupported_forms(tmp_path: Path, node: onnx.NodeProto, words: tuple[str, ...]) -> None:
    scales = numpy_helper.from_array(np.array([2.0], dtype=np.float32), "s")
    path = tmp_path / "form.onnx"
    onnx.save(_model([node], [scales]), path)
    _assert_refused(path, *words)


def test_output_without_shape_is_a_warning(tmp_path: Path) -> None:
    model = _model([helper.make_node("Relu", ["x"], ["y"], name="relu0")])
    model.graph.output[0].type.tensor_type.ClearField("shape")
    path = tmp_path / "untyped.onnx"
    onnx.save(model, path)
    result = _run(path)
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "'y'" in result.stderr
    assert '-> (tensor<4xf32> {onnx.name = "y"})' in result.stdout
