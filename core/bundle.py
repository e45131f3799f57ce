"""The program bundle that `aicc-compile -aic-binary-dir=DIR` writes and `aicc-run -t DIR` runs.

    DIR/model.mlir          the annotated, quantized high-level IR (what `--reference` runs)
    DIR/model.mlir.npz      its large constants (sidecar, see aicc.ir_io)
    DIR/program.mlir        the `aic` program for the device
    DIR/program.mlir.npz    its large constants
    DIR/target.yaml         a copy of the target description the program was built for
    DIR/manifest.json       format_version, compiler, target, options, io, precisions, hashes

`manifest.json` (format_version 2) keeps the keys of format_version 1 and adds:
- `target`: name, file name, sha256 of the file and the cores the program uses;
- `options.target`, `options.aic_num_cores`: the flags as given;
- in `inputs`/`outputs`, `device`: the dtype and shape the program reads or
  writes and, for a quantized edge, `quant` (scale, zero_point, axis, qmin, qmax,
  expressed): the runner quantizes float inputs and dequantizes outputs on the
  host exactly as docs/integer-semantics.md says;
- `program`: its file, DDR bytes, peak activation bytes and instruction count.

Every file is written atomically, the manifest last, and deterministically: the
same inputs give byte-identical bundles (the `.npz` members carry a fixed date).
A format_version 1 bundle (no device program) still runs with `aicc-run --reference`.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import ParseError

import aicc
from aicc.cli import parse_error_line
from aicc.compiler import CompiledModel
from aicc.context import make_context
from aicc.device import device_io, instruction_count, peak_activation_bytes, program_op
from aicc.errors import UserError
from aicc.graph import Port
from aicc.ir_io import parse_module, print_module, sidecar_path, write_atomically
from aicc.precision import precision_report
from aicc.quantization import dequantize, quantize
from aicc.sim.device import CostReport, DeviceProgram, load_program
from aicc.target import DEFAULT_TARGET, Target, load_target

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MODULE_FILE = "model.mlir"
PROGRAM_FILE = "program.mlir"
TARGET_FILE = "target.yaml"
MANIFEST_FILE = "manifest.json"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The date of every `.npz` member: zip's earliest, so archives do not depend on the clock."""


def _file_hash(path: Path | None) -> str | None:
    return None if path is None else hashlib.sha256(path.read_bytes()).hexdigest()


def target_bytes(path: Path | None) -> bytes:
    """The target file's bytes (None: the shipped default)."""
    if path is None:
        return (resources.files("aicc") / "targets" / DEFAULT_TARGET).read_bytes()
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
            "target": None if config.target is None else str(config.target),
            "aic_num_cores": config.num_cores,
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


def _parse(path: Path) -> ModuleOp:
    try:
        text = path.read_text()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    try:
        return parse_module(make_context(), text, path)
    except ParseError as e:
        raise UserError(parse_error_line(e)) from None


@dataclass(frozen=True)
class Bundle:
    """A bundle on disk: its manifest, read and checked; the IR is parsed when asked for."""

    directory: Path
    manifest: dict[str, Any]

    @property
    def format_version(self) -> int:
        return self.manifest["format_version"]

    def model(self) -> ModuleOp:
        """The high-level IR (what `--reference` runs)."""
        return _parse(self.directory / MODULE_FILE)

    def program(self) -> ModuleOp:
        if self.format_version < 2:
            raise UserError(
                f"{self.directory}: bundle format_version {self.format_version} holds no device "
                "program; run it with --reference, or recompile it with this aicc"
            )
        return _parse(self.directory / PROGRAM_FILE)

    def target(self) -> Target:
        """The bundled target description, with the cores the program was built for."""
        return load_target(self.directory / TARGET_FILE, num_cores=self.manifest["target"]["cores"])

    def edges(self, key: str) -> list[Edge]:
        """The `inputs` or `outputs`, each with its host and device types."""
        return [Edge.from_manifest(entry) for entry in self.manifest[key]]

    def executable(self) -> DeviceExecutable:
        """The program loaded into the simulator (decoded and checked once)."""
        target = self.target()
        program = load_program(self.program(), target)
        return DeviceExecutable(program, target, self.edges("inputs"), self.edges("outputs"))


def read_bundle(directory: Path) -> Bundle:
    """The bundle in `directory`; a missing or broken manifest names itself."""
    manifest_path = directory / MANIFEST_FILE
    try:
        data = json.loads(manifest_path.read_text())
    except OSError as e:
        raise UserError(f"{manifest_path}: cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{manifest_path}:{e.lineno}: not valid JSON: {e.msg}") from None
    version = data.get("format_version") if isinstance(data, dict) else None
    if version not in READABLE_VERSIONS:
        raise UserError(
            f"{manifest_path}: bundle format_version {version!r} is not one of "
            f"{', '.join(map(str, READABLE_VERSIONS))}; recompile with this aicc"
        )
    return Bundle(directory, data)


@dataclass(frozen=True)
class Edge:
    """A graph input or output as the host sees it (float) and as the device stores it."""

    port: Port
    device_dtype: np.dtype
    quant: dict[str, Any] | None

    @staticmethod
    def from_manifest(entry: dict[str, Any]) -> Edge:
        port = Port(entry["name"], tuple(entry["shape"]), np.dtype(entry["dtype"]))
        device = entry.get("device") or {"dtype": entry["dtype"], "quant": None}
        return Edge(port, np.dtype(device["dtype"]), device["quant"])

    def to_device(self, array: np.ndarray) -> np.ndarray:
        """The host array as the program reads it: quantized (or converted) on the host."""
        if self.quant is None:
            return array.astype(self.device_dtype)
        q = self.quant
        return quantize(
            array,
            np.asarray(q["scale"]),
            np.asarray(q["zero_point"]),
            self.device_dtype,
            axis=q["axis"],
            storage_range=(q["qmin"], q["qmax"]),
        )

    def to_host(self, array: np.ndarray) -> np.ndarray:
        """A program output as the model's output type: dequantized (or converted) on the host."""
        if self.quant is None:
            return array.astype(self.port.dtype)
        q = self.quant
        return dequantize(
            array,
            np.asarray(q["scale"]),
            np.asarray(q["zero_point"]),
            axis=q["axis"],
            expressed=np.dtype(q["expressed"]),
            dtype=self.port.dtype,
        )


@dataclass(frozen=True)
class DeviceExecutable:
    """A bundle's program on the simulator, with the host side of its edges."""

    program: DeviceProgram
    target: Target
    input_edges: list[Edge]
    output_edges: list[Edge]

    @property
    def inputs(self) -> list[Port]:
        return [edge.port for edge in self.input_edges]

    @property
    def outputs(self) -> list[Port]:
        return [edge.port for edge in self.output_edges]

    def run(self, arrays: Sequence[np.ndarray]) -> tuple[list[np.ndarray], CostReport]:
        """One inference from host arrays (graph-input order) to host outputs and its cost."""
        feeds = {
            edge.port.name: edge.to_device(array)
            for edge, array in zip(self.input_edges, arrays, strict=True)
        }
        results, report = self.program.run(feeds)
        return [edge.to_host(results[edge.port.name]) for edge in self.output_edges], report
