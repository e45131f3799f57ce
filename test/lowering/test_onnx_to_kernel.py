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
from onnx import TensorProto, helper, numpy_helper
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, MemRefType, ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.ir import SSAValue
from xdsl.transforms.canonicalize import CanonicalizePass

from aicc.base.errors import UserError
from aicc.base.target import load_target
from aicc.dialects import kernel
from aicc.dialects.context import make_context
from aicc.dialects.elements import elements_array
from aicc.dialects.graph import main_func
from aicc.dialects.ir_io import parse_module
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp
from aicc.dialects.quant import UniformQuantizedType, quantized_element
from aicc.frontend.models import randomize_constant_of_shape, tiny_cnn
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.lowering.onnx_to_kernel import LowerOnnxToKernelPass
from aicc.lowering.onnx_to_kernel.support import claimed_precisions, device_precisions
from aicc.passes.plan_memory import PlanMemoryPass
from aicc.pipeline.compiler import CompileConfig, QuantizationConfig, compile_model, dump_profile
from aicc.sim.reference.interpreter import run_module
from aicc.sim.reference.kernels.quant_ops import storage_type

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


def compile_int8(model: onnx.ModelProto, directory: Path) -> tuple[Context, ModuleOp]:
    """`model` compiled to INT8 (per-channel weights) with a profile of two random inputs."""
    onnx.save(model, directory / "model.onnx")
    rng = np.random.default_rng(5)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    names = [str(directory / f"in{i}.npy") for i in range(2)]
    for name in names:
        np.save(name, rng.standard_normal(shape).astype(np.float32))
    (directory / "list.txt").write_text("\n".join(names) + "\n")
    config = CompileConfig(model=directory / "model.onnx", input_list=directory / "list.txt")
    dump_profile(config, directory / "profile.yaml")
    quantization = QuantizationConfig(profile=directory / "profile.yaml", channelwise=True)
    compiled = compile_model(
        CompileConfig(model=directory / "model.onnx", quantization=quantization)
    )
    return compiled.session.ctx, compiled.module


@pytest.fixture(scope="module")
def tiny_int8(tmp_path_factory: pytest.TempPathFactory) -> tuple[Context, ModuleOp]:
    return compile_int8(tiny_cnn(), tmp_path_factory.mktemp("tiny"))


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


def test_the_device_runs_the_required_ops_in_every_claimed_precision() -> None:
    for kind in REQUIRED:
        assert device_precisions(kind) == claimed_precisions(kind) != frozenset(), kind
    assert "i8" in device_precisions("Conv")


def constant(name: str, value: str, t: str) -> str:
    return (
        f'%{name} = onnx.Constant() <{{value = {value}, output_names = ["{name}"]}}> : () -> {t}\n'
    )


