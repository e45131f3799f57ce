"""lower-onnx-to-kernel + plan-memory on whole models, and the lowering's refusals.

Each lowered module must verify; the DDR plan is checked independently of the
planner: live ranges are recomputed from the memrefs' uses, no two buffers live
at the same time may share a byte, and reuse must make the activation region
smaller than the activations laid end to end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, MemRefType, ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.ir import SSAValue
from xdsl.transforms.canonicalize import CanonicalizePass

from aicc.compiler import CompileConfig, QuantizationConfig, compile_model, dump_profile
from aicc.context import make_context
from aicc.dialects import kernel
from aicc.dialects.elements import elements_array
from aicc.dialects.quant import UniformQuantizedType
from aicc.errors import UserError
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.graph import main_func
from aicc.ir_io import parse_module
from aicc.lowering.onnx_to_kernel import DEVICE_SUPPORT, LowerOnnxToKernelPass
from aicc.models import randomize_constant_of_shape, tiny_cnn
from aicc.op_support import supported_precisions
from aicc.passes.plan_memory import PlanMemoryPass
from aicc.sim.kernels.quant_ops import storage_type
from aicc.target import load_target

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
HEAVY = {"light_bvlc_alexnet", "light_vgg19", "light_zfnet512"}
"""Models whose import alone (random weights) takes several seconds."""
MODELS = [
    pytest.param(p.stem, marks=pytest.mark.slow) if p.stem in HEAVY else p.stem
    for p in sorted(LIGHT.glob("*.onnx"))
]
ALIGNMENT = load_target().alignment.ddr_bytes
REQUIRED = [
    *("Conv", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization"),
    *("Concat", "Gemm", "LRN", "Mul", "Add", "Sum", "Reshape", "Transpose", "Softmax", "MatMul"),
    *("Flatten", "Squeeze", "Unsqueeze", "Slice", "Split", "Clip", "LeakyRelu", "Sigmoid"),
    *("Tanh", "Sub", "Div", "Max", "Min", "Pow", "PRelu", "GlobalMaxPool", "LogSoftmax"),
]


def lower_and_plan(ctx: Context, module: ModuleOp) -> FuncOp:
    LowerOnnxToKernelPass(source="model").apply(ctx, module)
    module.verify()
    PlanMemoryPass().apply(ctx, module)
    module.verify()
    return main_func(module)


def _offset(value: SSAValue, func: FuncOp) -> int:
    owner = value.owner
    if isinstance(owner, kernel.AllocOp | kernel.ConstOp):
        assert owner.offset is not None, f"{owner} has no offset"
        return owner.offset.value.data
    index = func.args.index(value)
    assert func.arg_attrs is not None
    attr = func.arg_attrs.data[index].data["aicc.offset"]
    assert isinstance(attr, IntegerAttr)
    return attr.value.data


def check_plan(func: FuncOp) -> None:
    """No two buffers that are live at once overlap; everything aligned and inside the image."""
    ops = list(func.body.block.ops)
    position = {op: i for i, op in enumerate(ops)}
    returned = set(ops[-1].operands)
    spans: dict[object, tuple[int, int, int, int]] = {}  # key -> (lo, hi, first, last)
    values: list[SSAValue] = [*func.args, *(op.results[0] for op in ops if op.results)]
    for value in values:
        assert isinstance(value.type, MemRefType)
        lo = _offset(value, func)
        hi = lo + kernel.buffer_bytes(value.type)
        owner = value.owner
        always = not isinstance(owner, kernel.AllocOp) or value in returned
        uses = [position[u.operation] for u in value.uses]
        first = 0 if always else min([position[owner], *uses])
        last = len(ops) if always else max([position[owner], *uses])
        key = owner.resource.key if isinstance(owner, kernel.ConstOp) else value
        spans[key] = (lo, hi, first, last)
    table = np.array(list(spans.values()), dtype=np.int64)
    lo, hi, first, last = table.T
    assert (lo % ALIGNMENT == 0).all()
    ddr = func.attributes["aicc.ddr_bytes"]
    assert isinstance(ddr, IntegerAttr) and hi.max() <= ddr.value.data
    space = (lo[:, None] < hi[None, :]) & (lo[None, :] < hi[:, None])
    time = (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
    clash = space & time & ~np.eye(len(table), dtype=bool) & (hi > lo)[:, None] & (hi > lo)[None, :]
    assert not clash.any(), f"{int(clash.sum()) // 2} pairs of live buffers overlap"


def check_reuse(func: FuncOp) -> None:
    returned = set(func.body.block.last_op.operands) if func.body.block.last_op else set()
    sizes = [
        kernel.buffer_bytes(op.result.type)
        for op in func.body.block.ops
        if isinstance(op, kernel.AllocOp) and op.result not in returned
    ]
    peak = func.attributes["aicc.peak_activation_bytes"]
    assert isinstance(peak, IntegerAttr)
    assert 0 < peak.value.data < sum(sizes)


@pytest.mark.parametrize("name", MODELS)
def test_light_model_lowers_and_plans(name: str) -> None:
    path = LIGHT / f"{name}.onnx"
    model = randomize_constant_of_shape(onnx.load(path), seed=1)
    module = import_model(prepare_model(model, path, {}))
    ctx = make_context()
    CanonicalizePass().apply(ctx, module)
    func = lower_and_plan(ctx, module)
    assert {op.dialect_name() for op in func.body.block.ops} <= {"kernel", "func"}
    for op in func.body.block.ops:
        if isinstance(op, kernel.KernelOp):
            assert op.names and all(op.names), f"{op.name} has no onnx_names"
    check_plan(func)
    check_reuse(func)


@pytest.fixture(scope="module")
def tiny_int8(tmp_path_factory: pytest.TempPathFactory) -> tuple[Context, ModuleOp]:
    directory = tmp_path_factory.mktemp("tiny")
    onnx.save(tiny_cnn(), directory / "model.onnx")
    rng = np.random.default_rng(5)
    names = [str(directory / f"in{i}.npy") for i in range(2)]
    for name in names:
        np.save(name, rng.standard_normal((1, 3, 32, 32)).astype(np.float32))
    (directory / "list.txt").write_text("\n".join(names) + "\n")
    config = CompileConfig(model=directory / "model.onnx", input_list=directory / "list.txt")
    dump_profile(config, directory / "profile.yaml")
    quantization = QuantizationConfig(profile=directory / "profile.yaml", channelwise=True)
    compiled = compile_model(
        CompileConfig(model=directory / "model.onnx", quantization=quantization)
    )
    return compiled.session.ctx, compiled.module


def test_tiny_cnn_int8_lowers_fused_and_quantized(tiny_int8: tuple[Context, ModuleOp]) -> None:
    ctx, compiled = tiny_int8
    module = compiled.clone()
    weights = {
        op.results[0].name_hint: elements_array(op.value, storage_type(op.results[0].type))
        for op in main_func(module).body.block.ops
        if op.name == "onnx.Constant"
    }
    func = lower_and_plan(ctx, module)
    check_plan(func)
    check_reuse(func)
    convs = [op for op in func.body.block.ops if isinstance(op, kernel.ConvOp)]
    assert [c.names for c in convs] == [
        ("conv0", "bn0", "relu0"),
        ("conv1", "bn1", "relu1"),
        ("conv2", "bn2", "relu2"),
    ]
    assert all(c.activation.kind.data == "relu" for c in convs)
    # Quantized io at the edges; per-channel weights quantized along axis 3 (HWIO).
    assert isinstance(func.args[0].type.get_element_type(), UniformQuantizedType)
    w = convs[0].inputs[1]
    assert isinstance(w.owner, kernel.ConstOp)
    element = w.type.get_element_type()
    assert isinstance(element, UniformQuantizedType) and element.axis == 3
    (oihw,) = [v for k, v in weights.items() if k.startswith("bn0") and v.ndim == 4]
    hwio = w.owner.resource.blob.view(np.dtype(np.int8), w.type.get_shape(), "w")
    np.testing.assert_array_equal(hwio, oihw.transpose(2, 3, 1, 0))


def test_device_support_covers_the_required_ops_in_every_reference_precision() -> None:
    for kind in REQUIRED:
        assert DEVICE_SUPPORT[f"onnx.{kind}"] == supported_precisions(kind), kind
    assert "i8" in DEVICE_SUPPORT["onnx.Conv"]


def constant(name: str, value: str, t: str) -> str:
    return (
        f'%{name} = onnx.Constant() <{{value = {value}, output_names = ["{name}"]}}> : () -> {t}\n'
    )


T = "tensor<1x2x4x4xf32>"
CONSTANTS = (
    constant("s3", "dense<[1, 2, 16]> : tensor<3xi64>", "tensor<3xi64>")
    + constant("s4", "dense<[1, 2, 4, 4]> : tensor<4xi64>", "tensor<4xi64>")
    + constant("w", "#aicc.splat<1.0 : f32>", "tensor<2x2x1xf32>")
    + constant("m", "dense<[1.0, 2.0]> : tensor<2xf32>", "tensor<2xf32>")
)
REFUSALS = {
    "op": (
        f'%y = onnx.ConvTranspose(%x, %x) <{{output_names = ["y"]}}> : ({T}, {T}) -> {T}',
        "model: node 'y' (onnx.ConvTranspose): not supported on the device "
        "(-operators-supported lists what is)",
    ),
    "weights": (
        f'%y = onnx.Conv(%x, %x) <{{pads = array<i64: 1, 1, 2, 2>, output_names = ["y"]}}> : '
        f"({T}, {T}) -> {T}",
        "model: node 'y' (onnx.Conv): weights must be constants on the device",
    ),
    "conv1d": (
        '%r = onnx.Reshape(%x, %s3) <{output_names = ["r"]}> : '
        f"({T}, tensor<3xi64>) -> tensor<1x2x16xf32>\n"
        '%c = onnx.Conv(%r, %w) <{output_names = ["c"]}> : '
        "(tensor<1x2x16xf32>, tensor<2x2x1xf32>) -> tensor<1x2x16xf32>\n"
        '%y = onnx.Reshape(%c, %s4) <{output_names = ["y"]}> : '
        f"(tensor<1x2x16xf32>, tensor<4xi64>) -> {T}",
        "model: node 'c' (onnx.Conv): only 2-D convolution runs on the device (input rank 3)",
    ),
    "training": (
        "%y = onnx.BatchNormalization(%x, %m, %m, %m, %m) <{training_mode = 1 : i64, "
        'output_names = ["y"]}> : '
        f"({T}, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> {T}",
        "model: node 'y' (onnx.BatchNormalization): attribute training_mode = 1 "
        "is not supported on the device",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusals_name_the_node(case: str) -> None:
    body, message = REFUSALS[case]
    text = (
        f'func.func @main(%x: {T} {{onnx.name = "x"}}) -> ({T} {{onnx.name = "y"}}) {{'
        f"\n{CONSTANTS}{body}\nfunc.return %y : {T}\n}}"
    )
    ctx = make_context()
    module = parse_module(ctx, text)
    with pytest.raises(UserError) as error:
        LowerOnnxToKernelPass(source="model").apply(ctx, module)
    assert str(error.value) == message
