"""Two compiled bundles pinned byte for byte: the sha256 of every file of each. A
change of behaviour anywhere in the pipeline (passes, lowering, planning, printing,
manifest) changes one of them; update a digest only for a change that means to alter
bundles, and say which in the commit. The digests are of format_version 4 (a binary
program and one constant store), whose manifest lists each file's sha256."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest

from aicc.api import CompileConfig, compile, dump_profile, write_bundle
from aicc.frontend.models import small_resnet, tiny_cnn

TINY_CNN_INT8 = "697815d7e1bb7f1b71c64809bd4f36d3f2efcaee5c02a86530e2945eefdb0e39"
SMALL_RESNET_FP16 = "6b84a543f947bf62f3b20c6ddd596a38b7ac20dfc014edc566537e9171b72918"


def bundle_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.iterdir()):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The model, inputs and bundles in a fresh folder, named relative to it."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(3)
    for index in range(4):
        np.save(f"x{index}.npy", rng.standard_normal((1, 3, 32, 32)).astype(np.float32))
    Path("list.txt").write_text("".join(f"x{index}.npy\n" for index in range(4)))
    return tmp_path


def test_tiny_cnn_int8_bundle_is_unchanged(workdir: Path) -> None:
    onnx.save(tiny_cnn(), "tiny_cnn.onnx")
    config = CompileConfig(Path("tiny_cnn.onnx"), input_list=Path("list.txt"))
    dump_profile(config, Path("pgq.yaml"))
    quantized = replace(config.quantization, profile=Path("pgq.yaml"))
    write_bundle(compile(replace(config, quantization=quantized)), Path("int8"))
    assert bundle_digest(Path("int8")) == TINY_CNN_INT8


def test_small_resnet_fp16_bundle_is_unchanged(workdir: Path) -> None:
    onnx.save(small_resnet(), "small_resnet.onnx")
    write_bundle(
        compile(CompileConfig(Path("small_resnet.onnx"), convert_to_fp16=True)), Path("fp16")
    )
    assert bundle_digest(Path("fp16")) == SMALL_RESNET_FP16
