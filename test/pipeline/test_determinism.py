"""Determinism: the same model and inputs give the same bytes.

Bundles and profiles are byte-identical across runs, PYTHONHASHSEED values, BLAS
thread counts (the reference kernels' products run on one thread, see
`aicc.base.blas` and `test/base/test_blas.py` for shapes where it matters) and the
folder the compile runs from (each run a fresh process, `determinism_flow.py`).
A profile is the same whatever the order of the input list and however the list
is split into shards merged afterwards (hypothesis, in process).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aicc.api import CompileConfig, QuantizationConfig, dump_profile, merge_profile_files
from aicc.frontend.models import tiny_cnn

FLOW = Path(__file__).with_name("determinism_flow.py")
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
SCALES = (1e-3, 1.0, 1e3, 1.0, 1e-3, 1e3)
"""One input per scale: each order and split widens the ranges differently."""


@dataclass(frozen=True)
class Run:
    """One fresh process of `determinism_flow.py`: its environment and paths."""

    hash_seed: str
    threads: str
    absolute: bool

    def start(self, work: Path) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "PYTHONHASHSEED": self.hash_seed,
            **dict.fromkeys(BLAS_THREADS, self.threads),
        }
        command = [sys.executable, str(FLOW), str(work / "files"), str(work / "out")]
        if self.absolute:
            command.append("--absolute")
        return subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )


def artifacts(out: Path) -> dict[str, bytes]:
    """Every file under `out`, by relative path."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def test_artifacts_are_byte_identical_across_processes(tmp_path: Path) -> None:
    """Two runs that differ in every respect at once (hash seed, BLAS threads, working
    folder, relative or absolute paths), side by side to halve the wall time."""
    runs = [Run("0", "1", absolute=False), Run("4242", "2", absolute=True)]
    processes = [run.start(tmp_path / str(index)) for index, run in enumerate(runs)]
    try:
        for run, process in zip(runs, processes, strict=True):
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, f"{run}: {stderr}"
    finally:
        for process in processes:
            process.kill()
            process.wait()
    first, second = (artifacts(tmp_path / str(index) / "out") for index in range(len(runs)))
    assert {"pgq.yaml", "int8/manifest.json", "int8/program.aicb", "fp16/program.aicb"} <= set(
        first
    )
    assert sorted(second) == sorted(first)
    assert [name for name in first if second[name] != first[name]] == []


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A folder with tiny_cnn, inputs of several scales and node_precision.yaml; the
    profile of all the inputs in file order."""
    folder = tmp_path_factory.mktemp("calibration")
    onnx.save(tiny_cnn(), folder / "tiny_cnn.onnx")
    (folder / "node_precision.yaml").write_text("FP16NodeInstanceNames: [conv0, bn0, relu0]\n")
    rng = np.random.default_rng(5)
    for index, scale in enumerate(SCALES):
        x = rng.standard_normal((1, 3, 32, 32)) * scale
        np.save(folder / f"x{index}.npy", x.astype(np.float32))
    whole = profile_bytes(folder, range(len(SCALES)), folder / "whole.yaml")
    return folder, whole


def config(folder: Path, listing: Path) -> CompileConfig:
    q = QuantizationConfig(node_precision_info=folder / "node_precision.yaml")
    return CompileConfig(folder / "tiny_cnn.onnx", q, input_list=listing)


def profile_bytes(folder: Path, order: range | list[int], output: Path) -> bytes:
    """The profile over the inputs `order` names, in that order, written to `output`."""
    listing = output.with_suffix(".txt")
    listing.write_text("".join(f"{folder / f'x{index}.npy'}\n" for index in order))
    dump_profile(config(folder, listing), output)
    return output.read_bytes()


@settings(max_examples=10, deadline=None)
@given(order=st.permutations(range(len(SCALES))), data=st.data())
def test_profile_ignores_input_order_and_sharding(
    calibration: tuple[Path, bytes], order: list[int], data: st.DataObject
) -> None:
    folder, whole = calibration
    cuts = data.draw(st.sets(st.integers(1, len(order) - 1), max_size=3), label="cuts")
    bounds = [0, *sorted(cuts), len(order)]
    shards = [order[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    merge_order = data.draw(st.permutations(range(len(shards))), label="merge order")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        assert profile_bytes(folder, order, work / "permuted.yaml") == whole
        paths = [work / f"shard{index}.yaml" for index in range(len(shards))]
        for shard, path in zip(shards, paths, strict=True):
            profile_bytes(folder, shard, path)
        merged = work / "merged.yaml"
        merge_profile_files([paths[index] for index in merge_order], merged)
        assert merged.read_bytes() == whole
