"""Files written whole or not at all: a temporary file in the same folder, then
`os.replace`, so a reader never sees half an output.

Only regular files are replaced. A rename would turn a FIFO, a device node or a
directory into a regular file and would replace a symlink rather than what it
points to, so any of those at an output path is refused before anything is
written. A directory (a bundle) is written into a temporary directory beside it
and swapped in whole: an interruption leaves the old one as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from aicc.base.errors import UserError, cannot_write

_KINDS = (
    (stat.S_ISLNK, "a symlink"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(path: Path) -> str | None:
    """What is at `path` when it is neither absent nor a regular file."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as e:
        raise cannot_write(path, e) from None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_parent(path: Path) -> None:
    """The folder `path` goes in exists, is a folder (it is never created) and can be
    written."""
    parent = path.parent
    if not parent.is_dir():
        what = "does not exist" if not parent.exists() else "is not a directory"
        raise UserError(f"{path}: cannot write: the directory {parent} {what}")
    try:  # a real probe: modes, read-only mounts and ACLs all show here
        os.rmdir(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.", suffix=".probe"))
    except OSError as e:
        raise cannot_write(path, e) from None


def check_output_file(path: Path) -> None:
    """Refuse, before any work, an output path that `write_atomically` would refuse."""
    kind = _kind(path)
    if kind is not None:
        raise UserError(f"{path}: is {kind}; outputs replace regular files only")
    check_parent(path)


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write a regular file through a temporary file and `os.replace`: never half-written."""
    write_files_atomically({path: data})


def write_files_atomically(files: Mapping[Path, str | bytes]) -> None:
    """Write every file to a temporary file first, then rename them all into place.

    A failure while writing (a full disk, an interruption) leaves none of them
    changed and no temporary file behind; raises `UserError` for a path that is
    not a regular file and for an `OSError` (naming the file).
    """
    for path in files:
        check_output_file(path)
    written: dict[Path, str] = {}
    try:
        for path, data in files.items():
            written[path] = _write_temporary(path, data)
        with _interruptions_deferred():
            for path, tmp in written.items():
                _replace(tmp, path)
    finally:
        for tmp in written.values():
            Path(tmp).unlink(missing_ok=True)


def _write_temporary(path: Path, data: str | bytes) -> str:
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise cannot_write(path, e) from None
    try:
        with os.fdopen(fd, mode) as f:
            f.write(data)
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise cannot_write(path, e) from None
        raise
    return tmp


def check_output_directory(path: Path) -> None:
    """Refuse, before any work, a directory path that `directory_atomically` would refuse."""
    if path.name in ("", ".", ".."):
        raise UserError(f"{path}: give the output directory by its name")
    kind = _kind(path)
    if kind is None and path.exists():
        kind = "a file"
    if kind not in (None, "a directory"):
        raise UserError(f"{path}: is {kind}; give a directory for the output")
    check_parent(path)


@contextmanager
def directory_atomically(path: Path) -> Iterator[Path]:
    """A temporary directory beside `path` to fill; it replaces `path` when the block ends.

    An existing `path` must be a directory (never a symlink); it stays whole until
    the new one is complete, and on any failure the temporary directory is removed.
    """
    check_output_directory(path)
    try:
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    except OSError as e:
        raise cannot_write(path, e) from None
    try:
        yield staging
        staging.chmod(0o777 & ~_umask())
        _swap_in(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def files_into_directory(directory: Path) -> Iterator[Path]:
    """A staging directory inside `directory` (created if missing, its parent never);
    the files written there move into `directory` when the block ends.

    On any failure nothing moves, the staging directory is removed, and so is
    `directory` if it was created here: earlier files of the same names stay as they were.
    """
    created = not directory.exists()
    if created:
        check_parent(directory)
        try:
            directory.mkdir()
        except OSError as e:
            raise UserError(f"{directory}: cannot create the directory: {e.strerror}") from None
    elif not directory.is_dir():
        raise UserError(f"{directory}: is not a directory; give a directory for the outputs")
    try:
        staging = Path(tempfile.mkdtemp(dir=directory, prefix=".aicc-", suffix=".tmp"))
    except OSError as e:
        if created:
            directory.rmdir()
        raise cannot_write(directory, e) from None
    moved = False
    try:
        yield staging
        staged = sorted(staging.iterdir())
        for path in staged:
            check_output_file(directory / path.name)
        with _interruptions_deferred():
            for path in staged:
                _replace(path, directory / path.name)
        moved = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not moved:
            shutil.rmtree(directory, ignore_errors=True)


def _replace(source: str | Path, path: Path) -> None:
    try:
        os.replace(source, path)
    except OSError as e:
        raise cannot_write(path, e) from None


@contextmanager
def _interruptions_deferred() -> Iterator[None]:
    """SIGINT waits until the renames are done, so they happen all or not at all."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _swap_in(staging: Path, path: Path) -> None:
    """Rename `staging` to `path`, moving an old `path` aside first and removing it after."""
    if not path.exists():
        _replace(staging, path)
        return
    old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
    try:
        with _interruptions_deferred():
            _replace(path, old)
            try:
                _replace(staging, path)
            except UserError:
                os.replace(old, path)
                raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
