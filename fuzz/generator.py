"""Seeded random ONNX graphs for `aicc-fuzz`.

`generate(seed, max_nodes)` builds a valid ONNX DAG of 1 to `max_nodes` nodes over
the op set aicc supports: Conv in every form (depthwise, grouped, dilated, strided,
asymmetric pads, 1x1) on odd channel counts, BatchNormalization, pools with
ceil_mode and count_include_pad, Gemm and MatMul, broadcasting elementwise ops,
Concat, Split, Slice, Reshape, Flatten, Transpose, Softmax, activations, Resize
nearest, ReduceMax / ReduceMean / ReduceSum, Pad (constant, reflect, edge),
ConvTranspose, residual Adds and fan-out. Inputs and weights come in scales 1e-3, 1 and
1e3. The case also carries the precision choices of its compiles: a random
`FP16NodeInstanceNames` subset and random `-keep-original-precision-for-nodes`
kinds. The same seed gives the same case, byte for byte.

Each node is named by its first output (`n0`, `n1`, ...), as node-precision-info
files expect. Shapes come from onnx's own shape inference after each node, so
every op's shape rule is onnx's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from aicc.lowering.onnx_to_kernel.support import claimed_precisions

OPSET = 17
SCALES = (1e-3, 1.0, 1e3)
"""Input and weight magnitudes: FP16 range and INT8 saturation both get exercised."""
CHANNELS = (1, 2, 3, 4, 5, 8, 16, 17, 33)
"""Channel counts, most of them no multiple of 8, 16 or 32."""
MAX_ELEMENTS = 8192
"""No activation tensor grows beyond this many elements, so a graph runs in well under a second."""
METADATA_KEY = "aicc-fuzz"
"""The model metadata entry holding the case's inputs and precision choices."""
INPUT = "x"


@dataclass(frozen=True)
class FuzzCase:
    """A generated model and what its compiles use besides the model."""

    model: onnx.ModelProto
    seed: int
    input_scale: float
    fp16_names: tuple[str, ...]
    keep_kinds: tuple[str, ...]

    @property
    def node_count(self) -> int:
        return len(self.model.graph.node)

    def with_model(self, model: onnx.ModelProto) -> FuzzCase:
        """This case around another model (a reduced one): precision choices that name
        vanished nodes are dropped."""
        names = {node.output[0] for node in model.graph.node}
        kinds = {node.op_type for node in model.graph.node}
        return FuzzCase(
            stamp(model, self.seed, self.input_scale, self.fp16_names, self.keep_kinds),
            self.seed,
            self.input_scale,
            tuple(n for n in self.fp16_names if n in names),
            tuple(k for k in self.keep_kinds if k in kinds),
        )


def stamp(
    model: onnx.ModelProto,
    seed: int,
    input_scale: float,
    fp16_names: tuple[str, ...],
    keep_kinds: tuple[str, ...],
) -> onnx.ModelProto:
    """A copy of `model` recording the case's other choices in its metadata."""
    names = {node.output[0] for node in model.graph.node}
    kinds = {node.op_type for node in model.graph.node}
    data = {
        "seed": seed,
        "input_scale": input_scale,
        "fp16": [n for n in fp16_names if n in names],
        "keep": [k for k in keep_kinds if k in kinds],
    }
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    del copy.metadata_props[:]
    helper.set_model_props(copy, {METADATA_KEY: json.dumps(data, sort_keys=True)})
    return copy


def case_of(model: onnx.ModelProto) -> FuzzCase:
    """The case a stamped model (e.g. a written reproducer) holds; defaults if unstamped."""
    props = {p.key: p.value for p in model.metadata_props}
    data = json.loads(props.get(METADATA_KEY, "{}"))
    return FuzzCase(
        model,
        int(data.get("seed", 0)),
        float(data.get("input_scale", 1.0)),
        tuple(data.get("fp16", ())),
        tuple(data.get("keep", ())),
    )


