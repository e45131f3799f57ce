"""Delta debugging of a failing case: the smallest model on which the same oracle
still fails.

Each reduction gives a valid ONNX model (checked, with shapes inferred in strict
mode) and is kept only if the oracle still fails on it:
- cut downstream: one tensor becomes the only graph output, and what no longer
  feeds it goes;
- cut upstream: a node's input becomes a new graph input of its shape, and what
  only fed it goes;
- bypass: a node whose first input has its output's shape is skipped;
- shrink: a graph input's dimensions (batch excepted) are halved, and so are the
  output channels of each group-1 Conv; the weights of what reads the narrowed
  tensor (BatchNormalization's parameters, through activations, up to the input
  channels of the next group-1 Conv) are cut to match.
Rounds repeat until none of them helps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import onnx
from onnx import helper, numpy_helper

from aicc.fuzz.generator import FuzzCase

StillFails = Callable[[FuzzCase], bool]


def minimize(case: FuzzCase, still_fails: StillFails, time_limit: float = 300.0) -> FuzzCase:
    """The smallest reduction of `case` found within `time_limit` seconds on which
    `still_fails` holds."""
    deadline = time.perf_counter() + time_limit
    changed = True
    while changed and time.perf_counter() < deadline:
        changed = False
        for candidate in _reductions(case.model):
            if time.perf_counter() > deadline:
                break
            reduced = case.with_model(candidate)
            if still_fails(reduced):
                case, changed = reduced, True
                break
    return case


def size(model: onnx.ModelProto) -> tuple[int, int, int]:
    """Nodes, input elements and weight elements: every reduction lowers this."""
    inputs = sum(
        int(np.prod([d.dim_value for d in i.type.tensor_type.shape.dim])) for i in model.graph.input
    )
    weights = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    return len(model.graph.node), inputs, weights


def _reductions(model: onnx.ModelProto) -> Iterator[onnx.ModelProto]:
    """Valid, strictly smaller variants of `model`, the most promising first."""
    shapes = tensor_shapes(model)
    if shapes is None:
        return
    generated = [
        *_cut_downstream(model, shapes),
        *_cut_upstream(model, shapes),
        *_bypasses(model, shapes),
        *_shrink_inputs(model),
        *_shrink_conv_outputs(model),
    ]
    current = size(model)
    for candidate in generated:
        if size(candidate) < current and is_valid(candidate):
            yield candidate


def tensor_shapes(model: onnx.ModelProto) -> dict[str, list[int]] | None:
    """Every tensor's static shape, by onnx's strict shape inference; None if it fails."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    except Exception:  # onnx's InferenceError and friends
        return None
    graph = inferred.graph
    shapes = {}
    for info in [*graph.input, *graph.value_info, *graph.output]:
        dims = info.type.tensor_type.shape.dim
        shapes[info.name] = [d.dim_value for d in dims]
    for tensor in graph.initializer:
        shapes[tensor.name] = list(tensor.dims)
    return shapes


def is_valid(model: onnx.ModelProto) -> bool:
    try:
        onnx.checker.check_model(model)
    except Exception:  # onnx.checker.ValidationError and friends
        return False
    shapes = tensor_shapes(model)
    return shapes is not None and all(
        all(d > 0 for d in shapes.get(o.name, [0])) for o in model.graph.output
    )


def pruned(
    model: onnx.ModelProto,
    outputs: list[str],
    shapes: dict[str, list[int]],
    new_inputs: tuple[str, ...] = (),
) -> onnx.ModelProto:
    """`model` computing only `outputs`, with `new_inputs` cut free of their producers."""
    graph = model.graph
    cut = set(new_inputs)
    needed = set(outputs)
    kept: list[onnx.NodeProto] = []
    for node in reversed(graph.node):
        if any(o in needed for o in node.output) and not set(node.output) & cut:
            kept.append(node)
            needed.update(i for i in node.input if i)
    kept.reverse()
    float_type = onnx.TensorProto.FLOAT
    inputs = [i for i in graph.input if i.name in needed]
    inputs += [helper.make_tensor_value_info(n, float_type, shapes[n]) for n in new_inputs]
    new_graph = helper.make_graph(
        kept,
        graph.name,
        inputs,
        [helper.make_tensor_value_info(n, float_type, shapes[n]) for n in outputs],
        [t for t in graph.initializer if t.name in needed],
    )
    reduced = helper.make_model(new_graph, opset_imports=list(model.opset_import))
    reduced.ir_version = model.ir_version
    return reduced


