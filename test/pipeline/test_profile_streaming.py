"""Profiling streams its inputs: memory does not grow with the length of the input list.

Inputs are read one inference at a time and the profiler keeps a histogram per
tensor, never activations, so the peak of traced allocations (numpy's included)
over 24 inferences stays within 1.1x of the peak over 4.
`bench/profile_memory_bench.py` measures the whole process over 100 and 2,000.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest

from aicc.api import CompileConfig, dump_profile
from aicc.frontend.models import tiny_cnn

SMALL, LARGE = 4, 24


@pytest.fixture
def tracing() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def peak_bytes(model: Path, listing: Path, output: Path) -> int:
    gc.collect()
    tracemalloc.reset_peak()
    dump_profile(CompileConfig(model, input_list=listing), output)
    return tracemalloc.get_traced_memory()[1]


@pytest.mark.usefixtures("tracing")
def test_peak_memory_does_not_grow_with_the_input_list(tmp_path: Path) -> None:
    model = tmp_path / "tiny_cnn.onnx"
    onnx.save(tiny_cnn(), model)
    rng = np.random.default_rng(0)
    names: list[str] = []
    for index in range(LARGE):
        names.append(str(tmp_path / f"x{index}.npy"))
        np.save(names[-1], rng.standard_normal((1, 3, 32, 32)).astype(np.float32))
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text("\n".join(names[:SMALL]) + "\n")
    large.write_text("\n".join(names) + "\n")
    peak_bytes(model, small, tmp_path / "warm-up.yaml")  # first-use caches and imports
    small_peak = peak_bytes(model, small, tmp_path / "small.yaml")
    large_peak = peak_bytes(model, large, tmp_path / "large.yaml")
    assert large_peak <= 1.1 * small_peak, (small_peak, large_peak)
