"""`run_tasks`: results in argument order, errors named by the task's place."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aicc.base.errors import UserError
from aicc.base.parallel import Parallelism, parse_parallel, run_tasks

PLACES = [f"shard {k} of 6" for k in range(1, 7)]


def square(x: int) -> int:
    return x * x


def refuse_three(x: int) -> int:
    if x == 3:
        raise UserError("calib.txt:4: x3.npy: cannot read: No such file or directory")
    return x


def die_on_four(x: int) -> int:
    if x == 4:
        os._exit(3)  # a worker killed mid-task: no exception reaches the pool
    return x


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("processes:2", Parallelism("processes", workers=2)),
        ("ray", Parallelism("ray")),
        ("ray:10.0.0.1:6379", Parallelism("ray", address="10.0.0.1:6379")),
    ],
)
def test_parse_parallel(text: str, expected: Parallelism) -> None:
    assert parse_parallel(text) == expected
    assert str(parse_parallel(text)) == text


@pytest.mark.parametrize("text", ["processes", "processes:0", "processes:-1", "threads:2", ""])
def test_parse_parallel_refuses(text: str) -> None:
    with pytest.raises(UserError, match=r"expected processes:N"):
        parse_parallel(text)


@pytest.mark.parametrize("parallel", [None, "processes:2"])
def test_results_come_in_argument_order(parallel: str | None) -> None:
    mode = None if parallel is None else parse_parallel(parallel)
    assert list(run_tasks(square, range(6), PLACES, mode)) == [0, 1, 4, 9, 16, 25]


@pytest.mark.parametrize("parallel", [None, "processes:2"])
def test_a_task_error_names_its_place(parallel: str | None) -> None:
    mode = None if parallel is None else parse_parallel(parallel)
    with pytest.raises(UserError) as caught:
        list(run_tasks(refuse_three, range(6), PLACES, mode))
    assert str(caught.value) == (
        "shard 4 of 6: calib.txt:4: x3.npy: cannot read: No such file or directory"
    )


def test_a_dead_worker_is_named_after_a_retry_alone() -> None:
    results = run_tasks(die_on_four, range(6), PLACES, parse_parallel("processes:2"))
    with pytest.raises(UserError, match=r"^shard 5 of 6: the worker process died"):
        list(results)


@pytest.mark.parametrize("blas_threads", ["1", "2"])
def test_workers_start_by_fork_or_from_a_fork_server(blas_threads: str) -> None:
    """One thread: workers fork from the caller; more (BLAS's pool): from a fork server."""
    script = (
        "import numpy\n"
        "from aicc.base.parallel import _single_threaded, parse_parallel, run_tasks\n"
        "from operator import neg\n"
        "print(_single_threaded(), list(run_tasks(neg, [1, 2, 3], 'abc', "
        "parse_parallel('processes:2'))))\n"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": blas_threads, "OMP_NUM_THREADS": blas_threads}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    single = blas_threads == "1"
    assert result.stdout.split("[")[0].strip() == str(single)
    assert result.stdout.strip().endswith("[-1, -2, -3]")
