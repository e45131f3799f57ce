"""INT8 kernels of AveragePool and GlobalAveragePool (MaxPool moves data: `quantized`).

The window sum of `x - z_x` is exact in int64 (padding adds 0, the zero point), and
each output is requantized by the multiplier `s_x / count / s_y` (float64, in that
order), `count` being the taps that window averages over (per `count_include_pad`,
as the FP32 kernel counts them), then offset by `z_y` and saturated.
"""

from __future__ import annotations

import numpy as np

from aicc.dialects.onnx_base import OnnxOp
from aicc.sim.reference.kernels import quantized_kernel
from aicc.sim.reference.kernels.pool import _windows, tap_counts
from aicc.sim.reference.kernels.quantized import input_type, to_result
from aicc.sim.reference.kernels.window import fold_taps, int_attr


def _centered(op: OnnxOp, x: np.ndarray | None) -> tuple[np.ndarray, float]:
    assert x is not None
    source = input_type(op)
    return x.astype(np.int64) - source.zero_point, source.scale


@quantized_kernel("onnx.AveragePool")
def average_pool_i8(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    centered, scale = _centered(op, inputs[0])
    view, window = _windows(op, centered, 0)
    sums = fold_taps(view, np.add, len(window.kernel))
    include_pad = int_attr(op, "count_include_pad") == 1
    counts = tap_counts(window, tuple(centered.shape[2:]), include_pad).astype(np.float64)
    return [to_result(op, sums, scale / counts)]


@quantized_kernel("onnx.GlobalAveragePool")
def global_average_pool_i8(op: OnnxOp, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
    centered, scale = _centered(op, inputs[0])
    axes = tuple(range(2, centered.ndim))
    sums = centered.sum(axis=axes, keepdims=True)
    count = int(np.prod(centered.shape[2:]))
    return [to_result(op, sums, scale / count)]
