"""lower-kernel-to-aic end to end: small ONNX models through lower-onnx-to-kernel,
plan-memory and lower-kernel-to-aic, run on the device simulator and compared with
the reference interpreter on the same high-level module: INT8 bit for bit, FP16
within 1 ulp, FP32 within rtol 1e-5 / atol 1e-6."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import ModuleOp

from aicc.base import int8 as q
from aicc.base.accuracy import FP32_ATOL, FP32_RTOL, mismatch
from aicc.base.errors import UserError
from aicc.base.target import load_target
from aicc.dialects.aic import BarrierOp, DmaOp, ProgramOp, VectorOp
from aicc.dialects.context import make_context
from aicc.dialects.quant import UniformQuantizedType
from aicc.frontend.models import small_resnet, tiny_cnn
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.pipeline.compiler import CompileConfig, QuantizationConfig, compile_model, dump_profile
from aicc.pipeline.registry import AICC_PASSES
from aicc.sim.device import load_program
from aicc.sim.reference.interpreter import run_module

RNG = np.random.default_rng(7)
SMALL_SCRATCHPAD = """\
name: small
cores: 4
clock_hz: 1_000_000_000
scratchpad_bytes_per_core: 65536
ddr_bytes_per_second: 64_000_000_000
dma_setup_cycles: 100
matrix_macs_per_cycle: {i8: 8192, f16: 4096, f32: 1024}
vector_lanes_per_cycle: {i8: 128, f16: 64, f32: 32}
alignment: {ddr_bytes: 64, scratchpad_bytes: 128, tile_m_multiple: 8, tile_n_multiple: 32,
  tile_k_multiple: 32}