T = "tensor<1x2x4x4xf32>"
CONSTANTS = constant("z", "dense<0.5> : tensor<f32>", "tensor<f32>") + constant(
    "m", "dense<[1.0, 2.0]> : tensor<2xf32>", "tensor<2xf32>"
)
REFUSALS = {
    "op": (
        f'%y = onnx.Cast(%x) <{{to = 1 : i64, output_names = ["y"]}}> : ({T}) -> {T}',
        "model: node 'y' (onnx.Cast): not supported on the device "
        "(-operators-supported lists what is)",
    ),
    "scales": (
        '%s = onnx.Relu(%m) <{output_names = ["s"]}> : (tensor<2xf32>) -> tensor<2xf32>\n'
        "%y = onnx.Resize(%x, none, %s) <{axes = array<i64: 2, 3>, "
        f'output_names = ["y"]}}> : ({T}, none, tensor<2xf32>) -> {T}',
        "model: node 'y' (onnx.Resize): Resize roi, scales and sizes must be constants "
        "on the device",
    ),
    "reflect": (
        "%p = onnx.Constant() <{value = dense<[0, 0, 3, 0, 0, 0, -3, 0]> : tensor<8xi64>, "
        'output_names = ["p"]}> : () -> tensor<8xi64>\n'
        '%y = onnx.Pad(%x, %p) <{mode = "reflect", output_names = ["y"]}> : '
        f"({T}, tensor<8xi64>) -> {T}",
        "model: node 'y' (onnx.Pad): a reflect Pad wider than its axis allows is not "
        "supported on the device",
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


# -- numerics: the lowered IR, evaluated op by op in numpy, against the reference -------
#
# The evaluator below states what each kernel op computes on its physical buffers (the
# contract the device lowering implements); running it on lowered float graphs and
# comparing with the reference interpreter checks layouts, permutations, offsets,
# windows and fused activations of the lowering.


def _act(y: np.ndarray, attr: kernel.ActivationAttr) -> np.ndarray:
    kind, params = attr.kind.data, attr.values
    if kind == "relu":
        return np.maximum(y, 0)
    if kind == "clip":
        return np.clip(y, *params)
    if kind == "leaky_relu":
        return np.where(y < 0, params[0] * y, y)
    return y


def _eval_conv(op: kernel.ConvOp, x: np.ndarray, w: np.ndarray, *bias: np.ndarray) -> np.ndarray:
    (sh, sw), (dh, dw) = op.strides.get_values(), op.dilations.get_values()
    pt, pl, pb, pr = op.pads.get_values()
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    kh, kw, cg, cout = w.shape
    g = op.group.value.data
    n, oh, ow, _ = op.out_type().get_shape()
    acc = np.zeros((n, oh, ow, g, cout // g))
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
            cols = slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)
            patch = xp[:, rows, cols, :].reshape(n, oh, ow, g, cg)
            taps = w[i, j].astype(np.float64).reshape(cg, g, cout // g).transpose(1, 0, 2)
            acc += np.einsum("nhwgc,gcm->nhwgm", patch, taps)
    y = acc.reshape(n, oh, ow, cout) + (bias[0] if bias else 0)
    return _act(y, op.activation)


def _eval_pool(op: kernel.PoolOp, x: np.ndarray) -> np.ndarray:
    (kh, kw), (sh, sw) = op.kernel.get_values(), op.strides.get_values()
    (dh, dw), (pt, pl, pb, pr) = op.dilations.get_values(), op.pads.get_values()
    n, oh, ow, c = op.out_type().get_shape()
    h, w = x.shape[1:3]
    extra_h = max(0, (oh - 1) * sh + (kh - 1) * dh + 1 - (h + pt + pb))
    extra_w = max(0, (ow - 1) * sw + (kw - 1) * dw + 1 - (w + pl + pr))
    pad = ((0, 0), (pt, pb + extra_h), (pl, pr + extra_w), (0, 0))
    is_max = op.kind.data == "max"
    xp = np.pad(x.astype(np.float64), pad, constant_values=-np.inf if is_max else 0)
    counted = np.pad(np.ones((1, h, w, 1)), ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=1)
    if not op.count_include_pad.value.data:
        counted = np.pad(np.ones((1, h, w, 1)), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    counted = np.pad(counted, ((0, 0), (0, extra_h), (0, extra_w), (0, 0)))
    out = np.full((n, oh, ow, c), -np.inf if is_max else 0.0)
    count = np.zeros((1, oh, ow, 1))
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
            cols = slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)
            tap = xp[:, rows, cols, :]
            out = np.maximum(out, tap) if is_max else out + tap
            count += counted[:, rows, cols, :]
    return out if is_max else out / count


UNARY_NUMPY = {
    "relu": lambda x, p: np.maximum(x, 0),
    "leaky_relu": lambda x, p: np.where(x < 0, p[0] * x, x),
    "clip": lambda x, p: np.clip(x, p[0], p[1]),
    "sigmoid": lambda x, p: 1 / (1 + np.exp(-x)),
    "tanh": lambda x, p: np.tanh(x),
    "exp": lambda x, p: np.exp(x),
    "log": lambda x, p: np.log(x),
    "abs": lambda x, p: np.abs(x),
    "neg": lambda x, p: -x,
    "sqrt": lambda x, p: np.sqrt(x),
    "reciprocal": lambda x, p: 1 / x,
    "elu": lambda x, p: np.where(x > 0, x, p[0] * (np.exp(x) - 1)),
    "selu": lambda x, p: p[1] * np.where(x > 0, x, p[0] * (np.exp(x) - 1)),
    "softplus": lambda x, p: np.log1p(np.exp(x)),
    "softsign": lambda x, p: x / (1 + np.abs(x)),
    "hard_sigmoid": lambda x, p: np.clip(p[0] * x + p[1], 0, 1),
    "hard_swish": lambda x, p: x * np.clip(x / 6 + 0.5, 0, 1),
}
BINARY_NUMPY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "max": np.maximum,
    "min": np.minimum,
    "pow": np.power,
    "prelu": lambda a, b: np.where(a < 0, a * b, a),
}


def _softmax(x: np.ndarray, axis: int, log: bool) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    total = np.exp(shifted).sum(axis=axis, keepdims=True)
    return shifted - np.log(total) if log else np.exp(shifted) / total


def _lrn(op: kernel.LrnOp, x: np.ndarray) -> np.ndarray:
    size = op.size.value.data
    squares = np.pad(x.astype(np.float64) ** 2, ((0, 0),) * 3 + (((size - 1) // 2, size // 2),))
    window = sum(squares[..., i : i + x.shape[-1]] for i in range(size))
    scale = op.bias.value.data + op.alpha.value.data / size * window
    return x / scale**op.beta.value.data


def _slice(op: kernel.SliceOp, x: np.ndarray) -> np.ndarray:
    shape = op.out_type().get_shape()
    index = [
        start + np.arange(count) * step
        for start, step, count in zip(
            op.starts.get_values(), op.steps.get_values(), shape, strict=True
        )
    ]
    return x[np.ix_(*index)]


def _evaluate(op: kernel.KernelOp, ins: list[np.ndarray], out: np.ndarray) -> None:
    """Writes what `op` computes into `out` (its output buffer)."""
    if isinstance(op, kernel.CopyOp):
        offsets = op.offsets.get_values()
        out[tuple(slice(o, o + n) for o, n in zip(offsets, ins[0].shape, strict=True))] = ins[0]
        return
    if isinstance(op, kernel.ConvOp):
        value = _eval_conv(op, *ins)
    elif isinstance(op, kernel.PoolOp):
        value = _eval_pool(op, ins[0])
    elif isinstance(op, kernel.MatmulOp):
        a, b, *bias = (v.astype(np.float64) for v in ins)
        value = op.alpha.value.data * (a @ b)
        value = _act(value + op.beta.value.data * bias[0] if bias else value, op.activation)
    elif isinstance(op, kernel.ScaleShiftOp):
        value = _act(ins[0] * ins[1] + ins[2], op.activation)
    elif isinstance(op, kernel.ElementwiseOp):
        kind, params = op.kind.data, op.params.get_values()
        value = (
            BINARY_NUMPY[kind](*ins) if kind in BINARY_NUMPY else UNARY_NUMPY[kind](ins[0], params)
        )
    elif isinstance(op, kernel.SoftmaxOp):
        value = _softmax(ins[0], op.axis.value.data, bool(op.log.value.data))
    elif isinstance(op, kernel.LrnOp):
        value = _lrn(op, ins[0])
    elif isinstance(op, kernel.TransposeOp):
        value = ins[0].transpose(op.perm.get_values())
    elif isinstance(op, kernel.SliceOp):
        value = _slice(op, ins[0])
    else:
        assert isinstance(op, kernel.ReshapeOp | kernel.ConvertOp), op.name
        value = ins[0].reshape(out.shape)
    out[...] = value


def run_kernel_ir(func: FuncOp, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Evaluates a lowered float function on its ONNX-layout inputs."""
    env: dict[SSAValue, np.ndarray] = dict(zip(func.args, inputs, strict=True))
    for op in func.body.block.ops:
        if isinstance(op, kernel.AllocOp | kernel.ConstOp):
            memref = op.result.type
            dtype, shape = kernel.buffer_dtype(memref), memref.get_shape()
            env[op.result] = (
                np.zeros(shape, dtype)
                if isinstance(op, kernel.AllocOp)
                else op.resource.blob.view(dtype, shape, op.resource.key)
            )
        elif isinstance(op, kernel.KernelOp):
            _evaluate(op, [env[v] for v in op.inputs], env[op.output])
    return [env[v] for v in func.body.block.last_op.operands]  # type: ignore[union-attr]


def _graph(
    nodes: list[onnx.NodeProto],
    inputs: dict[str, tuple[int, ...]],
    outputs: list[str],
    weights: dict[str, np.ndarray],
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "case",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        [numpy_helper.from_array(v, k) for k, v in weights.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


RNG = np.random.default_rng(3)
X = {"x": (1, 4, 6, 6)}


def _w(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _i64(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


N = helper.make_node
NUMERIC_CASES: dict[str, onnx.ModelProto] = {
    "conv_group_dilated_relu": _graph(
        [
            N(
                "Conv",
                ["x", "w", "b"],
                ["c"],
                strides=[2, 1],
                dilations=[1, 2],
                group=2,
                pads=[1, 0, 2, 1],
            ),
            N("Relu", ["c"], ["y"]),
        ],
        X,
        ["y"],
        {"w": _w(6, 2, 3, 3), "b": _w(6)},
    ),
    "conv_same_clip_and_1d_leaky": _graph(
        [
            N("Conv", ["x", "w"], ["c"], auto_pad="SAME_UPPER", strides=[2, 2]),
            N("Clip", ["c", "lo", "hi"], ["y"]),
            N("Reshape", ["x", "s3"], ["r"]),
            N("Conv", ["r", "w1"], ["c1"], pads=[1, 2], strides=[2]),
            N("LeakyRelu", ["c1"], ["z"], alpha=0.2),
        ],
        X,
        ["y", "z"],
        {
            "w": _w(3, 4, 3, 3),
            "lo": np.float32(0),
            "hi": np.float32(0.5),
            "s3": _i64(1, 4, 36),
            "w1": _w(5, 4, 3),
        },
    ),
    "pools": _graph(
        [
            N("MaxPool", ["x"], ["a"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
            N(
                "AveragePool",
                ["x"],
                ["b"],
                kernel_shape=[3, 2],
                pads=[1, 1, 1, 0],
                count_include_pad=1,
                strides=[2, 2],
                ceil_mode=1,
            ),
            N("AveragePool", ["x"], ["c"], kernel_shape=[2, 2], pads=[1, 1, 1, 1]),
            N("GlobalMaxPool", ["x"], ["d"]),
            N("GlobalAveragePool", ["x"], ["e"]),
        ],
        X,
        ["a", "b", "c", "d", "e"],
        {},
    ),
    "bn_relu_lrn": _graph(
        [
            N("BatchNormalization", ["x", "s", "t", "m", "v"], ["n"], epsilon=1e-3),
            N("Relu", ["n"], ["r"]),
            N("LRN", ["r"], ["y"], size=3, alpha=0.01, beta=0.75, bias=1.5),
        ],
        X,
        ["y"],
        {"s": _w(4), "t": _w(4), "m": _w(4), "v": np.abs(_w(4)) + 0.5},
    ),
    "gemm_matmul": _graph(
        [
            N("Flatten", ["x"], ["f"]),
            N("Gemm", ["wa", "f"], ["g"], transA=1, transB=1, alpha=0.5, beta=2.0),
            N("Gemm", ["f", "wb", "c"], ["h"], transB=1, alpha=1.5, beta=-1.0),
            N("Relu", ["h"], ["hr"]),
            N("MatMul", ["x", "wm"], ["m"]),
            N("MatMul", ["x", "x"], ["mm"]),
        ],
        X,
        ["g", "hr", "m", "mm"],
        {"wa": _w(144, 3), "wb": _w(5, 144), "c": _w(5), "wm": _w(6, 2)},
    ),
    "broadcasts": _graph(
        [
            N("Add", ["x", "k"], ["a"]),
            N("Sub", ["a", "one"], ["b"]),
            N("Mul", ["b", "row"], ["c"]),
            N("Div", ["c", "k"], ["d"]),
            N("PRelu", ["d", "k"], ["e"]),
            N("Sum", ["e", "x", "k"], ["f"]),
            N("Max", ["f", "x", "row"], ["g"]),
            N("Min", ["g", "b"], ["h"]),
            N("Abs", ["h"], ["i"]),
            N("Pow", ["i", "half"], ["y"]),
        ],
        {"x": (1, 4, 6, 6), "row": (6, 6)},
        ["y"],
        {"k": _w(4, 1, 1), "one": np.float32(1.0), "half": np.float32(0.5)},
    ),
    "unary": _graph(
        [
            N("Sigmoid", ["x"], ["a"]),
            N("Tanh", ["a"], ["b"]),
            N("Exp", ["b"], ["c"]),
            N("Log", ["c"], ["d"]),
            N("Neg", ["d"], ["e"]),
            N("Abs", ["e"], ["f"]),
            N("Sqrt", ["f"], ["g"]),
            N("Reciprocal", ["c"], ["h"]),
            N("Elu", ["x"], ["i"], alpha=0.7),
            N("Selu", ["i"], ["j"]),
            N("Softplus", ["j"], ["k"]),
            N("Softsign", ["k"], ["l"]),
            N("HardSigmoid", ["x"], ["m"], alpha=0.3, beta=0.4),
            N("HardSwish", ["x"], ["n"]),
        ],
        X,
        ["g", "h", "l", "m", "n"],
        {},
    ),
    "softmax_and_movement": _graph(
        [
            N("Softmax", ["x"], ["a"], axis=1),
            N("Transpose", ["a"], ["b"], perm=[0, 2, 3, 1]),
            N("Transpose", ["b"], ["c"], perm=[3, 1, 0, 2]),
            N("Reshape", ["c", "s"], ["d"]),
            N("LogSoftmax", ["d"], ["e"], axis=-1),
            N("Unsqueeze", ["e", "ax0"], ["f"]),
            N("Squeeze", ["f", "ax0"], ["g"]),
            N("Flatten", ["x"], ["h"], axis=2),
            N("Transpose", ["x"], ["i"], perm=[0, 2, 3, 1]),
        ],
        X,
        ["c", "g", "h", "i"],
        {"s": _i64(4, 6, 6), "ax0": _i64(0)},
    ),
    "slice_split_concat": _graph(
        [
            N("Slice", ["x", "st", "en", "ax", "sp"], ["a"]),
            N("Split", ["x"], ["b", "c"], axis=1, num_outputs=2),
            N("Concat", ["c", "b", "c"], ["d"], axis=2),
            N("Concat", ["c", "b"], ["e"], axis=1),
            N("Unsqueeze", ["x", "ax4"], ["f"]),
            N("Split", ["f", "parts"], ["g", "h"], axis=2),
        ],
        X,
        ["a", "d", "e", "g", "h"],
        {
            "st": _i64(-1, 0, 5),
            "en": _i64(-100, 3, 0),
            "ax": _i64(3, 1, 2),
            "sp": _i64(-2, 1, -2),
            "ax4": _i64(4),
            "parts": _i64(1, 5),
        },
    ),
}


@pytest.mark.parametrize("case", sorted(NUMERIC_CASES))
def test_lowered_float_graph_computes_what_the_reference_does(case: str) -> None:
    module = import_model(prepare_model(NUMERIC_CASES[case], Path(f"{case}.onnx"), {}))
    inputs = [
        RNG.standard_normal(shape_of_arg).astype(np.float32)
        for shape_of_arg in (arg.type.get_shape() for arg in main_func(module).args)
    ]
    expected = run_module(module, inputs)
    ctx = make_context()
    func = lower_and_plan(ctx, module.clone())
    actual = run_kernel_ir(func, inputs)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


INT8_ZOO = _graph(
    [
        N("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        N("Clip", ["c", "lo", "hi"], ["cl"]),
        N("Relu", ["x"], ["r"]),
        N("Add", ["cl", "r"], ["a"]),
        N("Sub", ["a", "x"], ["s"]),
        N("Mul", ["s", "r"], ["m"]),
        N("MaxPool", ["m"], ["mp"], kernel_shape=[2, 2], strides=[2, 2]),
        N("AveragePool", ["m"], ["ap"], kernel_shape=[2, 2], strides=[2, 2], pads=[1, 1, 0, 0]),
        N("Concat", ["mp", "ap"], ["cat"], axis=1),
        N("Slice", ["cat", "st", "en", "ax"], ["sl"]),
        N("Split", ["sl"], ["p", "q"], axis=1, num_outputs=2),
        N("Transpose", ["p"], ["t"], perm=[0, 1, 3, 2]),
        N("GlobalMaxPool", ["t"], ["g"]),
        N("GlobalAveragePool", ["q"], ["ga"]),
        N("Squeeze", ["g", "ax23"], ["sq"]),
        N("Unsqueeze", ["sq", "ax0"], ["un"]),
        N("Reshape", ["ga", "s2"], ["re"]),
        N("Flatten", ["un"], ["fl"]),
        N("Gemm", ["re", "wg"], ["ge"], transB=1),
        N("MatMul", ["fl", "wm"], ["mm"]),
        N("Add", ["ge", "mm"], ["y"]),
    ],
    X,
    ["y"],
    {
        "w": _w(4, 4, 3, 3),
        "b": _w(4),
        "lo": np.float32(-1),
        "hi": np.float32(1),
        "st": _i64(0, 1),
        "en": _i64(6, 3),
        "ax": _i64(1, 2),
        "ax23": _i64(2, 3),
        "ax0": _i64(0),
        "s2": _i64(1, 3),
        "wg": _w(5, 3),
        "wm": _w(3, 5),
    },
)


def test_int8_ops_lower_in_int8(tmp_path: Path) -> None:
    """Every op the reference runs in INT8 lowers with quantized buffers, and verifies."""
    ctx, module = compile_int8(INT8_ZOO, tmp_path)
    int8_ops = [
        op
        for op in main_func(module).body.block.ops
        if isinstance(op, OnnxOp)
        and not isinstance(op, ConstantOp)
        and quantized_element(op.results[0].type) is not None
    ]
    kinds = {op.ONNX_TYPE for op in int8_ops}
    assert kinds >= {"Conv", "Clip", "Relu", "Add", "Sub", "Mul", "MaxPool", "AveragePool"}
    assert kinds >= {"Concat", "Slice", "Split", "Transpose", "GlobalMaxPool", "Gemm", "MatMul"}
    func = lower_and_plan(ctx, module)
    check_plan(func)
    quantized = {
        name
        for op in func.body.block.ops
        if isinstance(op, kernel.KernelOp) and kernel.element_kind(op.out_type()) == "quant"
        for name in op.names
    }
    missing = {op.first_output_name for op in int8_ops} - quantized
    assert not missing
