"""Bundle format_version 4: files, manifest, edges, determinism, the binary program and
its shared constants, and format_version 3 and 1 bundles."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import numpy as np
import onnx
import pytest

from aicc.api import (
    CompileConfig,
    QuantizationConfig,
    compile,
    dump_profile,
    load_target,
    lower_to_device,
    write_bundle,
)
from aicc.base.errors import UserError
from aicc.base.int8 import dequantize, quantize
from aicc.dialects.aic_tables import TableReader, encode, read_program, tables_module
from aicc.dialects.graph import Port
from aicc.dialects.ir_io import module_text, npz_bytes, save_module
from aicc.frontend.models import tiny_cnn
from aicc.pipeline.device import device_io, program_op
from aicc.runtime.bundle import Edge, read_bundle

X_SHAPE = (1, 3, 32, 32)


@pytest.fixture(scope="module")
def int8_config(tmp_path_factory: pytest.TempPathFactory) -> CompileConfig:
    """tiny_cnn, all INT8, with a profile of three random inputs."""
    directory = tmp_path_factory.mktemp("int8")
    onnx.save(tiny_cnn(), directory / "model.onnx")
    rng = np.random.default_rng(5)
    names = []
    for index in range(3):
        names.append(str(directory / f"in{index}.npy"))
        np.save(names[-1], rng.standard_normal(X_SHAPE).astype(np.float32))
    (directory / "list.txt").write_text("\n".join(names) + "\n")
    config = CompileConfig(directory / "model.onnx", input_list=directory / "list.txt")
    dump_profile(config, directory / "pgq.yaml")
    return CompileConfig(
        directory / "model.onnx", QuantizationConfig(profile=directory / "pgq.yaml")
    )


@pytest.fixture(scope="module")
def bundle_dir(int8_config: CompileConfig, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bundle") / "b"
    write_bundle(compile(int8_config), directory)
    return directory


def test_bundle_files_and_manifest(bundle_dir: Path) -> None:
    assert sorted(p.name for p in bundle_dir.iterdir()) == [
        "constants.npz",
        "manifest.json",
        "model.mlir",
        "program.aicb",
        "target.yaml",
    ]
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    assert manifest["format_version"] == 4
    assert sorted(manifest["files"]) == [
        "constants.npz", "model.mlir", "program.aicb", "target.yaml"
    ]  # fmt: skip
    assert manifest["executable"] == "aic-simulator"
    assert manifest["target"]["name"] == "cloud_ai_100"
    assert manifest["target"]["cores"] == 16
    assert manifest["options"]["target"] is None
    (x,) = manifest["inputs"]
    assert (x["name"], x["shape"], x["dtype"]) == ("input", list(X_SHAPE), "float32")
    assert x["device"]["dtype"] == "int8" and x["device"]["shape"] == list(X_SHAPE)
    quant = x["device"]["quant"]
    assert quant["scale"] > 0 and (quant["qmin"], quant["qmax"]) == (-128, 127)
    assert quant["axis"] is None
    program = manifest["program"]
    assert program["file"] == "program.aicb"
    assert program["instructions"] > 0
    assert 0 < program["peak_activation_bytes"] <= program["ddr_bytes"]


def test_program_round_trips_and_shares_the_model_constants(
    int8_config: CompileConfig, bundle_dir: Path
) -> None:
    module = read_bundle(bundle_dir).program()
    text = module_text(module, elide_over=None)
    assert "aic.program" in text and "aic.core" in text and "__elided__" not in text
    assert text == module_text(compile(int8_config).program, elide_over=None)
    tables, constants = encode(module)
    assert module_text(tables_module(tables, constants.get), elide_over=None) == text
    refs = TableReader(read_program(bundle_dir / "program.aicb")).constants()
    stored = set(np.load(bundle_dir / "constants.npz").keys())
    shared = [ref for ref in refs if ref.perm is not None]
    assert shared and all(ref.store in stored for ref in refs)
    assert all(ref.key != ref.store for ref in shared)  # a weight in the model's layout


def test_format_version_3_bundle_still_runs(
    int8_config: CompileConfig, bundle_dir: Path, tmp_path: Path
) -> None:
    """The text program and `.npz` sidecars of format_version 3, hashed in the manifest."""
    compiled = compile(int8_config)
    old = tmp_path / "v3"
    old.mkdir()
    save_module(compiled.module, old / "model.mlir")
    save_module(compiled.program, old / "program.mlir")
    (old / "target.yaml").write_bytes((bundle_dir / "target.yaml").read_bytes())
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    manifest["format_version"] = 3
    manifest["program"]["file"] = "program.mlir"
    manifest["files"] = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in old.iterdir()
    }
    (old / "manifest.json").write_text(json.dumps(manifest))
    x = np.random.default_rng(4).standard_normal(X_SHAPE).astype(np.float32)
    (got,), report = read_bundle(old).executable().run([x])
    (want,), expected = read_bundle(bundle_dir).executable().run([x])
    np.testing.assert_array_equal(got, want)
    assert report.total_cycles == expected.total_cycles


def test_same_inputs_give_byte_identical_bundles(
    int8_config: CompileConfig, bundle_dir: Path, tmp_path: Path
) -> None:
    time.sleep(2.1)  # zip dates have two-second resolution: a clock-stamped archive would differ
    write_bundle(compile(int8_config), tmp_path / "again")
    for path in bundle_dir.iterdir():
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name


def test_npz_bytes_load_and_do_not_depend_on_order() -> None:
    arrays = {"b": np.arange(6, dtype=np.int8).reshape(2, 3), "a": np.ones(3, np.float16)}
    data = npz_bytes(arrays)
    assert data == npz_bytes(dict(reversed(arrays.items())))
    loaded = np.load(io.BytesIO(data))
    for key, array in arrays.items():
        np.testing.assert_array_equal(loaded[key], array)
        assert loaded[key].dtype == array.dtype
    dates = {info.date_time for info in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert dates == {(1980, 1, 1, 0, 0, 0)}


def test_edges_quantize_and_dequantize_as_integer_semantics() -> None:
    quant = {"scale": 0.05, "zero_point": -3, "axis": None, "qmin": -128, "qmax": 127}
    edge = Edge(Port("x", (2, 5), np.dtype(np.float32)), np.dtype(np.int8), quant | {
        "expressed": "float32"
    })  # fmt: skip
    x = np.linspace(-8, 8, 10, dtype=np.float32).reshape(2, 5)
    q = edge.to_device(x)
    np.testing.assert_array_equal(q, quantize(x, 0.05, -3, np.int8))
    assert q.dtype == np.int8 and q.min() == -128 and q.max() == 127
    back = edge.to_host(q)
    np.testing.assert_array_equal(back, dequantize(q, 0.05, -3))
    assert back.dtype == np.float32


def test_float_edge_converts_only() -> None:
    edge = Edge(Port("y", (3,), np.dtype(np.float32)), np.dtype(np.float16), None)
    y = np.array([1.0, 2.5, 1e-4], np.float32)
    assert edge.to_device(y).dtype == np.float16
    assert edge.to_host(edge.to_device(y)).dtype == np.float32


def _with_version(bundle_dir: Path, tmp_path: Path, version: object) -> Path:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in bundle_dir.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format_version"] = version
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


def test_format_version_1_runs_only_on_the_reference(bundle_dir: Path, tmp_path: Path) -> None:
    copy = _with_version(bundle_dir, tmp_path, 1)
    (copy / "constants.npz").rename(copy / "model.mlir.npz")  # format_version 1's sidecar
    bundle = read_bundle(copy)
    assert bundle.model().ops.first is not None
    with pytest.raises(UserError, match=r"format_version 1 holds no device program.*--reference"):
        bundle.program()


@pytest.mark.parametrize("version", [5, None, "2", True])
def test_unknown_format_version_is_refused(
    bundle_dir: Path, tmp_path: Path, version: object
) -> None:
    with pytest.raises(UserError, match="manifest.json: bundle format_version .* recompile"):
        read_bundle(_with_version(bundle_dir, tmp_path, version))


def test_missing_manifest_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="manifest.json: cannot read"):
        read_bundle(tmp_path)


def test_bundle_executable_equals_reference_bit_for_bit(
    int8_config: CompileConfig, bundle_dir: Path
) -> None:
    compiled = compile(int8_config)
    executable = read_bundle(bundle_dir).executable()
    assert [port.name for port in executable.inputs] == ["input"]
    rng = np.random.default_rng(9)
    for _ in range(2):
        x = rng.standard_normal(X_SHAPE).astype(np.float32)
        (got,), report = executable.run([x])
        (want,) = compiled.run([x])
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)
    assert report.total_cycles > 0


def test_lower_to_device_in_memory_on_fewer_cores(
    int8_config: CompileConfig, bundle_dir: Path
) -> None:
    compiled = compile(int8_config)
    before = module_text(compiled.module)
    program = lower_to_device(compiled.module, load_target(num_cores=2))
    assert module_text(compiled.module) == before  # the passes ran on a clone
    assert program_op(program).num_cores == 2
    bundled = read_bundle(bundle_dir).program()
    assert program_op(bundled).num_cores == 16
    assert device_io(program) == device_io(bundled)
