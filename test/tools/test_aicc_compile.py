"""aicc-compile as the seed runs it: dump, load, merge, bundle, and one-line user errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import assert_user_error, run_ok, run_tool
from tiny_cnn_flow import make_flow, write_inputs

from aicc.lowering.onnx_to_kernel.support import device_precisions
from aicc.pipeline.op_support import op_kinds

SEED = ["-m=model.onnx", "-input-list-file=list.txt", "-node-precision-info=node_precision.yaml"]


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's step 1, done once: pgq.yaml next to the model and its inputs."""
    directory = make_flow(tmp_path_factory.mktemp("flow"))
    result = run_tool("aicc-compile", *SEED, "-dump-profile=pgq.yaml", cwd=directory)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Quantization Profile is being generated."
    assert result.stdout.splitlines()[-1] == "Quantization profile is dumped at pgq.yaml"
    return directory


def compile_ok(flow: Path, *args: str) -> str:
    return run_ok("aicc-compile", *args, cwd=flow)


def test_profile_is_deterministic(flow: Path) -> None:
    compile_ok(flow, *SEED, "-dump-profile=again.yaml")
    assert (flow / "again.yaml").read_bytes() == (flow / "pgq.yaml").read_bytes()


def test_load_reports_int8_and_accuracy_and_bundle_is_deterministic(flow: Path) -> None:
    first = compile_ok(flow, *SEED, "-load-profile=pgq.yaml", "-aic-binary-dir=b1")
    compile_ok(flow, *SEED, "-load-profile=pgq.yaml", "-aic-binary-dir=b2")
    lines = first.splitlines()
    assert lines[0] == "Model is compiled with Int8 precision using PGQ."
    accuracy = [line for line in lines if line.strip().startswith("output 'fc0' vs FP32:")]
    assert len(accuracy) == 1 and "cosine" in accuracy[0] and "SQNR" in accuracy[0]
    files = sorted(p.name for p in (flow / "b1").iterdir())
    assert {"manifest.json", "model.mlir", "program.aicb", "target.yaml"} <= set(files)
    for name in files:
        assert (flow / "b1" / name).read_bytes() == (flow / "b2" / name).read_bytes(), name


def test_default_bundle_dir_is_model_stem(flow: Path) -> None:
    out = compile_ok(flow, *SEED, "-load-profile=pgq.yaml")
    assert "Bundle written to model-bundle" in out
    assert (flow / "model-bundle" / "manifest.json").is_file()


def test_merged_shards_equal_one_dump(flow: Path) -> None:
    """Shards of the list shuffled, merged in another order: the same bytes as one dump."""
    names = write_inputs(flow, 4, seed=23, prefix="shard")
    (flow / "a.txt").write_text(f"{names[2]}\n{names[0]}\n")
    (flow / "b.txt").write_text(f"{names[3]}\n{names[1]}\n")
    (flow / "ab.txt").write_text("\n".join(names) + "\n")
    base = ["-m=model.onnx", "-node-precision-info=node_precision.yaml"]
    compile_ok(flow, *base, "-input-list-file=a.txt", "-dump-profile=a.yaml")
    compile_ok(flow, *base, "-input-list-file=b.txt", "-dump-profile=b.yaml")
    compile_ok(flow, *base, "-input-list-file=ab.txt", "-dump-profile=ab.yaml")
    compile_ok(flow, "-merge-profiles=b.yaml,a.yaml", "-dump-profile=all.yaml")
    assert (flow / "all.yaml").read_bytes() == (flow / "ab.yaml").read_bytes()


def test_profile_of_other_node_precision_info_is_refused(flow: Path) -> None:
    (flow / "other.yaml").write_text("FP16NodeInstanceNames: [relu1]\n")
    args = ["-m=model.onnx", "-input-list-file=list.txt", "-node-precision-info=other.yaml"]
    result = run_tool("aicc-compile", *args, "-load-profile=pgq.yaml", cwd=flow)
    assert_user_error(
        result,
        "FP16NodeInstanceNamesHash",
        "model quantization profile needs to be generated with -node-precision-info",
    )


