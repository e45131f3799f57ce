"""One BLAS thread for float products whose bits must not depend on the machine's load.

OpenBLAS gives different float results on one thread and on several: its threaded
GEMM driver cuts the reduction dimension into blocks with another rounding than
the single-threaded driver (K = 1000 already differs), and its threaded GEMV sums
the outputs at the end of each thread's share in another order. The reference
interpreter's products feed profiles, and so bundles, which must be byte-identical
whatever `OPENBLAS_NUM_THREADS` says; `one_blas_thread` runs them on one thread.

numpy's OpenBLAS is found among the libraries loaded in the process (Linux's
`/proc/self/maps`); with another BLAS or elsewhere, `one_blas_thread` does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np  # noqa: F401  (loads the BLAS library this module looks for)

_LIBRARY = re.compile(r"/\S*openblas\S*\.so[0-9.]*")
_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "")
"""OpenBLAS symbol spellings: scipy-openblas (numpy's wheels) and plain, ILP64 or not."""


@dataclass(frozen=True)
class _ThreadControl:
    get: Callable[[], int]
    set: Callable[[int], None]


@functools.cache
def _openblas() -> _ThreadControl | None:
    """The thread count getter and setter of numpy's OpenBLAS, if one is loaded."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    for path in sorted(set(_LIBRARY.findall(maps))):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                getter = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                setter = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                if getter is not None and setter is not None:
                    return _ThreadControl(getter, setter)
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Within the block, numpy's OpenBLAS runs on one thread."""
    control = _openblas()
    threads = 1 if control is None else control.get()
    if control is None or threads == 1:
        yield
        return
    control.set(1)
    try:
        yield
    finally:
        control.set(threads)


def blas_threads() -> int | None:
    """The thread count numpy's OpenBLAS uses now; None if none was found."""
    control = _openblas()
    return None if control is None else control.get()
