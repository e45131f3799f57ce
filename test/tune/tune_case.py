"""A small Conv/BatchNormalization/Relu chain and calibration inputs for the tune tests
(test/tune, and test/tools/test_aicc_tune.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from aicc.frontend.models import conv_bn_relu_chain
from aicc.pipeline.compiler import CompileConfig

CHANNELS, SIZE = 8, 8


def write_case(directory: Path, inputs: int = 3) -> CompileConfig:
    """model.onnx (three blocks) and list.txt of `inputs` seeded inputs in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    onnx.save(conv_bn_relu_chain(3, CHANNELS, SIZE), directory / "model.onnx")
    rng = np.random.default_rng(11)
    lines = []
    for index in range(inputs):
        path = directory / f"x{index}.npy"
        np.save(path, rng.standard_normal((1, CHANNELS, SIZE, SIZE)).astype(np.float32))
        lines.append(str(path))
    (directory / "list.txt").write_text("\n".join(lines) + "\n")
    return CompileConfig(directory / "model.onnx", input_list=directory / "list.txt")
