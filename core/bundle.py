"""The compiled bundle that `aicc-compile -aic-binary-dir=DIR` writes and `aicc-run -t DIR` runs.

    DIR/model.mlir        the annotated, quantized high-level IR
    DIR/model.mlir.npz    its large constants (sidecar, see aicc.ir_io)
    DIR/manifest.json     format_version, compiler version, inputs/outputs, precision report, hashes

Every file is written atomically and deterministically: the same inputs give
byte-identical bundles.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from xdsl.dialects.builtin import ModuleOp

import aicc
from aicc.compiler import CompiledModel
from aicc.context import make_context
from aicc.errors import UserError
from aicc.graph import Port
from aicc.ir_io import parse_module, save_module, write_atomically
from aicc.precision import precision_report

FORMAT_VERSION = 1
MODULE_FILE = "model.mlir"
MANIFEST_FILE = "manifest.json"


def _file_hash(path: Path | None) -> str | None:
    return None if path is None else hashlib.sha256(path.read_bytes()).hexdigest()


def _port(port: Port) -> dict[str, Any]:
    # The bundle's graph keeps float edges: inputs are quantized and outputs
    # dequantized inside the graph, at the first and last ops.
    return {"name": port.name, "shape": list(port.shape), "dtype": str(port.dtype)}


def manifest(compiled: CompiledModel) -> dict[str, Any]:
    session = compiled.session
    config = session.config
    q = config.quantization
    return {
        "format_version": FORMAT_VERSION,
        "compiler": f"aicc {aicc.__version__}",
        "model": {"file": config.model.name, "graph_hash": session.graph_hash},
        "inputs": [_port(p) for p in session.inputs()],
        "outputs": [_port(p) for p in session.outputs()],
        "options": {
            "node_precision_info": None
            if q.node_precision_info is None
            else str(q.node_precision_info),
            "fp16_node_instance_names_hash": session.fp16_hash,
            "keep_original_precision_for_nodes": list(q.keep_original_precision_for_nodes),
            "convert_to_fp16": config.convert_to_fp16,
            "quantization_schema": q.schema,
            "quantization_calibration": q.calibration,
            "percentile_calibration_value": q.percentile,
            "enable_channelwise": q.channelwise,
            "quantization_precision_bias": q.precision_bias,
        },
        "profile": None
        if q.profile is None
        else {"file": q.profile.name, "hash": _file_hash(q.profile)},
        "precision_report": precision_report(compiled.module),
        "executable": "reference-interpreter",
    }


def write_bundle(compiled: CompiledModel, directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"{directory}: cannot create the bundle directory: {e.strerror}") from None
    save_module(compiled.module, directory / MODULE_FILE)
    text = json.dumps(manifest(compiled), indent=2, sort_keys=True) + "\n"
    write_atomically(directory / MANIFEST_FILE, text)


def read_bundle(directory: Path) -> tuple[ModuleOp, dict[str, Any]]:
    """The module and manifest of a bundle; a missing or broken file names itself."""
    manifest_path = directory / MANIFEST_FILE
    try:
        data = json.loads(manifest_path.read_text())
    except OSError as e:
        raise UserError(f"{manifest_path}: cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{manifest_path}:{e.lineno}: not valid JSON: {e.msg}") from None
    if data.get("format_version") != FORMAT_VERSION:
        raise UserError(
            f"{manifest_path}: bundle format_version {data.get('format_version')!r} "
            f"is not {FORMAT_VERSION}; recompile with this aicc"
        )
    module_path = directory / MODULE_FILE
    try:
        text = module_path.read_text()
    except OSError as e:
        raise UserError(f"{module_path}: cannot read: {e.strerror}") from None
    return parse_module(make_context(), text, module_path), data
