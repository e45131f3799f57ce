"""Writing the program bundle (`aicc-compile -aic-binary-dir=DIR`); its layout and
manifest are described in `aicc.runtime.bundle`, which reads it.

The bundle is written as a unit (a temporary directory swapped in whole) and
deterministically: the same inputs give byte-identical bundles (the `.npz` members
carry a fixed date). The manifest records every other file's sha256.
"""

from __future__ import annotations

import hashlib
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp

import aicc
from aicc.base.errors import UserError
from aicc.base.files import check_output_directory, directory_atomically, write_files_atomically
from aicc.base.options import manifest_options
from aicc.base.target import DEFAULT_TARGET
from aicc.dialects.aic_tables import encode, program_bytes, share_constants, with_constants
from aicc.dialects.graph import Port
from aicc.dialects.ir_io import npz_bytes, print_module
from aicc.dialects.onnx_precision import precision_report
from aicc.pipeline.compiler import CompiledModel
from aicc.pipeline.device import device_io, instruction_count, peak_activation_bytes, program_op
from aicc.runtime.bundle import (
    CONSTANTS_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    MODULE_FILE,
    OLD_FILES,
    PROGRAM_FILE,
    TARGET_FILE,
)


def _file_hash(path: Path | None) -> str | None:
    return None if path is None else hashlib.sha256(path.read_bytes()).hexdigest()


def target_bytes(path: Path | None) -> bytes:
    """The target file's bytes (None: the shipped default)."""
    if path is None:
        return (resources.files("aicc.base") / "targets" / DEFAULT_TARGET).read_bytes()
    return path.read_bytes()


def _port(port: Port, device: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": port.name,
        "shape": list(port.shape),
        "dtype": str(port.dtype),
        "device": device,
    }


def _io(ports: list[Port], device: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    missing = [port.name for port in ports if port.name not in device]
    if missing:
        # The lowering names io buffers after the graph's ports; anything else is its bug.
        raise ValueError(f"the aic program has no io buffer for '{missing[0]}'")
    return [_port(port, device[port.name]) for port in ports]


def manifest(compiled: CompiledModel) -> dict[str, Any]:
    session = compiled.session
    config = session.config
    q = config.quantization
    target = compiled.target
    program = compiled.program
    device = device_io(program)
    return {
        "format_version": FORMAT_VERSION,
        "compiler": f"aicc {aicc.__version__}",
        "model": {"file": config.model.name, "graph_hash": session.graph_hash},
        "target": {
            "name": target.name,
            "file": DEFAULT_TARGET if config.target is None else config.target.name,
            "sha256": hashlib.sha256(target_bytes(config.target)).hexdigest(),
            "cores": target.cores,
        },
        "inputs": _io(session.inputs(), device),
        "outputs": _io(session.outputs(), device),
        "options": {
            **manifest_options(config),
            **({} if config.batch_size is None else {"batchsize": config.batch_size}),
            "fp16_node_instance_names_hash": session.fp16_hash,
        },
        "profile": None
        if q.profile is None
        else {"file": q.profile.name, "hash": _file_hash(q.profile)},
        "precision_report": precision_report(compiled.module),
        "program": {
            "file": PROGRAM_FILE,
            "ddr_bytes": program_op(program).ddr_bytes.value.data,
            "peak_activation_bytes": peak_activation_bytes(program),
            "instructions": instruction_count(program),
        },
        "executable": "aic-simulator",
    }


def bundle_files(model: ModuleOp, program: ModuleOp) -> dict[str, str | bytes]:
    """The model as text, the program as tables, and the one constant store of both: the
    model's large constants, and those of the program that are not one of them (or one of
    them with its axes permuted)."""
    store: dict[str, np.ndarray] = {}
    text = io.StringIO()
    print_module(model, text, sidecar=store)
    tables, constants = encode(program)
    refs, store = share_constants(constants, store)
    return {
        MODULE_FILE: text.getvalue(),
        PROGRAM_FILE: program_bytes(with_constants(tables, refs)),
        CONSTANTS_FILE: npz_bytes(store),
    }


def _sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


_BUNDLE_FILES = frozenset(
    {MANIFEST_FILE, TARGET_FILE, MODULE_FILE, PROGRAM_FILE, CONSTANTS_FILE, *OLD_FILES}
)


def check_bundle_directory(directory: Path) -> None:
    """Refuse, before compiling, a bundle directory `write_bundle` could not replace: one
    that is not a directory, sits in a missing folder, or holds files other than a bundle's."""
    check_output_directory(directory)
    if not directory.is_dir():
        return
    try:
        others = sorted(p.name for p in directory.iterdir() if p.name not in _BUNDLE_FILES)
    except OSError as e:
        raise UserError(f"{directory}: cannot read: {e.strerror}") from None
    if others:
        raise UserError(
            f"{directory}: holds '{others[0]}', which is not a bundle file; "
            "a bundle replaces its whole directory: give a new or bundle directory"
        )


def write_bundle(compiled: CompiledModel, directory: Path) -> None:
    """Lower to the device (refusing what it cannot run) and write the bundle to `directory`.

    The bundle is built in a temporary directory beside `directory` and swapped in
    whole, so an interruption or a failure leaves an existing bundle as it was.
    """
    check_bundle_directory(directory)
    data = manifest(compiled)  # lowers first: a refused op leaves no half-written bundle
    files = {
        **bundle_files(compiled.module, compiled.program),
        TARGET_FILE: target_bytes(compiled.session.config.target),
    }
    data["files"] = {name: _sha256(content) for name, content in sorted(files.items())}
    files[MANIFEST_FILE] = json.dumps(data, indent=2, sort_keys=True) + "\n"
    with directory_atomically(directory) as staging:
        write_files_atomically({staging / name: content for name, content in files.items()})