@pytest.mark.parametrize("flag", ["-targets=x", "-load-profil=pgq.yaml"])
def test_unknown_flag_is_refused_not_split(flow: Path, flag: str) -> None:
    result = run_tool("aicc-compile", *SEED, flag, cwd=flow)
    assert result.returncode == 2
    assert f"unrecognized argument: {flag}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("flags", "needles"),
    [
        (["-aic-num-cores=17"], ["-aic-num-cores=17", "must be 1..16"]),
        (["--aic-num-cores", "0"], ["-aic-num-cores=0", "must be 1..16"]),
        (["-target=missing.yaml"], ["missing.yaml"]),
        (["--target", "list.txt", "-aic-num-cores=2"], ["list.txt"]),
    ],
)
def test_bad_target_flags_fail_before_compiling(
    flow: Path, flags: list[str], needles: list[str]
) -> None:
    result = run_tool("aicc-compile", *SEED, "-load-profile=pgq.yaml", *flags, cwd=flow)
    assert_user_error(result, *needles)


@pytest.mark.parametrize(
    ("yaml", "needles"),
    [
        ("FP16NodeInstanceNames: [relu9]\n", ["relu9", "relu0"]),
        ("FP32NodeInstanceNames: [relu0]\n", ["keep-original-precision-for-nodes"]),
    ],
)
def test_bad_node_precision_info(flow: Path, yaml: str, needles: list[str]) -> None:
    (flow / "bad.yaml").write_text(yaml)
    args = ["-m=model.onnx", "-input-list-file=list.txt", "-node-precision-info=bad.yaml"]
    result = run_tool("aicc-compile", *args, "-dump-profile=x.yaml", cwd=flow)
    assert_user_error(result, "bad.yaml", *needles)


def test_bad_input_size_names_file_and_sizes(flow: Path) -> None:
    (flow / "short.bin").write_bytes(b"\0" * 100)
    (flow / "short.txt").write_text("short.bin\n")
    args = ["-m=model.onnx", "-input-list-file=short.txt", "-dump-profile=x.yaml"]
    result = run_tool("aicc-compile", *args, cwd=flow)
    assert_user_error(result, "short.txt:1", "short.bin", "12288 bytes", "100 bytes")


def test_operators_supported_table() -> None:
    result = run_tool("aicc-compile", "-operators-supported")
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header == ["op", "kind", "FP32", "FP16", "INT8", "Device"]
    rows = {line.split()[0]: line.split()[1:4] for line in result.stdout.splitlines()[2:]}
    assert rows["Conv"] == ["yes", "yes", "yes"]
    assert rows["Abs"] == ["yes", "yes", "-"]
    devices = {line.split()[0]: line.split()[4] for line in result.stdout.splitlines()[2:]}
    assert devices["Conv"] == "FP32,FP16,INT8"
    for kind in op_kinds():
        assert (devices[kind] == "-") == (not device_precisions(kind)), kind


def test_time_passes_prints_every_pass_and_the_bundle_write(flow: Path) -> None:
    """-time-passes: one row per step on stderr, in order, adding up to the total."""
    result = run_tool(
        "aicc-compile",
        *SEED,
        "-load-profile=pgq.yaml",
        "-time-passes",
        "-aic-binary-dir=tp",
        cwd=flow,
    )
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"^\s+(\d+\.\d{4}) \(\s*[\d.]+%\)  (\S+)$", result.stderr, re.MULTILINE)
    names = [name for _, name in rows]
    for step in ("import", "quantize", "lower-onnx-to-kernel", "lower-kernel-to-aic"):
        assert step in names
    assert names.index("quantize") < names.index("lower-kernel-to-aic")
    assert names[-2:] == ["write-bundle", "Total"]
    seconds = [float(s) for s, _ in rows]
    assert abs(sum(seconds[:-1]) - seconds[-1]) < 1e-3 * len(seconds)
    assert "Total Execution Time" in result.stderr
