"""aicc-run -t DIR on the device simulator: bit-exact INT8, -n, reports, faults, old bundles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_user_error, edit_bundle_file, run_ok, run_tool
from tiny_cnn_flow import make_flow

from aicc.dialects.aic_tables import AicTables, program_bytes, read_program

OUT = "fc0-activation-0-inf-{}.bin"


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny_cnn compiled all-INT8 with a profile, to `bundle/`, and the reference
    interpreter's outputs for the input list in `ref/` (each test may run alone)."""
    directory = make_flow(tmp_path_factory.mktemp("device"))
    seed = ["-m=model.onnx", "-input-list-file=list.txt"]
    for step in ("-dump-profile=pgq.yaml", "-load-profile=pgq.yaml"):
        result = run_tool("aicc-compile", *seed, step, "-aic-binary-dir=bundle", cwd=directory)
        assert result.returncode == 0, result.stderr
    run(directory, "--reference", "--input-list-file=list.txt", "--write-output-dir=ref")
    return directory


def run(flow: Path, *args: str) -> str:
    return run_ok("aicc-run", "-t", "bundle", *args, cwd=flow)


def outputs(directory: Path, count: int) -> list[np.ndarray]:
    return [np.fromfile(directory / OUT.format(k), dtype="<f4") for k in range(count)]


def test_simulator_equals_reference_bit_for_bit(flow: Path) -> None:
    out = run(flow, "--input-list-file=list.txt", "--write-output-dir=sim")
    assert "running bundle bundle on the simulator (cloud_ai_100, 16 cores)" in out
    sim, ref = outputs(flow / "sim", 4), outputs(flow / "ref", 4)
    for got, want in zip(sim, ref, strict=True):
        assert got.shape == (10,)
        np.testing.assert_array_equal(got, want)
    assert not all(np.array_equal(sim[0], other) for other in sim[1:])  # inputs matter


def test_mixed_fp16_int8_bundle_runs(flow: Path) -> None:
    """conv0/bn0/relu0 in FP16, the rest INT8: within one output quantum of the reference."""
    args = [
        "-m=model.onnx",
        "-input-list-file=list.txt",
        "-node-precision-info=node_precision.yaml",
    ]
    for step in ("-dump-profile=mixed.yaml", "-load-profile=mixed.yaml"):
        run_ok("aicc-compile", *args, step, "-aic-binary-dir=mixed", cwd=flow)
    manifest = json.loads((flow / "mixed" / "manifest.json").read_text())
    quantum = manifest["outputs"][0]["device"]["quant"]["scale"]
    listing = "--input-list-file=list.txt"
    run_ok("aicc-run", "-t", "mixed", listing, "--write-output-dir=msim", cwd=flow)
    run_ok("aicc-run", "-t", "mixed", "--reference", listing, "--write-output-dir=mref", cwd=flow)
    for got, want in zip(outputs(flow / "msim", 4), outputs(flow / "mref", 4), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=quantum)


def test_repeats_report_and_json(flow: Path) -> None:
    text = run(flow, "-i", "in0.npy", "-n", "3", "--report", "--write-output-dir=rep")
    assert re.search(r"cycles", text), text
    (got,) = outputs(flow / "rep", 1)
    (want,) = outputs(flow / "ref", 1)
    np.testing.assert_array_equal(got, want)
    printed = run(
        flow, "-i", "in0.npy", "--report=json", "-report-file=r.json", "-write-output-dir=j"
    )
    report = json.loads(printed)  # stdout holds the report alone
    assert json.loads((flow / "r.json").read_text()) == report
    assert report["total_cycles"] > 0 and report["instruction_count"] > 0
    assert {
        "seconds",
        "nodes",
        "bytes_moved",
        "utilization",
        "conv_roofline_ratio",
    } <= report.keys()
    assert "conv0" in json.dumps(report["nodes"])


def test_wrong_input_size_is_one_line(flow: Path) -> None:
    (flow / "short.bin").write_bytes(b"\0" * 12)
    result = run_tool(
        "aicc-run", "-t", "bundle", "-i", "short.bin", "--write-output-dir=x", cwd=flow
    )
    assert_user_error(result, "short.bin", "12288 bytes", "12 bytes")


def test_report_needs_the_simulator(flow: Path) -> None:
    args = ["-t", "bundle", "--reference", "-i", "in0.npy", "--report", "--write-output-dir=x"]
    result = run_tool("aicc-run", *args, cwd=flow)
    assert result.returncode == 2 and "--report" in result.stderr


def _copy_bundle(flow: Path, name: str) -> Path:
    copy = flow / name
    copy.mkdir(exist_ok=True)
    for path in (flow / "bundle").iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    return copy