"""


# -- models -----------------------------------------------------------------------


def graph(
    nodes: list[onnx.NodeProto],
    inputs: dict[str, list[int]],
    outputs: list[str],
    weights: dict[str, np.ndarray] | None = None,
) -> onnx.ModelProto:
    g = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        [numpy_helper.from_array(a, n) for n, a in (weights or {}).items()],
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def weight(*shape: int) -> np.ndarray:
    return (RNG.standard_normal(shape) * 0.5).astype(np.float32)


def conv(
    cin: int = 3,
    cout: int = 8,
    size: int = 9,
    kernel: int = 3,
    pads: int = 1,
    strides: int = 1,
    group: int = 1,
    act: str | None = "Relu",
) -> onnx.ModelProto:
    nodes = [
        helper.make_node(
            "Conv",
            ["x", "w", "b"],
            ["conv0"],
            name="conv0",
            pads=[pads] * 4,
            strides=[strides] * 2,
            group=group,
        )
    ]
    out = "conv0"
    if act:
        nodes.append(helper.make_node(act, ["conv0"], ["act0"], name="act0"))
        out = "act0"
    # He-style scaling keeps outputs O(1), where FP32 summation order stays below atol.
    fan_in = cin // group * kernel * kernel
    w = weight(cout, cin // group, kernel, kernel) / np.float32(np.sqrt(fan_in))
    weights = {"w": w.astype(np.float32), "b": weight(cout)}
    return graph(nodes, {"x": [1, cin, size, size]}, [out], weights)


def gemm(m: int = 4, k: int = 40, n: int = 70) -> onnx.ModelProto:
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["fc"], name="fc", transB=1)]
    return graph(nodes, {"x": [m, k]}, ["fc"], {"w": weight(n, k), "b": weight(n)})


def gemm_runtime_bias() -> onnx.ModelProto:
    """C is a graph input (a bias tile per tile), with alpha and beta."""
    nodes = [
        helper.make_node("Gemm", ["x", "w", "c"], ["fc"], name="fc", alpha=0.5, beta=2.0),
        helper.make_node("Softmax", ["fc"], ["sm"], name="sm", axis=0),
    ]
    return graph(nodes, {"x": [6, 20], "c": [1, 30]}, ["sm"], {"w": weight(20, 30)})


def pools() -> onnx.ModelProto:
    nodes = [
        helper.make_node(
            "MaxPool", ["x"], ["mp"], name="mp", kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4
        ),
        helper.make_node(
            "AveragePool", ["mp"], ["ap"], name="ap", kernel_shape=[2, 2], pads=[1, 1, 0, 0]
        ),
        helper.make_node("GlobalAveragePool", ["ap"], ["gap"], name="gap"),
    ]
    return graph(nodes, {"x": [1, 5, 11, 11]}, ["gap", "ap"])


def elementwise() -> onnx.ModelProto:
    nodes = [
        helper.make_node("Add", ["x", "y"], ["sum"], name="sum"),
        helper.make_node("Mul", ["sum", "c"], ["prod"], name="prod"),
        helper.make_node("Sigmoid", ["prod"], ["sig"], name="sig"),
        helper.make_node("LeakyRelu", ["sig"], ["lr"], name="lr", alpha=0.2),
        helper.make_node("Softmax", ["lr"], ["sm"], name="sm", axis=-1),
    ]
    return graph(nodes, {"x": [3, 6, 10], "y": [6, 10]}, ["sm"], {"c": weight(10)})


def movement() -> onnx.ModelProto:
    nodes = [
        helper.make_node("Transpose", ["x"], ["t"], name="t", perm=[0, 2, 1]),
        helper.make_node("Concat", ["t", "t"], ["cat"], name="cat", axis=1),
        helper.make_node("Slice", ["cat", "st", "en", "ax", "sp"], ["sl"], name="sl"),
        helper.make_node("Reshape", ["sl", "shape"], ["rs"], name="rs"),
    ]
    weights = {
        "st": np.array([1], np.int64),
        "en": np.array([12], np.int64),
        "ax": np.array([2], np.int64),
        "sp": np.array([2], np.int64),
        "shape": np.array([2, -1], np.int64),
    }
    return graph(nodes, {"x": [2, 12, 7]}, ["rs"], weights)


def rescaled_moves() -> onnx.ModelProto:
    """INT8: Concat of inputs at different scales (x and 2.7 x); the MaxPool result's
    range, so its parameters, differ from its input's under the asymmetric schema."""
    nodes = [
        helper.make_node("Mul", ["x", "c"], ["a"], name="a"),
        helper.make_node("Concat", ["x", "a"], ["cat"], name="cat", axis=1),
        helper.make_node(
            "MaxPool", ["cat"], ["mp"], name="mp", kernel_shape=[2, 2], strides=[2, 2]
        ),
        helper.make_node("Transpose", ["mp"], ["tr"], name="tr", perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["tr", "shape"], ["rs"], name="rs"),
    ]
    weights = {"c": np.array([2.7], np.float32), "shape": np.array([1, -1], np.int64)}
    return graph(nodes, {"x": [1, 4, 8, 8]}, ["rs"], weights)


# -- pipeline -----------------------------------------------------------------------


def lower(module: ModuleOp, cores: int, target: Path | None = None) -> ModuleOp:
    device = module.clone()
    ctx = make_context()
    path = "" if target is None else str(target)
    for name, options in (
        ("lower-onnx-to-kernel", {}),
        ("plan-memory", {"target": path}),
        ("lower-kernel-to-aic", {"target": path, "num_cores": cores}),
    ):
        AICC_PASSES[name]()(**options).apply(ctx, device)
    device.verify()
    return device


def import_onnx(model: onnx.ModelProto, tmp_path: Path) -> ModuleOp:
    return import_model(prepare_model(model, tmp_path / "model.onnx", {}))


def inputs_of(model: onnx.ModelProto) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [
        rng.standard_normal([d.dim_value for d in i.type.tensor_type.shape.dim]).astype(np.float32)
        for i in model.graph.input
        if i.name not in {w.name for w in model.graph.initializer}
    ]


