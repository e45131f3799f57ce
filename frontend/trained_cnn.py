"""A small CNN trained, in numpy, on a synthetic image set: a stand-in for a trained model.

Random weights give activations that are close to Gaussian and calibrate easily; a
trained network has the skewed, long-tailed activations (and the many exact zeros
after each Relu) that calibration methods are meant for. No image data set ships
with the packages aicc depends on (numpy, onnx, onnxruntime), so the data is
synthesized deterministically: 16x16 grey images of four classes of stroke (a
horizontal bar, a vertical bar, a diagonal, a square outline) at a random place,
length, brightness and thickness, on a noisy background with a random offset.

The network is conv0/relu0 (1 -> 8 channels), conv1/relu1 (8 -> 16, stride 2),
conv2/relu2 (16 -> 16, stride 2), gap0 (GlobalAveragePool), flatten0 and fc0 (Gemm,
4 classes). Training is full float64 numpy (im2col convolutions, softmax cross
entropy, SGD with momentum) from a fixed seed on one BLAS thread (whose rounding
does not depend on the load), a few seconds; it reaches about 94% accuracy on
held-out images.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from aicc.base.blas import one_blas_thread

SIZE = 16
CLASSES = 4
_OPSET = 17
_CONVS = ((1, 8, 1), (8, 16, 2), (16, 16, 2))
"""(in channels, out channels, stride) of each 3x3 convolution."""


def shapes_dataset(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` images [count, 1, SIZE, SIZE] (float32) and their labels (int64)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, count)
    images = rng.normal(0.0, 0.35, (count, 1, SIZE, SIZE)) + rng.normal(0.0, 0.3, (count, 1, 1, 1))
    for image, label in zip(images, labels, strict=True):
        _draw(image[0], int(label), rng)
    return images.astype(np.float32), labels.astype(np.int64)


def _draw(image: np.ndarray, label: int, rng: np.random.Generator) -> None:
    brightness = rng.uniform(0.5, 1.5)
    length = int(rng.integers(6, 13))
    width = int(rng.integers(1, 3))
    row, col = (int(v) for v in rng.integers(0, SIZE - length + 1, 2))
    if label == 0:
        image[row : row + width, col : col + length] += brightness
    elif label == 1:
        image[row : row + length, col : col + width] += brightness
    elif label == 2:
        steps = np.arange(length)
        image[row + steps, col + steps] += brightness
    else:
        end = length - 1
        image[row, col : col + length] += brightness
        image[row + end, col : col + length] += brightness
        image[row : row + length, col] += brightness
        image[row : row + length, col + end] += brightness


@dataclass(frozen=True)
class TrainedCnn:
    """The trained model and data it was not trained on."""

    model: onnx.ModelProto
    calibration: np.ndarray
    """Inputs for a quantization profile, [n, 1, SIZE, SIZE]."""
    held_out: np.ndarray
    """Inputs to score on, [n, 1, SIZE, SIZE]."""
    held_out_labels: np.ndarray
    accuracy: float
    """Top-1 accuracy of the float model on `held_out`."""


@functools.cache
def trained_cnn(seed: int = 0, steps: int = 400) -> TrainedCnn:
    """Train the network (cached per process) and export it as ONNX."""
    train_x, train_y = shapes_dataset(4096, seed)
    calibration, _ = shapes_dataset(64, seed + 1)
    held_out, held_out_y = shapes_dataset(256, seed + 2)
    with one_blas_thread():
        params = _train(train_x, train_y, seed, steps)
    logits = _forward(params, held_out.astype(np.float64))[0]
    accuracy = float(np.mean(np.argmax(logits, axis=1) == held_out_y))
    return TrainedCnn(_export(params), calibration, held_out, held_out_y, accuracy)


_Params = list[np.ndarray]
"""conv W, conv B for each of `_CONVS`, then fc W [CLASSES, C], fc B."""


def _init(seed: int) -> _Params:
    rng = np.random.default_rng(seed + 100)
    params: _Params = []
    for c_in, c_out, _ in _CONVS:
        fan_in = 9 * c_in
        params += [rng.normal(0, (2 / fan_in) ** 0.5, (c_out, c_in, 3, 3)), np.zeros(c_out)]
    c_last = _CONVS[-1][1]
    params += [rng.normal(0, (1 / c_last) ** 0.5, (CLASSES, c_last)), np.zeros(CLASSES)]
    return params


def _im2col(x: np.ndarray, stride: int) -> np.ndarray:
    """[n, c, h, w] -> [n, oh, ow, c*9] patches of a 3x3 window with padding 1."""
    n, c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh, ow = (h - 1) // stride + 1, (w - 1) // stride + 1
    cols = np.empty((n, c, 3, 3, oh, ow))
    for i in range(3):
        for j in range(3):
            cols[:, :, i, j] = padded[
                :, :, i : i + stride * oh : stride, j : j + stride * ow : stride
            ]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n, oh, ow, c * 9)


def _col2im(cols: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """The adjoint of `_im2col`: patch gradients summed back onto [n, c, h, w]."""
    n, c, h, w = shape
    oh, ow = cols.shape[1:3]
    patches = cols.reshape(n, oh, ow, c, 3, 3).transpose(0, 3, 4, 5, 1, 2)
    padded = np.zeros((n, c, h + 2, w + 2))
    for i in range(3):
        for j in range(3):
            padded[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride] += patches[
                :, :, i, j
            ]
    return padded[:, :, 1:-1, 1:-1]


def _forward(params: _Params, x: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, ...]]]:
    """Logits and, per convolution, (input, patches, output after Relu)."""
    caches: list[tuple[np.ndarray, ...]] = []
    for index, (_, c_out, stride) in enumerate(_CONVS):
        w, b = params[2 * index], params[2 * index + 1]
        cols = _im2col(x, stride)
        y = np.maximum(cols @ w.reshape(c_out, -1).T + b, 0.0).transpose(0, 3, 1, 2)
        caches.append((x, cols, y))
        x = y
    pooled = x.mean(axis=(2, 3))
    return pooled @ params[-2].T + params[-1], caches


def _gradients(params: _Params, x: np.ndarray, y: np.ndarray) -> _Params:
    logits, caches = _forward(params, x)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    d_logits = shifted / shifted.sum(axis=1, keepdims=True)
    d_logits[np.arange(len(y)), y] -= 1
    d_logits /= len(y)
    last = caches[-1][2]
    pooled = last.mean(axis=(2, 3))
    grads: _Params = [d_logits.T @ pooled, d_logits.sum(axis=0)]
    d_out = np.broadcast_to(
        (d_logits @ params[-2])[:, :, None, None] / (last.shape[2] * last.shape[3]), last.shape
    )
    for index in reversed(range(len(_CONVS))):
        inputs, cols, out = caches[index]
        c_out, stride = _CONVS[index][1], _CONVS[index][2]
        d_pre = np.ascontiguousarray((d_out * (out > 0)).transpose(0, 2, 3, 1))
        w = params[2 * index]
        d_w = d_pre.reshape(-1, c_out).T @ cols.reshape(-1, cols.shape[-1])
        grads = [d_w.reshape(w.shape), d_pre.sum(axis=(0, 1, 2)), *grads]
        if index:
            d_out = _col2im(d_pre @ w.reshape(c_out, -1), inputs.shape, stride)
    return grads


def _train(x: np.ndarray, y: np.ndarray, seed: int, steps: int) -> _Params:
    params = _init(seed)
    velocity = [np.zeros_like(p) for p in params]
    rng = np.random.default_rng(seed + 200)
    batch = 32
    for step in range(steps):
        pick = rng.integers(0, len(x), batch)
        rate = 0.1 if step < steps * 2 // 3 else 0.02
        grads = _gradients(params, x[pick].astype(np.float64), y[pick])
        for p, v, g in zip(params, velocity, grads, strict=True):
            v *= 0.9
            v -= rate * g
            p += v
    return params


def _export(params: _Params) -> onnx.ModelProto:
    nodes: list[onnx.NodeProto] = []
    initializers = []
    x = "input"
    for index, (_, _, stride) in enumerate(_CONVS):
        w, b = f"conv{index}.W", f"conv{index}.B"
        initializers += [_tensor(params[2 * index], w), _tensor(params[2 * index + 1], b)]
        conv, relu = f"conv{index}", f"relu{index}"
        nodes.append(
            helper.make_node(
                "Conv", [x, w, b], [conv], name=conv, pads=[1] * 4, strides=[stride] * 2
            )
        )
        nodes.append(helper.make_node("Relu", [conv], [relu], name=relu))
        x = relu
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap0"], name="gap0"))
    nodes.append(helper.make_node("Flatten", ["gap0"], ["flatten0"], name="flatten0"))
    initializers += [_tensor(params[-2], "fc0.W"), _tensor(params[-1], "fc0.B")]
    nodes.append(
        helper.make_node("Gemm", ["flatten0", "fc0.W", "fc0.B"], ["fc0"], name="fc0", transB=1)
    )
    graph = helper.make_graph(
        nodes,
        "trained_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, SIZE, SIZE])],
        [helper.make_tensor_value_info("fc0", TensorProto.FLOAT, [1, CLASSES])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)])
    model.ir_version = 8
    return model


def _tensor(value: np.ndarray, name: str) -> onnx.TensorProto:
    return numpy_helper.from_array(value.astype(np.float32), name)
