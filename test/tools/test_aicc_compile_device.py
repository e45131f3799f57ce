"""aicc-compile to the device: bundles, -target, -aic-num-cores, the Device column, refusals."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import onnx
import pytest
from conftest import assert_user_error, run_ok, run_tool
from onnx import TensorProto, helper
from tiny_cnn_flow import make_flow

from aicc.base.target import load_target
from aicc.lowering.onnx_to_kernel.support import claimed_precisions, device_precisions
from aicc.pipeline.device import program_op
from aicc.runtime.bundle import read_bundle

FP16 = ["-m=model.onnx", "-convert-to-fp16"]


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_flow(tmp_path_factory.mktemp("compile_device"))


def compile_ok(flow: Path, *args: str) -> str:
    return run_ok("aicc-compile", *args, cwd=flow)


def program_cores(bundle: Path) -> int:
    return program_op(read_bundle(bundle).program()).num_cores


def test_fp16_bundle_is_deterministic(flow: Path) -> None:
    compile_ok(flow, *FP16, "-aic-binary-dir=f1")
    compile_ok(flow, *FP16, "--aic-binary-dir", "f2")
    files = sorted(p.name for p in (flow / "f1").iterdir())
    assert {"manifest.json", "model.mlir", "program.aicb", "target.yaml"} <= set(files)
    for name in files:
        assert (flow / "f1" / name).read_bytes() == (flow / "f2" / name).read_bytes(), name
    manifest = json.loads((flow / "f1" / "manifest.json").read_text())
    assert manifest["options"]["convert_to_fp16"] is True
    assert manifest["inputs"][0]["device"]["quant"] is None
    assert program_cores(flow / "f1") == 16


def test_num_cores_and_target_file(flow: Path) -> None:
    text = load_target().path.read_text().replace("name: cloud_ai_100", "name: my_board")
    (flow / "board.yaml").write_text(text)
    compile_ok(flow, *FP16, "-target=board.yaml", "-aic-num-cores=4", "-aic-binary-dir=c4")
    manifest = json.loads((flow / "c4" / "manifest.json").read_text())
    digest = hashlib.sha256((flow / "board.yaml").read_bytes()).hexdigest()
    assert manifest["target"] == {
        "name": "my_board",
        "file": "board.yaml",
        "sha256": digest,
        "cores": 4,
    }
    assert manifest["options"]["target"] == "board.yaml"
    assert manifest["options"]["aic_num_cores"] == 4
    assert (flow / "c4" / "target.yaml").read_bytes() == (flow / "board.yaml").read_bytes()
    assert program_cores(flow / "c4") == 4


def unsupported_reduction() -> str:
    """A reduction the reference runs in FP32 and the device does not run."""
    for kind in ("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd"):
        if "f32" in claimed_precisions(kind) and not device_precisions(kind):
            return kind
    pytest.skip("the device runs every candidate op kind")


def test_op_the_device_cannot_run_is_refused_at_compile_time(tmp_path: Path) -> None:
    kind = unsupported_reduction()
    graph = helper.make_graph(
        [helper.make_node(kind, ["x"], ["odd0"], name="odd0")],
        "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("odd0", TensorProto.FLOAT, [1, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, tmp_path / "odd.onnx")
    result = run_tool("aicc-compile", "-m=odd.onnx", "-aic-binary-dir=odd", cwd=tmp_path)
    assert_user_error(
        result, "odd.onnx: node 'odd0'", f"onnx.{kind}", "not supported on the device"
    )
    assert result.stdout == ""
    assert not (tmp_path / "odd").exists()
