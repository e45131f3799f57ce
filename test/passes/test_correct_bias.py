"""`correct-bias` (`-quantization-bias-correction`): INT8 outputs keep the FP32 means."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from aicc.api import CompileConfig, QuantizationConfig, compile, dump_profile
from aicc.base.errors import UserError
from aicc.base.options import manifest_options


def _model(
    node: onnx.NodeProto, x_shape: list[int], w: np.ndarray, y_shape: list[int]
) -> onnx.ModelProto:
    b = np.zeros(w.shape[0], np.float32)
    graph = helper.make_graph(
        [node],
        "bias",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _gemm() -> onnx.ModelProto:
    # Weights just above half a quantization step round the same way in every row: a
    # systematic error that inputs with a large mean turn into an output offset.
    rng = np.random.default_rng(0)
    w = (np.round(rng.uniform(-20, 20, (4, 16))) + 0.45).astype(np.float32) / 20
    node = helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="y", transB=1)
    return _model(node, [1, 16], w, [1, 4])


def _grouped_conv() -> onnx.ModelProto:
    rng = np.random.default_rng(1)
    w = (np.round(rng.uniform(-20, 20, (4, 2, 3, 3))) + 0.45).astype(np.float32) / 20
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="y", group=2, pads=[1] * 4)
    return _model(node, [1, 4, 6, 6], w, [1, 4, 6, 6])


def _inputs(shape: list[int], count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    # Channel means far from 0, and different per channel.
    means = np.arange(1, shape[1] + 1, dtype=np.float32).reshape([1, -1] + [1] * (len(shape) - 2))
    return [(rng.standard_normal(shape) * 0.2 + means).astype(np.float32) for _ in range(count)]


def _mean_error(tmp_path: Path, model: onnx.ModelProto, correct: bool) -> float:
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    path = tmp_path / "model.onnx"
    onnx.save(model, path)
    names = []
    for index, x in enumerate(_inputs(shape, 8, seed=0)):
        names.append(str(tmp_path / f"x{index}.npy"))
        np.save(names[-1], x)
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(names) + "\n")
    profile = tmp_path / "pgq.yaml"
    dump_profile(
        CompileConfig(path, QuantizationConfig(bias_correction=True), input_list=listing), profile
    )
    quantization = QuantizationConfig(profile=profile, bias_correction=correct)
    compiled = compile(CompileConfig(path, quantization))
    reference = compile(CompileConfig(path))
    held_out = _inputs(shape, 8, seed=1)
    errors = [compiled.run([x])[0] - reference.run([x])[0] for x in held_out]
    # Interior of a Conv output only: the padding makes the border's mean differ.
    error = np.stack(errors)
    if error.ndim == 5:
        error = error[..., 1:-1, 1:-1]
    return float(np.abs(error.mean(axis=tuple(i for i in range(error.ndim) if i != 2))).max())


@pytest.mark.parametrize("model", [_gemm, _grouped_conv], ids=["gemm", "grouped-conv"])
def test_bias_correction_removes_the_mean_output_error(
    tmp_path: Path, model: Callable[[], onnx.ModelProto]
) -> None:
    m = model()
    before = _mean_error(tmp_path, m, correct=False)
    after = _mean_error(tmp_path, m, correct=True)
    # What stays is the activations' own rounding, which no bias absorbs.
    assert after < before / 2, (before, after)


def test_bias_correction_needs_channel_sums(tmp_path: Path) -> None:
    path = tmp_path / "model.onnx"
    onnx.save(_gemm(), path)
    np.save(tmp_path / "x.npy", _inputs([1, 16], 1, seed=0)[0])
    listing = tmp_path / "list.txt"
    listing.write_text(f"{tmp_path / 'x.npy'}\n")
    profile = tmp_path / "pgq.yaml"
    dump_profile(CompileConfig(path, input_list=listing), profile)
    quantization = QuantizationConfig(profile=profile, bias_correction=True)
    with pytest.raises(UserError, match="no ChannelSums for tensor 'x', the input of Gemm 'y'"):
        compile(CompileConfig(path, quantization))


def test_the_manifest_records_the_flag_only_when_set() -> None:
    plain = manifest_options(CompileConfig(Path("m.onnx")))
    assert "quantization_bias_correction" not in plain
    flagged = CompileConfig(Path("m.onnx"), QuantizationConfig(bias_correction=True))
    assert manifest_options(flagged)["quantization_bias_correction"] is True
