"""Writing the program bundle (`aicc-compile -aic-binary-dir=DIR`); its layout and
manifest are described in `aicc.runtime.bundle`, which reads it.

Every file is written atomically, the manifest last, and deterministically: the
same inputs give byte-identical bundles (the `.npz` members carry a fixed date).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp

import aicc
from aicc.base.errors import UserError
from aicc.base.files import write_atomically
from aicc.base.options import manifest_options
from aicc.base.target import DEFAULT_TARGET
from aicc.dialects.graph import Port
from aicc.dialects.ir_io import print_module, sidecar_path
from aicc.dialects.onnx_precision import precision_report
from aicc.pipeline.compiler import CompiledModel
from aicc.pipeline.device import device_io, instruction_count, peak_activation_bytes, program_op
from aicc.runtime.bundle import (
    FORMAT_VERSION,
    MANIFEST_FILE,
    MODULE_FILE,
    PROGRAM_FILE,
    TARGET_FILE,
)

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The date of every `.npz` member: zip's earliest, so archives do not depend on the clock."""


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


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An `.npz` archive (as `np.load` reads it) whose bytes depend only on the arrays."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(arrays[key]), allow_pickle=False)
    return buffer.getvalue()


def save_deterministic(module: ModuleOp, path: Path) -> None:
    """`path` and its `path.npz` sidecar (removed if stale), each written atomically."""
    sidecar: dict[str, np.ndarray] = {}
    text = io.StringIO()
    print_module(module, text, sidecar=sidecar)
    if sidecar:
        write_atomically(sidecar_path(path), npz_bytes(sidecar))
    else:
        sidecar_path(path).unlink(missing_ok=True)
    write_atomically(path, text.getvalue())


def write_bundle(compiled: CompiledModel, directory: Path) -> None:
    """Lower to the device (refusing what it cannot run) and write the bundle to `directory`."""
    data = manifest(compiled)  # lowers first: a refused op leaves no half-written bundle
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"{directory}: cannot create the bundle directory: {e.strerror}") from None
    save_deterministic(compiled.module, directory / MODULE_FILE)
    save_deterministic(compiled.program, directory / PROGRAM_FILE)
    write_atomically(directory / TARGET_FILE, target_bytes(compiled.session.config.target))
    write_atomically(directory / MANIFEST_FILE, json.dumps(data, indent=2, sort_keys=True) + "\n")
