"""Where independent tasks run: in process, in local worker processes, or on Ray.

    -parallel=processes:N     N worker processes on this machine (concurrent.futures)
    -parallel=ray             a Ray cluster: RAY_ADDRESS's, or a local one started here
    -parallel=ray:ADDRESS     the Ray cluster at ADDRESS (`ray start --head` prints it)

`run_tasks(task, args, places, parallelism)` calls `task(arg)` for every argument and
yields the results in argument order, whatever order the workers finish in: callers
that merge results (profiles of calibration shards) then merge in one fixed order.
A task's `UserError` comes back as one line prefixed with the task's place ("shard 2
of 8 (calib.txt:251-375)"); a worker that dies is retried once, alone, and a second
death is a `UserError` naming the place. Ray is imported only when asked for: it is
the optional extra `aicc[ray]`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aicc.base.errors import UserError, first_line

A = TypeVar("A")
R = TypeVar("R")

RAY_EXTRA = "pip install 'aicc[ray]'"
CONNECT_TIMEOUT_S = 5.0
IN_FLIGHT_PER_WORKER = 2
"""Tasks submitted ahead per worker: enough to keep it busy, few enough that results
waiting for their turn (they are yielded in order) do not grow with the task count."""


@dataclass(frozen=True)
class Parallelism:
    """How to run independent tasks: `processes:N`, or Ray at an optional address."""

    kind: str
    """"processes" or "ray"."""
    workers: int = 0
    """The number of worker processes (`processes:N`)."""
    address: str | None = None
    """The Ray cluster's address (`ray:ADDRESS`); None: Ray's own `RAY_ADDRESS` rule."""

    def __str__(self) -> str:
        if self.kind == "processes":
            return f"processes:{self.workers}"
        return "ray" if self.address is None else f"ray:{self.address}"


def parse_parallel(text: str) -> Parallelism:
    """`processes:N`, `ray` or `ray:ADDRESS` as a `Parallelism`."""
    kind, _, rest = text.partition(":")
    if kind == "ray":
        return Parallelism("ray", address=rest or None)
    if kind == "processes" and rest.isdigit() and int(rest) > 0:
        return Parallelism("processes", workers=int(rest))
    raise UserError(
        f"-parallel={text}: expected processes:N (N >= 1 worker processes), ray or ray:ADDRESS"
    )


def run_tasks(
    task: Callable[[A], R],
    args: Sequence[A],
    places: Sequence[str],
    parallelism: Parallelism | None,
) -> Iterator[R]:
    """`task(arg)` for every argument, results in argument order.

    `task` must be a module-level function and `args` picklable; `places[i]` names
    argument i in messages. `parallelism` None runs everything here, in order.
    """
    if parallelism is None:
        for arg, place in zip(args, places, strict=True):
            yield _in_place(task, arg, place)
        return
    if parallelism.kind == "ray":
        yield from _on_ray(task, args, places, parallelism.address)
        return
    yield from _in_processes(task, args, places, parallelism.workers)


def _in_place(task: Callable[[A], R], arg: A, place: str) -> R:
    try:
        return task(arg)
    except UserError as e:
        raise UserError(f"{place}: {e}") from None


def _pool(workers: int, task: Callable[..., object]) -> ProcessPoolExecutor:
    if _single_threaded():
        # Workers forked from here start at once, with everything imported.
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    # Forking a threaded process (numpy's BLAS pool) can copy a held lock into the
    # child; a fork server is a clean process that imports the task's module once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([task.__module__])
    return ProcessPoolExecutor(workers, mp_context=context)


def _single_threaded() -> bool:
    """Whether this process runs one thread, native threads included (Linux only)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    found = re.search(r"^Threads:\s*(\d+)$", status, re.MULTILINE)
    return found is not None and found.group(1) == "1"


def _in_processes(
    task: Callable[[A], R], args: Sequence[A], places: Sequence[str], workers: int
) -> Iterator[R]:
    window = IN_FLIGHT_PER_WORKER * workers
    done = submitted = 0
    with _pool(workers, task) as pool:
        futures: deque[Future[R]] = deque()
        while done < len(args):
            while submitted < len(args) and len(futures) < window:
                futures.append(pool.submit(task, args[submitted]))
                submitted += 1
            try:
                result = futures[0].result()
            except BrokenProcessPool:
                break
            except UserError as e:
                _cancel(futures)
                raise UserError(f"{places[done]}: {e}") from None
            futures.popleft()
            yield result
            done += 1
        else:
            return
    # A worker died, and the tasks in flight died with the pool. Each is rerun alone,
    # so that a task whose worker dies again is the one named; then the rest go on.
    for index in range(done, submitted):
        yield _alone(task, args[index], places[index])
    yield from _in_processes(task, args[submitted:], places[submitted:], workers)


def _cancel(futures: Iterable[Future[Any]]) -> None:
    for future in futures:
        future.cancel()


def _alone(task: Callable[[A], R], arg: A, place: str) -> R:
    with _pool(1, task) as pool:
        try:
            return pool.submit(task, arg).result()
        except BrokenProcessPool:
            raise UserError(
                f"{place}: the worker process died (killed, or out of memory?)"
            ) from None
        except UserError as e:
            raise UserError(f"{place}: {e}") from None


def _on_ray(
    task: Callable[[A], R], args: Sequence[A], places: Sequence[str], address: str | None
) -> Iterator[R]:
    try:
        import ray
        import ray.exceptions
    except ImportError:
        raise UserError(f"-parallel=ray needs Ray: {RAY_EXTRA}") from None
    started = not ray.is_initialized()
    if started:
        _ray_init(ray, address)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        window = IN_FLIGHT_PER_WORKER * max(1, cpus)
        remote = ray.remote(max_retries=1)(task)
        refs: deque[Any] = deque()
        submitted = 0
        for place in places:
            while submitted < len(args) and len(refs) < window:
                refs.append(remote.remote(args[submitted]))
                submitted += 1
            yield _ray_result(ray, refs.popleft(), place, refs)
    finally:
        if started:
            ray.shutdown()


def _ray_init(ray: Any, address: str | None) -> None:
    # Without an address, ray.init follows RAY_ADDRESS, or starts a local cluster.
    address = address or os.environ.get("RAY_ADDRESS")
    if address is not None:
        _check_reachable(address)
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
            configure_logging=False,
        )
    except (ConnectionError, ValueError, RuntimeError) as e:
        where = address or "a local cluster"
        # Ray's own reason (a missing auth token, say) is the chained error's.
        reason = first_line(e) if e.__cause__ is None else first_line(e.__cause__)
        raise UserError(f"-parallel=ray: cannot connect to {where}: {reason}") from None


def _check_reachable(address: str) -> None:
    """Refuse a `host:port` nobody listens on: ray.init would retry it for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto", "local" and the like: Ray's own rules
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise UserError(f"-parallel=ray: cannot connect to {address}: {reason}") from None


def _ray_result(ray: Any, ref: Any, place: str, refs: Iterable[Any]) -> Any:
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as e:
        for other in refs:
            ray.cancel(other)
        cause = e.cause
        if isinstance(cause, UserError):
            raise UserError(f"{place}: {cause}") from None
        raise UserError(f"{place}: the task failed: {first_line(cause or e)}") from None
    except ray.exceptions.RayError as e:
        for other in refs:
            ray.cancel(other)
        raise UserError(f"{place}: the Ray worker died: {first_line(e)}") from None
