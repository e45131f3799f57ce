"""Float products give the same bits whatever OPENBLAS_NUM_THREADS says.

`one_blas_thread`, and the reference kernels' `product` that runs in it.

The shapes are ones where OpenBLAS's threaded drivers sum in another order than its
single-threaded ones (GEMM with K = 1000, a 2048 x 1000 GEMV).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from aicc.base.blas import blas_threads, one_blas_thread

PRODUCTS = """
import hashlib
import numpy as np
from aicc.sim.reference.kernels.linalg import product
rng = np.random.default_rng(0)
for m, k, n in [(16, 1000, 999), (2, 999, 1000), (1, 2048, 1000)]:
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    print(hashlib.sha256(product(a, b).tobytes()).hexdigest())
"""


def products_with(threads: str) -> list[str]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTS], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_products_do_not_depend_on_the_thread_count() -> None:
    one = products_with("1")
    assert len(one) == 3
    assert products_with("2") == one


def test_the_thread_count_is_restored() -> None:
    before = blas_threads()
    if before is None:
        pytest.skip("numpy's BLAS is not an OpenBLAS this process can see")
    with one_blas_thread():
        assert blas_threads() == 1
        square = np.ones((64, 64), dtype=np.float32)
        assert (square @ square)[0, 0] == 64
    assert blas_threads() == before
