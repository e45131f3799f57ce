"""User errors: what aicc's tools report as one line with exit status 2."""

import errno
import io
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import NoReturn, ParamSpec

P = ParamSpec("P")


class UserError(Exception):
    """A mistake in what the user gave aicc (a file, a flag, a name), not a bug.

    The message is one line that names the file, and the line or node at fault.
    """


def fail(tool: str, message: str) -> NoReturn:
    print(f"{tool}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def remark(message: str) -> None:
    print(f"remark: {message}", file=sys.stderr)


def user_errors_exit_2(tool: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Decorate a console-script main so a UserError becomes one line and exit 2."""

    def decorate(main: Callable[P, None]) -> Callable[P, None]:
        @wraps(main)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                main(*args, **kwargs)
                sys.stdout.flush()  # a full disk under `> FILE` shows here, not at exit
            except UserError as e:
                fail(tool, str(e))
            except KeyboardInterrupt:
                raise SystemExit(130) from None
            except BrokenPipeError:
                # A closed pipe (`aicc-opt ... | head`) is the reader's choice, not an error.
                sys.stderr.close()
                raise SystemExit(0) from None
            except OSError as e:
                if e.errno not in _DISK_FULL:
                    raise
                _discard_stdout()
                fail(tool, f"{e.filename or 'standard output'}: cannot write: {e.strerror}")

        return run

    return decorate


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the text it still buffers is not flushed at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (kept open until exit)


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def cannot_read(path: Path, error: OSError) -> UserError:
    return UserError(f"{path}: cannot read: {error.strerror}")


def cannot_write(path: Path, error: OSError) -> UserError:
    return UserError(f"{path}: cannot write: {error.strerror}")