def graph_seed(seed: int, index: int) -> int:
    """Graph `index`'s seed in a run seeded `seed`: independent of how graphs are shared
    between workers."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def generate(seed: int, max_nodes: int = 40) -> FuzzCase:
    """The random case for `seed`: a DAG of 1 to `max_nodes` nodes."""
    rng = np.random.default_rng(seed)
    builder = _Builder(rng)
    target = int(rng.integers(1, max_nodes + 1))
    attempts = 0
    while len(builder.nodes) < target and attempts < 20 * target:
        attempts += 1
        builder.step()
    if not builder.nodes:
        builder.add("Relu", [INPUT], {})
    model = builder.model()
    fp16_able = [
        node.output[0] for node in model.graph.node if "f16" in claimed_precisions(node.op_type)
    ]
    fp16: list[str] = []
    if fp16_able and rng.random() < 0.7:
        count = int(rng.integers(1, len(fp16_able) + 1))
        fp16 = sorted(str(n) for n in rng.choice(fp16_able, count, replace=False))
    kinds = sorted({node.op_type for node in model.graph.node})
    keep: list[str] = []
    if rng.random() < 0.3:
        count = int(rng.integers(1, len(kinds) + 1))
        keep = sorted(str(k) for k in rng.choice(kinds, count, replace=False))
    return FuzzCase(
        stamp(model, seed, builder.input_scale, tuple(fp16), tuple(keep)),
        seed,
        builder.input_scale,
        tuple(fp16),
        tuple(keep),
    )


Shape = tuple[int, ...]
OpMaker = Callable[["_Builder", str, Shape], bool]


class _Builder:
    """The graph under construction: nodes, initializers and every tensor's shape."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.input_scale = float(rng.choice(SCALES, p=[0.2, 0.6, 0.2]))
        self.input_shape = self._input_shape()
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.shapes: dict[str, Shape] = {INPUT: self.input_shape}
        self.order: list[str] = [INPUT]

    def _input_shape(self) -> Shape:
        rng = self.rng
        if rng.random() < 0.15:
            return (1, int(rng.choice([1, 3, 5, 16, 17, 33, 64])))
        c = int(rng.choice(CHANNELS))
        h = int(rng.integers(1, 41))
        w = int(rng.integers(1, 41)) if rng.random() < 0.5 else h
        while c * h * w > MAX_ELEMENTS // 2:
            h, w = max(1, h // 2), max(1, w // 2)
        return (1, c, h, w)

    # -- building blocks ------------------------------------------------------------

    def choice(self, options: Any) -> Any:
        return options[int(self.rng.integers(len(options)))]

    def weight(self, shape: Shape, fan_in: int = 1, positive: bool = False) -> str:
        scale = float(self.rng.choice(SCALES, p=[0.1, 0.8, 0.1])) / max(1, fan_in) ** 0.5
        value = self.rng.standard_normal(shape) * scale
        if positive:
            value = np.abs(value) + 0.5 * scale
        return self.constant(value.astype(np.float32))

    def constant(self, value: np.ndarray) -> str:
        name = f"w{len(self.initializers)}"
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def ints(self, values: list[int]) -> str:
        return self.constant(np.asarray(values, dtype=np.int64))

    def add(self, op_type: str, inputs: list[str], attrs: dict[str, Any], outputs: int = 1) -> bool:
        """Append a node if onnx infers its output shapes within bounds; else leave the graph."""
        first = f"n{len(self.nodes)}"
        names = [first] + [f"{first}_{i}" for i in range(1, outputs)]
        node = helper.make_node(op_type, inputs, names, name=first, **attrs)
        shapes = self._infer(node)
        if shapes is None or any(min(s) < 1 or int(np.prod(s)) > MAX_ELEMENTS for s in shapes):
            return False
        self.nodes.append(node)
        for name, shape in zip(names, shapes, strict=True):
            self.shapes[name] = shape
            self.order.append(name)
        return True

    def _infer(self, node: onnx.NodeProto) -> list[Shape] | None:
        graph = helper.make_graph(
            [*self.nodes, node],
            "g",
            [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, self.input_shape)],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in node.output],
            self.initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        try:
            inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        except Exception:  # onnx raises InferenceError and friends for invalid nodes
            return None
        found: dict[str, Shape] = {}
        for info in [*inferred.graph.value_info, *inferred.graph.output]:
            dims = info.type.tensor_type.shape.dim
            if info.name in node.output and all(d.HasField("dim_value") for d in dims):
                found[info.name] = tuple(d.dim_value for d in dims)
        if not all(o in found and found[o] for o in node.output):
            return None
        return [found[o] for o in node.output]

    def step(self) -> None:
        """Add one random node reading a recent tensor (a chain) or any tensor (fan-out)."""
        source = self.order[-1] if self.rng.random() < 0.65 else self.choice(self.order)
        shape = self.shapes[source]
        makers = [m for rank, m in _MAKERS if rank is None or rank == len(shape)]
        maker = self.choice(makers)
        before = len(self.initializers)
        if not maker(self, source, shape):
            del self.initializers[before:]  # the refused node's weights

    def model(self) -> onnx.ModelProto:
        consumed = {i for node in self.nodes for i in node.input}
        outputs = [n for n in self.order[1:] if n not in consumed]
        graph = helper.make_graph(
            self.nodes,
            "fuzz",
            [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, self.input_shape)],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, self.shapes[n]) for n in outputs],
            self.initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 8
        return model

    def same_shape_tensor(self, source: str, shape: Shape) -> str | None:
        """Another tensor of `shape` (a residual operand), if any."""
        others = [n for n in self.order if self.shapes[n] == shape and n != source]
        return self.choice(others) if others else None


