"""`-batchsize=N` on the device: a batch of N gives what N runs of batch 1 give.

INT8 bit for bit (tiny_cnn on all 16 cores, small_resnet on 4 cores, where its
convolutions give each core whole images), FP16 within `FP16_ULPS` of the output's
largest magnitude; the cost report counts N inferences per run.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest

from aicc.api import (
    CompileConfig,
    QuantizationConfig,
    compile,
    dump_profile,
    read_bundle,
    write_bundle,
)
from aicc.base.accuracy import FP16_ULPS
from aicc.frontend.models import small_resnet, tiny_cnn
from aicc.runtime.bundle import DeviceExecutable

X_SHAPE = (1, 3, 32, 32)
BATCH = 4


def executable(config: CompileConfig, directory: Path) -> DeviceExecutable:
    write_bundle(compile(config), directory)
    return read_bundle(directory).executable()


def batch_and_singles(config: CompileConfig, directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """(the batch-N output, the N batch-1 outputs stacked) for fresh inputs."""
    single = executable(config, directory / "b1")
    batched = executable(replace(config, batch_size=BATCH), directory / f"b{BATCH}")
    assert [port.shape for port in batched.inputs] == [(BATCH, *X_SHAPE[1:])]
    xs = np.random.default_rng(17).standard_normal((BATCH, *X_SHAPE[1:])).astype(np.float32)
    (together,), report = batched.run([xs])
    assert report.batch == BATCH
    assert report.inferences_per_second == pytest.approx(BATCH / report.seconds)
    singles = [single.run([x[None]])[0][0] for x in xs]
    return together, np.concatenate(singles)


def int8_config(directory: Path, model: onnx.ModelProto) -> CompileConfig:
    """An INT8 compile with a profile of 4 seeded batch-1 inputs."""
    onnx.save(model, directory / "model.onnx")
    rng = np.random.default_rng(3)
    names = []
    for index in range(4):
        path = directory / f"x{index}.npy"
        np.save(path, rng.standard_normal(X_SHAPE).astype(np.float32))
        names.append(str(path))
    (directory / "list.txt").write_text("\n".join(names) + "\n")
    config = CompileConfig(directory / "model.onnx", input_list=directory / "list.txt")
    profile = directory / "pgq.yaml"
    dump_profile(config, profile)
    return CompileConfig(directory / "model.onnx", QuantizationConfig(profile=profile))


@pytest.mark.parametrize(
    ("build", "cores"), [(tiny_cnn, 16), (small_resnet, 4)], ids=["tiny_cnn", "small_resnet"]
)
def test_int8_batch_equals_batch_one_runs_bit_for_bit(tmp_path: Path, build, cores: int) -> None:
    config = replace(int8_config(tmp_path, build()), num_cores=cores)
    together, singles = batch_and_singles(config, tmp_path)
    assert together.dtype == singles.dtype
    assert np.array_equal(together, singles)


def test_fp16_batch_within_ulps_of_batch_one_runs(tmp_path: Path) -> None:
    onnx.save(small_resnet(), tmp_path / "model.onnx")
    config = CompileConfig(tmp_path / "model.onnx", convert_to_fp16=True, num_cores=4)
    together, singles = batch_and_singles(config, tmp_path)
    ulp = float(np.spacing(np.float16(np.max(np.abs(singles)))))
    assert np.max(np.abs(together - singles)) <= FP16_ULPS * ulp
