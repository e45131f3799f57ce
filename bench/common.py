"""Shared timing helpers for the benchmark scripts (not tests).

Importing this module pins numpy's BLAS to THREADS threads, so a script must
import it before anything that imports numpy (onnx does).
"""

from __future__ import annotations

import os

THREADS = 1
"""Both sides of every comparison run with this many threads."""

# OpenBLAS reads these once, when numpy loads it.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import gc  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import onnx  # noqa: E402

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"


def median_seconds(fn: Callable[[], object], runs: int = 5) -> float:
    """Median wall time of `runs` calls after one warm-up call.

    Like `timeit`, garbage is collected before each call and the collector is off
    during it, so a run does not pay for the garbage of the runs before it.
    """
    fn()
    times: list[float] = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times)


def _pinned(options):  # noqa: ANN001, ANN202 (onnxruntime is untyped)
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = THREADS
    return options


def ort_session(model: onnx.ModelProto | bytes):  # noqa: ANN201 (onnxruntime is untyped)
    """A pinned CPU session of the model (or of its serialized bytes)."""
    import onnxruntime as ort

    data = model if isinstance(model, bytes) else model.SerializeToString()
    return ort.InferenceSession(
        data, _pinned(ort.SessionOptions()), providers=["CPUExecutionProvider"]
    )


@contextmanager
def pinned_default_sessions() -> Iterator[None]:
    """Within the block, a bare `onnxruntime.SessionOptions()` also pins THREADS threads.

    onnxruntime's quantization tools (quantize_static's calibration session,
    quant_pre_process's optimizer) build their sessions from a bare
    SessionOptions(), which takes every core; this keeps them at THREADS like
    everything else.
    """
    import onnxruntime as ort

    original = ort.SessionOptions
    ort.SessionOptions = lambda: _pinned(original())
    try:
        yield
    finally:
        ort.SessionOptions = original
