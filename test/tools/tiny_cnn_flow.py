"""The seed's PGQ flow on files: tiny_cnn, random inputs, an input list and node_precision.yaml."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from aicc.frontend.models import tiny_cnn

X_SHAPE = (1, 3, 32, 32)
FP16_NAMES = "FP16NodeInstanceNames: [conv0, bn0, relu0]\n"


def write_inputs(directory: Path, count: int, seed: int, prefix: str = "in") -> list[str]:
    rng = np.random.default_rng(seed)
    names = [f"{prefix}{index}.npy" for index in range(count)]
    for name in names:
        np.save(directory / name, rng.standard_normal(X_SHAPE).astype(np.float32))
    return names


def make_flow(directory: Path, inputs: int = 4) -> Path:
    """model.onnx, in*.npy, list.txt and node_precision.yaml in `directory`."""
    onnx.save(tiny_cnn(), directory / "model.onnx")
    names = write_inputs(directory, inputs, seed=11)
    (directory / "list.txt").write_text("\n".join(names) + "\n")
    (directory / "node_precision.yaml").write_text(FP16_NAMES)
    return directory
