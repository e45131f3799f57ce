"""Models that aicc builds itself: the embedded default CNN and synthetic benchmarks.

They are built with `onnx.helper` and seeded weights, so nothing is downloaded
and every run sees the same model. Op instances are named by their first output
name (`conv0`, `bn0`, `relu0`, ...), as node-precision-info files expect.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class _GraphBuilder:
    """Accumulates nodes and seeded initializers; names nodes by their first output."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def weight(self, name: str, shape: tuple[int, ...], scale: float = 0.1) -> str:
        value = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op_type: str, inputs: list[str], output: str, **attrs: Any) -> str:
        # Any, as make_node's **kwargs: ONNX attribute values of every kind.
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attrs))
        return output

    def conv_bn_relu(self, x: str, c_in: int, c_out: int, index: int, stride: int = 1) -> str:
        bn = self.conv_bn(x, c_in, c_out, index, stride)
        return self.node("Relu", [bn], f"relu{index}")

    def conv_bn(
        self, x: str, c_in: int, c_out: int, index: int, stride: int = 1, kernel: int = 3
    ) -> str:
        fan_in = kernel * kernel * c_in
        shape = (c_out, c_in, kernel, kernel)
        w = self.weight(f"conv{index}.W", shape, scale=(2.0 / fan_in) ** 0.5)
        b = self.weight(f"conv{index}.B", (c_out,))
        pad = kernel // 2
        # Stride 1 is left to ONNX's default, so the older models keep their bytes.
        strides = {} if stride == 1 else {"strides": [stride, stride]}
        conv = self.node("Conv", [x, w, b], f"conv{index}", pads=[pad] * 4, **strides)
        gamma = self.initializer(f"bn{index}.scale", 1.0 + 0.1 * self.rng.standard_normal(c_out))
        beta = self.initializer(f"bn{index}.B", 0.1 * self.rng.standard_normal(c_out))
        mean = self.initializer(f"bn{index}.mean", 0.1 * self.rng.standard_normal(c_out))
        var = self.initializer(f"bn{index}.var", 1.0 + 0.2 * self.rng.random(c_out))
        return self.node("BatchNormalization", [conv, gamma, beta, mean, var], f"bn{index}")

    def initializer(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(value.astype(np.float32), name))
        return name

    def model(self, name: str, x_shape: list[int], y: str, y_shape: list[int]) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, x_shape)],
            [helper.make_tensor_value_info(y, TensorProto.FLOAT, y_shape)],
            self.initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 8
        return model


def tiny_cnn(seed: int = 0) -> onnx.ModelProto:
    """The embedded default model: a small residual CNN on 1x3x32x32 inputs.

    conv0/bn0/relu0 -> conv1/bn1/relu1 -> add0 (residual) -> pool0 (MaxPool)
    -> conv2/bn2/relu2 -> gap0 (GlobalAveragePool) -> flatten0 -> fc0 (Gemm, 10 classes).
    """
    g = _GraphBuilder(seed)
    r0 = g.conv_bn_relu("input", 3, 16, 0)
    r1 = g.conv_bn_relu(r0, 16, 16, 1)
    add = g.node("Add", [r0, r1], "add0")
    pool = g.node("MaxPool", [add], "pool0", kernel_shape=[2, 2], strides=[2, 2])
    r2 = g.conv_bn_relu(pool, 16, 32, 2)
    gap = g.node("GlobalAveragePool", [r2], "gap0")
    flat = g.node("Flatten", [gap], "flatten0")
    fc_w = g.weight("fc0.W", (10, 32), scale=0.3)
    fc_b = g.weight("fc0.B", (10,))
    g.node("Gemm", [flat, fc_w, fc_b], "fc0", transB=1)
    return g.model("tiny_cnn", [1, 3, 32, 32], "fc0", [1, 10])


def small_resnet(seed: int = 0) -> onnx.ModelProto:
    """A ResNet-style model with residual Adds on 1x3x32x32 inputs.

    A stem (conv0/bn0/relu0, MaxPool pool0), then two basic blocks: the first
    keeps 16 channels with an identity shortcut (add1), the second goes to 32
    channels at stride 2 with a 1x1 projection shortcut (convp/bnp, add2);
    each Add is followed by a Relu. GlobalAveragePool, Flatten and a Gemm fc0
    to 10 classes end it.
    """
    g = _GraphBuilder(seed)
    stem = g.conv_bn_relu("input", 3, 16, 0)
    x = g.node("MaxPool", [stem], "pool0", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    y = g.conv_bn_relu(x, 16, 16, 1)
    y = g.conv_bn(y, 16, 16, 2)
    x = g.node("Relu", [g.node("Add", [x, y], "add1")], "relu_add1")
    y = g.conv_bn_relu(x, 16, 32, 3, stride=2)
    y = g.conv_bn(y, 32, 32, 4)
    shortcut = g.conv_bn(x, 16, 32, 5, stride=2, kernel=1)
    x = g.node("Relu", [g.node("Add", [shortcut, y], "add2")], "relu_add2")
    gap = g.node("GlobalAveragePool", [x], "gap0")
    flat = g.node("Flatten", [gap], "flatten0")
    fc_w = g.weight("fc0.W", (10, 32), scale=0.3)
    fc_b = g.weight("fc0.B", (10,))
    g.node("Gemm", [flat, fc_w, fc_b], "fc0", transB=1)
    return g.model("small_resnet", [1, 3, 32, 32], "fc0", [1, 10])


def conv_bn_relu_chain(
    blocks: int, channels: int = 16, size: int = 32, seed: int = 0
) -> onnx.ModelProto:
    """A chain of `blocks` Conv/BatchNormalization/Relu blocks on 1 x channels x size x size."""
    g = _GraphBuilder(seed)
    x = "input"
    for index in range(blocks):
        x = g.conv_bn_relu(x, channels, channels, index)
    shape = [1, channels, size, size]
    return g.model(f"chain{blocks}", shape, x, shape)


def randomize_constant_of_shape(model: onnx.ModelProto, seed: int = 0) -> onnx.ModelProto:
    """A copy of `model` whose ConstantOfShape weights are seeded random initializers.

    The ONNX light models hold their weights as ConstantOfShape splats, so their
    shipped outputs are one repeated value. Random weights make a comparison
    meaningful: multi-dimensional tensors get He-scaled normal values; vectors
    (biases, BatchNormalization parameters) get values in [0.5, 1.5], positive so
    that a variance stays valid.
    """
    rng = np.random.default_rng(seed)
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    shapes = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    kept: list[onnx.NodeProto] = []
    for node in graph.node:
        shape = shapes.get(node.input[0]) if node.op_type == "ConstantOfShape" else None
        if shape is None:
            kept.append(node)
            continue
        dims = tuple(int(d) for d in shape)
        if len(dims) >= 2:
            fan_in = int(np.prod(dims[1:]))
            value = rng.standard_normal(dims) * (2.0 / fan_in) ** 0.5
        else:
            value = rng.uniform(0.5, 1.5, dims)
        graph.initializer.append(numpy_helper.from_array(value.astype(np.float32), node.output[0]))
        if out.ir_version <= 3:
            graph.input.append(
                helper.make_tensor_value_info(node.output[0], TensorProto.FLOAT, dims)
            )
    del graph.node[:]
    graph.node.extend(kept)
    return out