def _cut_downstream(model: onnx.ModelProto, shapes: dict[str, list[int]]) -> Iterator:
    for node in model.graph.node:
        for output in node.output:
            if output in shapes:
                yield pruned(model, [output], shapes)


def _cut_upstream(model: onnx.ModelProto, shapes: dict[str, list[int]]) -> Iterator:
    produced = {o for node in model.graph.node for o in node.output}
    outputs = [o.name for o in model.graph.output]
    for node in model.graph.node:
        for name in node.input:
            if name in produced and name in shapes and name not in outputs:
                yield pruned(model, outputs, shapes, (name,))


def _bypasses(model: onnx.ModelProto, shapes: dict[str, list[int]]) -> Iterator:
    outputs = [o.name for o in model.graph.output]
    for index, node in enumerate(model.graph.node):
        if len(node.output) != 1 or not node.input or node.output[0] in outputs:
            continue
        source, result = node.input[0], node.output[0]
        if shapes.get(source) != shapes.get(result):
            continue
        copy = onnx.ModelProto()
        copy.CopyFrom(model)
        del copy.graph.node[index]
        for other in copy.graph.node:
            for slot, name in enumerate(other.input):
                if name == result:
                    other.input[slot] = source
        yield pruned(copy, outputs, shapes)


def _shrink_inputs(model: onnx.ModelProto) -> Iterator:
    for index, graph_input in enumerate(model.graph.input):
        dims = graph_input.type.tensor_type.shape.dim
        for axis in range(1, len(dims)):
            if dims[axis].dim_value > 1:
                copy = onnx.ModelProto()
                copy.CopyFrom(model)
                del copy.graph.value_info[:]
                target = copy.graph.input[index].type.tensor_type.shape.dim[axis]
                target.dim_value = max(1, dims[axis].dim_value // 2)
                if axis == 1:
                    _narrow_consumers(copy, graph_input.name, target.dim_value)
                yield _reinferred_outputs(copy)


def _shrink_conv_outputs(model: onnx.ModelProto) -> Iterator:
    for index, node in enumerate(model.graph.node):
        weights = _initializer(model, node.input[1]) if node.op_type == "Conv" else None
        if weights is None or _group(node) != 1 or weights.dims[0] < 2:
            continue
        copy = onnx.ModelProto()
        copy.CopyFrom(model)
        del copy.graph.value_info[:]
        conv = copy.graph.node[index]
        channels = weights.dims[0] // 2
        for name in conv.input[1:]:
            _cut(copy, name, 0, channels)
        _narrow_consumers(copy, conv.output[0], channels)
        yield _reinferred_outputs(copy)


# One channel in, the same channel out: narrowing their input narrows their output.
_CHANNELWISE = {
    "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Elu", "Selu",
    "Softsign", "Softplus", "Abs", "Neg", "Clip",
}  # fmt: skip


def _narrow_consumers(model: onnx.ModelProto, name: str, channels: int) -> None:
    """Cut the channel axis of the weights of what reads `name`: BatchNormalization's
    parameters and group-1 Convs' input channels, following activations."""
    for node in model.graph.node:
        if not node.input or node.input[0] != name:
            continue
        if node.op_type == "Conv" and _group(node) == 1:
            _cut(model, node.input[1], 1, channels)
        elif node.op_type == "BatchNormalization":
            for param in node.input[1:]:
                _cut(model, param, 0, channels)
            _narrow_consumers(model, node.output[0], channels)
        elif node.op_type in _CHANNELWISE:
            _narrow_consumers(model, node.output[0], channels)


def _group(node: onnx.NodeProto) -> int:
    return next((a.i for a in node.attribute if a.name == "group"), 1)


def _initializer(model: onnx.ModelProto, name: str) -> onnx.TensorProto | None:
    return next((t for t in model.graph.initializer if t.name == name), None)


def _cut(model: onnx.ModelProto, name: str, axis: int, size: int) -> None:
    """Keep the first `size` entries of initializer `name` along `axis`, if it is one."""
    tensor = _initializer(model, name)
    if tensor is None or len(tensor.dims) <= axis:
        return
    array = np.take(numpy_helper.to_array(tensor), np.arange(size), axis=axis)
    tensor.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(array), tensor.name))


def _reinferred_outputs(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` with its outputs' shapes inferred again (after an input changed)."""
    for output in model.graph.output:
        output.type.tensor_type.ClearField("shape")
    shapes = tensor_shapes(model)
    if shapes is None:
        return model
    outputs = [o.name for o in model.graph.output]
    return pruned(model, outputs, shapes)
