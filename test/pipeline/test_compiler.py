"""The compile driver: FP16 overflow while profiling, IR dumps between passes."""

import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from aicc.api import CompileConfig, QuantizationConfig, dump_profile
from aicc.base.errors import UserError


def _scaling_model(path: Path, scale: float) -> None:
    """x -> big = x * scale -> out = big / scale: with scale 1e5, `big` overflows FP16."""
    nodes = [
        helper.make_node("Mul", ["x", "k"], ["big"], name="big"),
        helper.make_node("Mul", ["big", "k_inv"], ["out"], name="out"),
    ]
    graph = helper.make_graph(
        nodes,
        "scaling",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 4])],
        [
            numpy_helper.from_array(np.array(scale, np.float32), "k"),
            numpy_helper.from_array(np.array(1 / scale, np.float32), "k_inv"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def _config(tmp_path: Path, fp16: str, scale: float = 1e5) -> CompileConfig:
    _scaling_model(tmp_path / "m.onnx", scale)
    np.save(tmp_path / "x.npy", np.ones((1, 4), np.float32))
    (tmp_path / "list.txt").write_text(f"{tmp_path / 'x.npy'}\n")
    (tmp_path / "np.yaml").write_text(f"FP16NodeInstanceNames: [{fp16}]\n")
    return CompileConfig(
        tmp_path / "m.onnx",
        QuantizationConfig(node_precision_info=tmp_path / "np.yaml"),
        input_list=tmp_path / "list.txt",
    )


def test_fp16_overflow_while_profiling_names_the_tensor_and_the_fix(tmp_path: Path) -> None:
    config = _config(tmp_path, "big")
    with pytest.raises(UserError, match="tensor 'big' overflows to Inf in FP16") as error:
        dump_profile(config, tmp_path / "pgq.yaml")
    assert "remove 'big' from FP16NodeInstanceNames" in str(error.value)
    assert "list.txt:1" in str(error.value)
    assert not (tmp_path / "pgq.yaml").exists()


def test_fp16_within_range_profiles_fp16_values(tmp_path: Path) -> None:
    config = _config(tmp_path, "big", scale=1e3 + 0.25)
    result = dump_profile(config, tmp_path / "pgq.yaml")
    # FP16 kernels round: 1000.25 is not a float16, 1000.0 is.
    assert result.profile.tensors["big"].max == 1000.0


def test_print_ir_after_all_dumps_each_pass(tmp_path: Path) -> None:
    config = _config(tmp_path, "out", scale=2.0)
    result = subprocess.run(
        [
            "aicc-compile",
            f"-m={config.model}",
            "-print-ir-after-all",
            f"-aic-binary-dir={tmp_path / 'b'}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in (
        "constant-fold-reference",
        "annotate-precision",
        "fuse-conv-bn",
        "quantize",
        "insert-precision-casts",
        "lower-onnx-to-kernel",
        "plan-memory",
        "lower-kernel-to-aic",
    ):
        assert f"// -----// IR Dump After {name} //----- //" in result.stderr
    assert 'aicc.precision = "f32"' in result.stderr
    assert "kernel.alloc" in result.stderr and "aic.program" in result.stderr