# -- op makers: each adds one node reading `source` (of `shape`) or returns False ----


def _conv(b: _Builder, source: str, shape: Shape) -> bool:
    _, c, h, w = shape
    rng = b.rng
    form = b.choice(["plain", "plain", "1x1", "depthwise", "grouped"])
    k = 1 if form == "1x1" else int(b.choice([1, 2, 3, 3, 5]))
    group = 1
    out = int(b.choice(CHANNELS))
    if form == "depthwise":
        group, out = c, c * int(b.choice([1, 1, 2]))
    elif form == "grouped":
        divisors = [g for g in range(2, c + 1) if c % g == 0]
        if not divisors:
            return False
        group = int(b.choice(divisors))
        out = group * int(b.choice([1, 2, 3]))
    dilation = int(b.choice([1, 1, 1, 2]))
    stride = int(b.choice([1, 1, 2, 3]))
    pads = [int(rng.integers(0, k)) for _ in range(4)] if rng.random() < 0.7 else [0] * 4
    span = (k - 1) * dilation + 1
    if span > h + pads[0] + pads[2] or span > w + pads[1] + pads[3]:
        return False
    fan_in = (c // group) * k * k
    inputs = [source, b.weight((out, c // group, k, k), fan_in)]
    if rng.random() < 0.7:
        inputs.append(b.weight((out,)))
    attrs: dict[str, Any] = {"kernel_shape": [k, k], "pads": pads, "group": group}
    if stride != 1:
        attrs["strides"] = [stride, stride]
    if dilation != 1:
        attrs["dilations"] = [dilation, dilation]
    return b.add("Conv", inputs, attrs)


def _batch_norm(b: _Builder, source: str, shape: Shape) -> bool:
    c = shape[1]
    rng = b.rng
    scale = b.constant((1.0 + 0.2 * rng.standard_normal(c)).astype(np.float32))
    bias = b.constant((0.2 * rng.standard_normal(c)).astype(np.float32))
    mean = b.constant((0.2 * rng.standard_normal(c)).astype(np.float32))
    var = b.constant((0.5 + rng.random(c)).astype(np.float32))
    return b.add("BatchNormalization", [source, scale, bias, mean, var], {})


def _pool(b: _Builder, source: str, shape: Shape) -> bool:
    rng = b.rng
    op = b.choice(["MaxPool", "AveragePool"])
    k = int(b.choice([1, 2, 3]))
    stride = int(b.choice([1, 2, 2, 3]))
    pads = [int(rng.integers(0, k)) for _ in range(4)] if rng.random() < 0.5 else [0] * 4
    attrs: dict[str, Any] = {"kernel_shape": [k, k], "strides": [stride, stride], "pads": pads}
    ceil = rng.random() < 0.4
    if ceil:
        attrs["ceil_mode"] = 1
    if op == "AveragePool" and rng.random() < 0.5:
        attrs["count_include_pad"] = 1
    spatial = zip(shape[2:], pads[:2], pads[2:], strict=True)
    if not all(_pool_is_defined(n, lo, hi, k, stride, ceil) for n, lo, hi in spatial):
        return False
    return b.add(op, [source], attrs)


def _pool_is_defined(size: int, lo: int, hi: int, k: int, stride: int, ceil: bool) -> bool:
    """Whether a pooling window fits the padded axis, and, with ceil_mode, whether its last
    window starts inside the input or left padding: onnx's shape inference keeps a window
    starting in the right padding, which onnxruntime and aicc (as PyTorch) drop, so the
    graph would mean two different shapes."""
    span = size + lo + hi - k
    if span < 0:
        return False
    last_start = (-(-span // stride) if ceil else span // stride) * stride
    return last_start < size + lo


def _global_pool(b: _Builder, source: str, shape: Shape) -> bool:
    return b.add(b.choice(["GlobalAveragePool", "GlobalMaxPool"]), [source], {})


_ACTIVATIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Relu", {}),
    ("Relu", {}),
    ("LeakyRelu", {"alpha": 0.1}),
    ("Sigmoid", {}),
    ("Tanh", {}),
    ("HardSigmoid", {}),
    ("HardSwish", {}),
    ("Elu", {}),
    ("Selu", {}),
    ("Softsign", {}),
    ("Softplus", {}),
    ("Abs", {}),
    ("Neg", {}),
)


def _activation(b: _Builder, source: str, shape: Shape) -> bool:
    if b.rng.random() < 0.2:
        low, high = sorted(float(v) for v in b.rng.standard_normal(2))
        bounds = [
            b.constant(np.asarray(low, np.float32)),
            b.constant(np.asarray(high + 0.5, np.float32)),
        ]
        return b.add("Clip", [source, *bounds], {})
    op, attrs = b.choice(_ACTIVATIONS)
    return b.add(op, [source], attrs)


def _binary(b: _Builder, source: str, shape: Shape) -> bool:
    rng = b.rng
    op = b.choice(["Add", "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum"])
    other = b.same_shape_tensor(source, shape) if rng.random() < 0.5 and op != "Div" else None
    if other is None:
        broadcast = [list(shape), [shape[-1]], []]
        if len(shape) == 4:
            broadcast += [[shape[1], 1, 1], [1, shape[1], 1, 1], [shape[2], shape[3]]]
        dims = tuple(b.choice(broadcast))
        if op == "Div":
            value = (rng.choice([-1.0, 1.0], dims) * (0.5 + rng.random(dims))).astype(np.float32)
            other = b.constant(value)
        else:
            other = b.weight(dims)
    inputs = [source, other] if rng.random() < 0.7 or op == "Div" else [other, source]
    return b.add(op, inputs, {})


def _softmax(b: _Builder, source: str, shape: Shape) -> bool:
    axis = int(b.rng.integers(-len(shape), len(shape)))
    return b.add(b.choice(["Softmax", "Softmax", "LogSoftmax"]), [source], {"axis": axis})


def _concat(b: _Builder, source: str, shape: Shape) -> bool:
    axis = int(b.rng.integers(1, len(shape)))
    others = [
        n
        for n in b.order
        if len(b.shapes[n]) == len(shape)
        and all(
            d == e for i, (d, e) in enumerate(zip(b.shapes[n], shape, strict=True)) if i != axis
        )
    ]
    picks = [source] + [b.choice(others) for _ in range(int(b.rng.integers(1, 3)))]
    b.rng.shuffle(picks)
    return b.add("Concat", picks, {"axis": axis})


def _split(b: _Builder, source: str, shape: Shape) -> bool:
    axis = int(b.rng.integers(1, len(shape)))
    if shape[axis] < 2:
        return False
    first = int(b.rng.integers(1, shape[axis]))
    sizes = b.ints([first, shape[axis] - first])
    return b.add("Split", [source, sizes], {"axis": axis}, outputs=2)


def _slice(b: _Builder, source: str, shape: Shape) -> bool:
    rng = b.rng
    axis = int(rng.integers(1, len(shape)))
    size = shape[axis]
    start = int(rng.integers(0, size))
    end = int(rng.integers(start + 1, size + 1))
    step = int(b.choice([1, 1, 2]))
    inputs = [source, b.ints([start]), b.ints([end]), b.ints([axis]), b.ints([step])]
    return b.add("Slice", inputs, {})


def _reshape(b: _Builder, source: str, shape: Shape) -> bool:
    total = int(np.prod(shape))
    if b.rng.random() < 0.3:
        axis = int(b.rng.integers(-len(shape), len(shape) + 1))
        return b.add("Flatten", [source], {"axis": axis})
    options: list[list[int]] = [[1, total], [1, -1]]
    if len(shape) == 4:
        options += [[1, shape[1], shape[2] * shape[3]], [1, shape[1] * shape[2], shape[3], 1]]
    else:
        divisors = [d for d in CHANNELS if total % d == 0 and d > 1]
        if divisors:
            d = int(b.choice(divisors))
            options.append([1, d, total // d, 1])
    return b.add("Reshape", [source, b.ints(b.choice(options))], {})


def _transpose(b: _Builder, source: str, shape: Shape) -> bool:
    perm = [0, *(int(i) + 1 for i in b.rng.permutation(len(shape) - 1))]
    return b.add("Transpose", [source], {"perm": perm})


def _resize(b: _Builder, source: str, shape: Shape) -> bool:
    factor = float(b.choice([2.0, 2.0, 3.0, 0.5]))
    scales = b.constant(np.asarray([1.0, 1.0, factor, factor], dtype=np.float32))
    attrs: dict[str, Any] = {"mode": "nearest"}
    if b.rng.random() < 0.5:
        attrs |= {"coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"}
    return b.add("Resize", [source, "", scales], attrs)


def _reduce(b: _Builder, source: str, shape: Shape) -> bool:
    """ReduceMax / ReduceMean (axes attribute at this opset) or ReduceSum (axes input)."""
    kind = str(b.choice(["ReduceMax", "ReduceMean", "ReduceSum"]))
    rank = len(shape)
    count = int(b.rng.integers(1, rank))
    axes = sorted(int(a) + 1 for a in b.rng.permutation(rank - 1)[:count])
    keepdims = int(rank - count < 2 or b.rng.random() < 0.7)
    if kind == "ReduceSum":
        return b.add(kind, [source, b.ints(axes)], {"keepdims": keepdims})
    return b.add(kind, [source], {"axes": axes, "keepdims": keepdims})


def _pad(b: _Builder, source: str, shape: Shape) -> bool:
    """Pad in constant, reflect or edge mode; constant and edge may crop (negative pads)."""
    mode = str(b.choice(["constant", "reflect", "edge"]))
    rng = b.rng
    lowest = -1 if mode != "reflect" else 0
    begin = [0] + [int(rng.integers(lowest, 3)) for _ in shape[1:]]
    end = [0] + [int(rng.integers(lowest, 3)) for _ in shape[1:]]
    sides = list(zip(begin, end, shape, strict=True))
    if mode == "reflect" and any(max(p, q) >= n for p, q, n in sides):
        return False
    if any(n + min(p, 0) + min(q, 0) < 1 for p, q, n in sides):
        return False  # onnxruntime refuses to pad an axis cropped away
    inputs = [source, b.ints(begin + end)]
    if mode == "constant" and rng.random() < 0.5:
        inputs.append(b.constant(np.asarray(1.5, dtype=np.float32)))
    return b.add("Pad", inputs, {"mode": mode})


def _conv_transpose(b: _Builder, source: str, shape: Shape) -> bool:
    c = shape[1]
    rng = b.rng
    divisors = [g for g in range(1, c + 1) if c % g == 0]
    group = int(b.choice(divisors)) if rng.random() < 0.3 else 1
    per_group = int(b.choice([1, 2, 3, 8]))
    k = int(b.choice([1, 2, 3, 4]))
    stride = int(b.choice([1, 2, 2, 3]))
    dilation = int(b.choice([1, 1, 2]))
    pads = [int(rng.integers(0, k)) for _ in range(4)] if rng.random() < 0.5 else [0] * 4
    inputs = [source, b.weight((c, per_group, k, k), (c // group) * k * k)]
    if rng.random() < 0.5:
        inputs.append(b.weight((per_group * group,)))
    attrs: dict[str, Any] = {"kernel_shape": [k, k], "pads": pads, "group": group}
    if stride != 1:
        attrs["strides"] = [stride, stride]
        if rng.random() < 0.3:
            attrs["output_padding"] = [stride - 1, 0]
    if dilation != 1:
        attrs["dilations"] = [dilation, dilation]
    return b.add("ConvTranspose", inputs, attrs)


def _gemm(b: _Builder, source: str, shape: Shape) -> bool:
    k = shape[1]
    m = int(b.choice([1, 3, 5, 10, 17, 33]))
    trans_b = int(b.rng.integers(0, 2))
    w = b.weight((m, k) if trans_b else (k, m), k)
    inputs = [source, w] + ([b.weight((m,))] if b.rng.random() < 0.7 else [])
    attrs: dict[str, Any] = {"transB": trans_b} if trans_b else {}
    if b.rng.random() < 0.2:
        attrs["alpha"] = 0.5
    return b.add("Gemm", inputs, attrs)


def _matmul(b: _Builder, source: str, shape: Shape) -> bool:
    m = int(b.choice([1, 3, 5, 8, 17]))
    return b.add("MatMul", [source, b.weight((shape[-1], m), shape[-1])], {})


_MAKERS: tuple[tuple[int | None, OpMaker], ...] = (
    (4, _conv),
    (4, _conv),
    (4, _conv),
    (4, _batch_norm),
    (4, _pool),
    (4, _global_pool),
    (4, _resize),
    (None, _activation),
    (None, _activation),
    (None, _binary),
    (None, _binary),
    (None, _softmax),
    (None, _concat),
    (None, _split),
    (None, _slice),
    (None, _reshape),
    (None, _transpose),
    (2, _gemm),
    (2, _gemm),
    (None, _matmul),
    (None, _reduce),
    (None, _pad),
    (4, _conv_transpose),
)