def test_out_of_bounds_program_is_one_line(flow: Path) -> None:
    copy = _copy_bundle(flow, "broken")
    tables = read_program(copy / "program.aicb")
    columns = {name: array.copy() for name, array in tables.columns.items()}
    # Move the first scratchpad view far past the 8 MiB scratchpad.
    first = np.flatnonzero(columns["view_space"] == 1)[0]
    columns["view_addr"][first] = 67108864
    edit_bundle_file(copy, "program.aicb", program_bytes(AicTables(columns)))
    result = run_tool("aicc-run", "-t", "broken", "-i", "in0.npy", "--write-output-dir=x", cwd=flow)
    line = assert_user_error(result, "67108864")
    assert "core" in line and "scratchpad" in line


def test_corrupt_program_is_one_line(flow: Path) -> None:
    copy = _copy_bundle(flow, "corrupt")
    data = (copy / "program.aicb").read_bytes()
    edit_bundle_file(copy, "program.aicb", b"MLIR" + data[4:])
    result = run_tool("aicc-run", "-t", "corrupt", "-i", "in0.npy", "-write-output-dir=x", cwd=flow)
    assert_user_error(result, "program.aicb:", "AICB magic")


def test_format_version_1_bundle(flow: Path) -> None:
    copy = _copy_bundle(flow, "v1")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format_version"] = 1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    result = run_tool("aicc-run", "-t", "v1", "-i", "in0.npy", "--write-output-dir=x", cwd=flow)
    assert_user_error(result, "format_version 1", "--reference")
    result = run_tool(
        "aicc-run", "-t", "v1", "--reference", "-i", "in0.npy", "--write-output-dir=v1out", cwd=flow
    )
    assert result.returncode == 0, result.stderr
    (got,) = outputs(flow / "v1out", 1)
    (want,) = outputs(flow / "ref", 1)
    np.testing.assert_array_equal(got, want)


def test_aicc_opt_prints_the_bundle_program(flow: Path) -> None:
    """`aicc-opt DIR` and `aicc-opt DIR/program.aicb` print the same `aic` text, which
    parses back and prints unchanged; the bundle's `model.mlir` reads its constants from
    the bundle's store."""
    from_dir = run_tool("aicc-opt", "bundle", cwd=flow)
    assert from_dir.returncode == 0, from_dir.stderr
    assert "aic.program" in from_dir.stdout and "aic.core" in from_dir.stdout
    (flow / "printed.mlir").write_text(from_dir.stdout)
    again = run_tool("aicc-opt", "printed.mlir", cwd=flow)
    assert again.returncode == 0, again.stderr
    assert again.stdout == from_dir.stdout
    from_file = run_tool("aicc-opt", "bundle/program.aicb", cwd=flow)
    assert from_file.stdout == from_dir.stdout, from_file.stderr
    model = run_tool("aicc-opt", "bundle/model.mlir", cwd=flow)
    assert model.returncode == 0, model.stderr
    missing = run_tool("aicc-opt", "nothing.aicb", cwd=flow)
    assert_user_error(missing, "nothing.aicb")


def test_batch_bundle_feeds_list_lines_per_inference(flow: Path) -> None:
    """-batchsize=2: two list lines (one sample each) per inference; each output file
    holds its inference's two samples, equal bit for bit to the batch-1 outputs."""
    run_ok(
        "aicc-compile",
        "-m=model.onnx",
        "-load-profile=pgq.yaml",
        "-batchsize=2",
        "-aic-binary-dir=batch2",
        cwd=flow,
    )
    manifest = json.loads((flow / "batch2" / "manifest.json").read_text())
    assert manifest["options"]["batchsize"] == 2
    assert manifest["inputs"][0]["shape"][0] == 2
    text = run_ok(
        "aicc-run",
        "-t",
        "batch2",
        "--input-list-file=list.txt",
        "--report",
        "--write-output-dir=b2",
        cwd=flow,
    )
    assert re.search(r"throughput: [\d.]+ inferences/s at the target clock \(batch 2\)", text)
    batched = outputs(flow / "b2", 2)
    assert not (flow / "b2" / OUT.format(2)).exists()
    np.testing.assert_array_equal(np.concatenate(batched), np.concatenate(outputs(flow / "ref", 4)))
    (flow / "three.txt").write_text("".join((flow / "list.txt").read_text().splitlines(True)[:3]))
    result = run_tool(
        "aicc-run", "-t", "batch2", "--input-list-file=three.txt", "--write-output-dir=b3", cwd=flow
    )
    assert result.returncode == 2
    assert "three.txt: lists 3 sample(s), not a multiple of the batch size 2" in result.stderr