def run_device(
    device: ModuleOp, inputs: list[np.ndarray], cores: int, target: Path | None = None
) -> list[np.ndarray]:
    """Outputs as the reference returns them: quantized io is (de)quantized on the host."""
    program = load_program(device, load_target(target, num_cores=cores))
    feeds: dict[str, np.ndarray] = {}
    for io, x in zip(program.inputs, inputs, strict=True):
        t = io.element_type
        if isinstance(t, UniformQuantizedType):
            x = q.quantize(x, t.scale, t.zero_point, t.storage_dtype)
        feeds[io.name] = x.astype(io.dtype)
    outputs, report = program.run(feeds)
    assert report.instruction_count > 0
    results = []
    for io in program.outputs:
        y, t = outputs[io.name], io.element_type
        if isinstance(t, UniformQuantizedType):
            y = q.dequantize(y, t.scale, t.zero_point)
        results.append(y)
    return results


def check_float(
    module: ModuleOp,
    inputs: list[np.ndarray],
    cores: int,
    target: Path | None = None,
) -> ModuleOp:
    device = lower(module, cores, target)
    want = run_module(module, inputs)
    got = run_device(device, inputs, cores, target)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        if w.dtype == np.float16:
            ulp = np.spacing(np.abs(w).astype(np.float16)).astype(np.float32)
            assert np.all(np.abs(g.astype(np.float32) - w.astype(np.float32)) <= ulp)
        else:
            assert mismatch(g, w, FP32_RTOL, FP32_ATOL) is None
    return device


def compiled(
    model: onnx.ModelProto, tmp_path: Path, *, fp16: bool = False, schema: str = "asymmetric"
) -> ModuleOp:
    """The model compiled to INT8 with a profile of a few random inputs and the
    quantization `schema` (or to FP16)."""
    path = tmp_path / "model.onnx"
    onnx.save(model, path)
    if fp16:
        return compile_model(CompileConfig(path, convert_to_fp16=True)).module
    names = []
    for index in range(3):
        files = []
        for slot, x in enumerate(inputs_of(model)):
            file = tmp_path / f"in{index}_{slot}.npy"
            np.save(file, np.random.default_rng(index).standard_normal(x.shape).astype(np.float32))
            files.append(str(file))
        names.append(",".join(files))
    (tmp_path / "list.txt").write_text("\n".join(names) + "\n")
    config = CompileConfig(
        path, QuantizationConfig(schema=schema), input_list=tmp_path / "list.txt"
    )
    dump_profile(config, tmp_path / "profile.yaml")
    quantized = replace(config.quantization, profile=tmp_path / "profile.yaml")
    return compile_model(replace(config, quantization=quantized, input_list=None)).module


def check_int8(
    model: onnx.ModelProto, tmp_path: Path, cores: int, schema: str = "asymmetric"
) -> ModuleOp:
    module = compiled(model, tmp_path, schema=schema)
    inputs = inputs_of(model)
    device = lower(module, cores)
    want = run_module(module, inputs)
    got = run_device(device, inputs, cores)
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w), np.abs(g - w).max()
    return device


def program_of(device: ModuleOp) -> ProgramOp:
    (program,) = device.ops
    assert isinstance(program, ProgramOp)
    return program


# -- FP32 -------------------------------------------------------------------------------


@pytest.mark.parametrize("cores", [1, 2, 16])
@pytest.mark.parametrize(
    "model",
    [
        conv(),
        conv(cin=4, cout=6, size=10, kernel=3, pads=0, strides=2, act=None),
        conv(cin=8, cout=40, size=11, kernel=1, pads=0, strides=2, act=None),
        conv(cin=6, cout=6, group=3, act="Sigmoid"),
        conv(cin=8, cout=8, group=8, kernel=5, pads=2),
        gemm(),
        gemm_runtime_bias(),
        pools(),
        elementwise(),
        movement(),
    ],
    ids=[
        "conv",
        "conv-stride",
        "conv-1x1-stride",
        "conv-group",
        "depthwise",
        "gemm",
        "gemm-bias-softmax0",
        "pools",
        "ew",
        "movement",
    ],
)
def test_fp32_matches_reference(model: onnx.ModelProto, cores: int, tmp_path: Path) -> None:
    check_float(import_onnx(model, tmp_path), inputs_of(model), cores)


