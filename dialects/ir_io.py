"""Text form of aicc modules: the IR, then the constant blobs it references.

Blobs travel in MLIR's file-metadata section,
`{-# dialect_resources: { aicc: { key: "0x..." } } #-}`, as MLIR hex blobs. So
that printed IR stays short, a blob larger than `elide_over` bytes is not
written inline: it goes to an `.npz` sidecar beside the output file
(`FILE.npz`, value `__sidecar__`), or, when there is no output file, is elided
(`__elided__`) like MLIR's `--mlir-elide-resource-strings-if-larger`. Parsing
`FILE` loads `FILE.npz` when the text refers to it (else the `constants.npz` beside
it: a bundle's `model.mlir` shares the bundle's constant store).
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException

from aicc.base.errors import UserError, first_line
from aicc.base.files import write_files_atomically
from aicc.dialects.aicc import ELIDED, SIDECAR, Blob, DenseResourceAttr, constant_store, encode_blob
from aicc.dialects.onnx_base import OnnxOp

STORE_FILE = "constants.npz"
"""A bundle's constant store: the sidecar of the IR texts beside it that have none."""

DEFAULT_ELIDE_OVER = 4096
"""Bytes above which a blob leaves the text (sidecar or elided)."""


def module_blobs(module: ModuleOp) -> dict[str, Blob]:
    """The blobs a module references, by key, in a deterministic (sorted) order."""
    blobs: dict[str, Blob] = {}
    for op in module.walk():
        for attr in (*op.properties.values(), *op.attributes.values()):
            if isinstance(attr, DenseResourceAttr):
                seen = blobs.setdefault(attr.key, attr.blob)
                if seen is not attr.blob:
                    raise ValueError(f"two different constants share the resource key '{attr.key}'")
    return dict(sorted(blobs.items()))


def print_module(
    module: ModuleOp,
    stream: IO[str],
    *,
    elide_over: int | None = DEFAULT_ELIDE_OVER,
    sidecar: dict[str, np.ndarray] | None = None,
    generic: bool = False,
) -> None:
    """Print a module and its blobs; large blobs go to `sidecar` if given, else are elided."""
    Printer(stream=stream, print_generic_format=generic).print_op(module)
    stream.write("\n")
    entries: list[tuple[str, str]] = []
    for key, blob in module_blobs(module).items():
        if blob.array is None:
            entries.append((key, ELIDED))
        elif elide_over is None or blob.array.nbytes <= elide_over:
            entries.append((key, encode_blob(blob.array)))
        elif sidecar is not None:
            sidecar[key] = blob.array
            entries.append((key, SIDECAR))
        else:
            entries.append((key, ELIDED))
    if not entries:
        return
    body = ",\n".join(f'      {key}: "{value}"' for key, value in entries)
    stream.write(f"\n{{-#\n  dialect_resources: {{\n    aicc: {{\n{body}\n    }}\n  }}\n#-}}\n")


def module_text(module: ModuleOp, elide_over: int | None = DEFAULT_ELIDE_OVER) -> str:
    out = io.StringIO()
    print_module(module, out, elide_over=elide_over)
    return out.getvalue()


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".npz")


def parse_module(
    ctx: Context, text: str, source: Path | None = None, sidecar: Path | None = None
) -> ModuleOp:
    """Parse a module; blobs marked `__sidecar__` load from `sidecar` (None: `source`'s
    `.npz` sidecar, else the `constants.npz` store beside it, as in a bundle)."""
    store = constant_store(ctx)
    if sidecar is None and source is not None:
        sidecar = sidecar_path(source)
        if not sidecar.exists():
            sidecar = source.with_name(STORE_FILE)
    if sidecar is not None and sidecar.exists():
        store.sidecar = npz_loader(sidecar)
    return Parser(ctx, text, name=str(source) if source else "<stdin>").parse_module()


_NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def npz_loader(path: Path) -> Callable[[str], np.ndarray]:
    """Read members of an `.npz` sidecar by key; a broken archive or member is a
    `UserError` naming the file, and a member's declared size is checked against its
    stored bytes before anything is allocated."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        raise UserError(f"{path}: not a readable .npz archive: {first_line(e)}") from None

    def load(key: str) -> np.ndarray:
        member = f"{key}.npy"
        try:
            size = archive.getinfo(member).file_size
        except KeyError:
            raise UserError(f"{path}: has no array '{key}'; the sidecar does not match") from None
        try:
            with archive.open(member) as f:
                read_header = _NPY_HEADERS.get(np.lib.format.read_magic(f))
                if read_header is None:
                    raise ValueError("is not a .npy array of format 1.0 or 2.0")
                shape, _, dtype = read_header(f)
                if dtype.hasobject:
                    raise ValueError("holds Python objects")
                if math.prod(shape) * dtype.itemsize > size:
                    raise ValueError(f"declares {list(shape)} {dtype}, more than its {size} bytes")
            with archive.open(member) as f:
                return np.lib.format.read_array(f, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
            raise UserError(f"{path}: array '{key}': {first_line(e)}") from None

    return load


_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The date of every `.npz` member: zip's earliest, so archives do not depend on the clock."""


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An `.npz` archive (as `np.load` reads it) whose bytes depend only on the arrays."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(arrays[key]), allow_pickle=False)
    return buffer.getvalue()


def save_text(path: Path, text: str, sidecar: dict[str, np.ndarray]) -> None:
    """Write printed IR to `path` and its large blobs to the `path.npz` sidecar, as a unit."""
    files: dict[Path, str | bytes] = {}
    if sidecar:
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **sidecar)
        files[sidecar_path(path)] = buffer.getvalue()
    files[path] = text
    write_files_atomically(files)


def save_module(module: ModuleOp, path: Path, elide_over: int | None = DEFAULT_ELIDE_OVER) -> None:
    """Write a module to `path`, with its large blobs in the `path.npz` sidecar."""
    sidecar: dict[str, np.ndarray] = {}
    out = io.StringIO()
    print_module(module, out, elide_over=elide_over, sidecar=sidecar)
    save_text(path, out.getvalue(), sidecar)


def parse_error_line(error: ParseError) -> str:
    """`FILE:LINE:COL: message`, instead of xDSL's multi-line caret diagram."""
    message = error.msg.strip().splitlines()[0] if error.msg.strip() else "parse error"
    return f"{error.span.get_location()}: {message}"


def diagnostic_error(module: ModuleOp, source: str, error: DiagnosticException) -> UserError:
    """One line naming `source` and the first op that fails to verify, else the message."""
    return UserError(f"{source}: {first_invalid_op(module) or first_line(error)}")


def first_invalid_op(module: ModuleOp) -> str | None:
    """The first op of `module` that fails to verify and why, in one line; None if none."""
    for op in module.walk():
        try:
            op.verify(verify_nested_ops=False)
        except VerifyException as e:
            return _with_op(op, first_line(e))
    return None


def _with_op(op: Operation, message: str) -> str:
    label = op.describe() if isinstance(op, OnnxOp) else op.name
    return message if message.startswith(label) else f"{label}: {message}"