def test_every_instruction_names_its_node(tmp_path: Path) -> None:
    device = lower(import_onnx(conv(), tmp_path), 2)
    nodes = {op.node_name for core in program_of(device).core_ops for op in core.ops}
    assert nodes == {"x", "conv0,act0", "act0"}


def test_tiles_smaller_than_the_scratchpad_are_double_buffered(tmp_path: Path) -> None:
    target = tmp_path / "small.yaml"
    target.write_text(SMALL_SCRATCHPAD)
    model = conv(cin=16, cout=32, size=20)
    device = check_float(import_onnx(model, tmp_path), inputs_of(model), 4, target)
    core = program_of(device).core_ops[0]
    conv_loads = [op for op in core.ops if isinstance(op, DmaOp) and op.node_name == "conv0,act0"]
    assert {op.tag_value for op in conv_loads} >= {0, 1, 2, 3}


@pytest.mark.parametrize("make", [tiny_cnn, small_resnet], ids=["tiny_cnn", "small_resnet"])
def test_fp16_within_one_ulp(make: Callable[[], onnx.ModelProto], tmp_path: Path) -> None:
    model = make()
    module = compiled(model, tmp_path, fp16=True)
    device = check_float(module, inputs_of(model), 4)
    modes = {
        op.opcode_name
        for core in program_of(device).core_ops
        for op in core.ops
        if isinstance(op, VectorOp)
    }
    assert "bias_act" in modes


def test_a_scratchpad_too_small_for_one_row_names_the_node(tmp_path: Path) -> None:
    target = tmp_path / "tiny.yaml"
    target.write_text(SMALL_SCRATCHPAD.replace("65536", "1024"))
    with pytest.raises(UserError, match=r"node 'conv0,act0': .* bytes of scratchpad"):
        lower(import_onnx(conv(cin=16, cout=32, size=20), tmp_path), 4, target)


def test_independent_layers_share_a_barrier(tmp_path: Path) -> None:
    """The two copies of the Concat write disjoint halves: one barrier after both."""
    program = program_of(lower(import_onnx(movement(), tmp_path), 2))
    kinds = [layer.kind.data for layer in program.layers]
    barriers = [op for op in program.core_ops[0].ops if isinstance(op, BarrierOp)]
    assert kinds.count("copy") == 2
    assert len(barriers) == len(kinds) - 1


# -- INT8 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cores", [1, 16])
def test_tiny_cnn_int8_bit_exact(cores: int, tmp_path: Path) -> None:
    check_int8(tiny_cnn(), tmp_path, cores)


def test_small_resnet_int8_bit_exact(tmp_path: Path) -> None:
    device = check_int8(small_resnet(), tmp_path, 4)
    opcodes = {
        op.opcode_name
        for core in program_of(device).core_ops
        for op in core.ops
        if isinstance(op, VectorOp)
    }
    # requant: conv epilogues; qadd: residual Adds; requantize: the Relus after them.
    assert {"requant", "qadd", "requantize"} <= opcodes


@pytest.mark.parametrize(
    "model", [conv(act="Relu"), gemm(), pools(), elementwise()], ids=["conv", "gemm", "pools", "ew"]
)
def test_int8_ops_bit_exact(model: onnx.ModelProto, tmp_path: Path) -> None:
    check_int8(model, tmp_path, 2)


@pytest.mark.parametrize("schema", ["asymmetric", "symmetric_with_power2_scale"])
def test_int8_moves_between_scales_bit_exact(schema: str, tmp_path: Path) -> None:
    """Concat's input at another scale moves by the fixed-point `to_type`, not by
    quantize(dequantize(x)): power-of-2 scale ratios tie (0.5 ulp) and round apart."""
    device = check_int8(rescaled_moves(), tmp_path, 2, schema)
    moves = {
        op.opcode_name
        for core in program_of(device).core_ops
        for op in core.ops
        if isinstance(op, VectorOp) and op.node_name == "cat"
    }
    assert moves == {"requantize"}
