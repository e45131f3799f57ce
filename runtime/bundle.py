"""Reading the program bundle that `aicc-compile -aic-binary-dir=DIR` writes (see
`aicc.pipeline.bundle`) and running it: `aicc-run -t DIR`.

    DIR/model.mlir          the annotated, quantized high-level IR (what `--reference` runs)
    DIR/program.aicb        the `aic` program for the device, as tables (aicc.dialects.aic_tables)
    DIR/constants.npz       every constant of both, once (a weight in the device's layout
                            is its model array with the axes permuted)
    DIR/target.yaml         a copy of the target description the program was built for
    DIR/manifest.json       format_version, compiler, target, options, io, precisions, hashes

docs/bundle-format.md describes the files. Format_version 4 keeps the manifest of
format_version 3; its program is binary, and the two IRs share one constant store.
Format_version 3 and 2 bundles (`program.mlir`, with `.npz` sidecars) still run: their
text program is encoded to the same tables.

`options.batchsize` is present when the bundle was compiled with `-batchsize=N`: the
runner then feeds N input-list lines (one sample each) per inference, and the cost
report counts N inferences per run.

`manifest.json` (format_version 3) keeps the keys of format_version 2 and adds
`files`: the sha256 of every other file of the bundle, by name. Format_version 2
keeps the keys of format_version 1 and adds:
- `target`: name, file name, sha256 of the file and the cores the program uses;
- `options.target`, `options.aic_num_cores`: the flags as given (a file by its name);
- in `inputs`/`outputs`, `device`: the dtype and shape the program reads or
  writes and, for a quantized edge, `quant` (scale, zero_point, axis, qmin, qmax,
  expressed): the runner quantizes float inputs and dequantizes outputs on the
  host exactly as docs/integer-semantics.md says;
- `program`: its file, DDR bytes, peak activation bytes and instruction count.

A format_version 1 bundle (no device program) still runs with `aicc-run --reference`.

Nothing in a bundle is trusted: `read_bundle` checks every manifest field it uses
(a one-line `UserError` naming the manifest and the field), that every file it
names is a plain file inside the bundle, and each file's sha256 (format_version 3;
format_version 2 hashes only `target.yaml`) before anything is parsed or allocated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import ParseError

from aicc.base.errors import UserError
from aicc.base.int8 import dequantize, quantize
from aicc.base.target import Target, load_target
from aicc.dialects.aic_tables import AicTables, encode, read_program, tables_module
from aicc.dialects.context import make_context
from aicc.dialects.graph import Port
from aicc.dialects.ir_io import (
    STORE_FILE,
    npz_loader,
    parse_error_line,
    parse_module,
    sidecar_path,
)
from aicc.runtime.manifest import Manifest, check_hash, regular_file
from aicc.sim.device import CostReport, DeviceProgram, load_tables

FORMAT_VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
MODULE_FILE = "model.mlir"
PROGRAM_FILE = "program.aicb"
CONSTANTS_FILE = STORE_FILE
TARGET_FILE = "target.yaml"
MANIFEST_FILE = "manifest.json"
OLD_FILES = ("model.mlir.npz", "program.mlir", "program.mlir.npz")
"""The files of format_version 2 and 3 bundles that format_version 4 has not."""


def _parse(path: Path, sidecar: Path | None = None) -> ModuleOp:
    try:
        text = path.read_text()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    try:
        return parse_module(make_context(), text, path, sidecar)
    except ParseError as e:
        raise UserError(parse_error_line(e)) from None


def constants_loader(path: Path) -> Callable[[str], np.ndarray | None]:
    """The arrays of a constant store by key (an absent key is a `UserError`)."""
    return npz_loader(regular_file(path))


@dataclass(frozen=True)
class Bundle:
    """A bundle on disk: its manifest and file hashes, read and checked; the IR is parsed
    when asked for."""

    directory: Path
    manifest: dict[str, Any]

    @property
    def format_version(self) -> int:
        return self.manifest["format_version"]

    def model(self) -> ModuleOp:
        """The high-level IR (what `--reference` runs)."""
        store = self.directory / CONSTANTS_FILE if self.format_version >= 4 else None
        return _parse(regular_file(self.directory / MODULE_FILE), store)

    @property
    def program_path(self) -> Path:
        if self.format_version < 2:
            raise UserError(
                f"{self.directory}: bundle format_version {self.format_version} holds no device "
                "program; run it with --reference, or recompile it with this aicc"
            )
        return self.directory / self.manifest["program"]["file"]

    def program_tables(self) -> tuple[AicTables, Callable[[str], np.ndarray | None]]:
        """The program's tables and its constant store (a text program is encoded)."""
        path = self.program_path
        if self.format_version >= 4:
            return read_program(path), constants_loader(self.directory / CONSTANTS_FILE)
        tables, constants = encode(_parse(path))
        return tables, constants.get

    def program(self) -> ModuleOp:
        """The `aic` program as IR (to print it)."""
        tables, constants = self.program_tables()
        return tables_module(tables, constants)

    def target(self) -> Target:
        """The bundled target description, with the cores the program was built for."""
        path = regular_file(self.directory / TARGET_FILE)
        target = load_target(path)
        cores = self.manifest["target"]["cores"]
        if cores > target.cores:
            raise UserError(
                f"{self.directory / MANIFEST_FILE}: target.cores: {cores} is more than the "
                f"{target.cores} cores of {path}"
            )
        return load_target(path, num_cores=cores)

    @property
    def batch_size(self) -> int | None:
        """`-batchsize=N` as compiled (checked by `read_bundle`); None: not given."""
        options = self.manifest.get("options")
        return options.get("batchsize") if isinstance(options, dict) else None

    def edges(self, key: str) -> list[Edge]:
        """The `inputs` or `outputs`, each with its host and device types."""
        return [Edge.from_manifest(entry) for entry in self.manifest[key]]

    def executable(self) -> DeviceExecutable:
        """The program loaded into the simulator (decoded and checked once)."""
        target = self.target()
        path = self.program_path
        tables, constants = self.program_tables()
        try:
            program = load_tables(tables, constants, target)
        except UserError as e:
            # A problem of another bundle file (the constant store) names that file.
            named = str(e).startswith(str(self.directory))
            raise (e if named else UserError(f"{path}: {e}")) from None
        inputs, outputs = self.edges("inputs"), self.edges("outputs")
        _check_io(self.directory / MANIFEST_FILE, program, inputs + outputs)
        return DeviceExecutable(program, target, inputs, outputs, self.batch_size or 1)


def _check_io(manifest: Path, program: DeviceProgram, edges: list[Edge]) -> None:
    """The manifest's edges are the program's io buffers, with their shapes and dtypes."""
    buffers = {io.name: io for io in program.io}
    names = sorted(edge.port.name for edge in edges)
    if names != sorted(buffers):
        raise UserError(
            f"{manifest}: inputs and outputs {names} are not the program's io buffers "
            f"{sorted(buffers)}; recompile the bundle"
        )
    for edge in edges:
        io = buffers[edge.port.name]
        if edge.device_dtype != io.dtype or edge.device_shape != io.shape:
            raise UserError(
                f"{manifest}: '{io.name}' is {list(edge.device_shape)} {edge.device_dtype} in "
                f"the manifest, {list(io.shape)} {io.dtype} in the program; recompile the bundle"
            )


def read_bundle(directory: Path) -> Bundle:
    """The bundle in `directory`, its manifest and file hashes checked; every problem is
    one line naming the file (and the manifest field)."""
    manifest_path = directory / MANIFEST_FILE
    try:
        data = json.loads(manifest_path.read_text())
    except OSError as e:
        raise UserError(f"{manifest_path}: cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{manifest_path}:{e.lineno}: not valid JSON: {e.msg}") from None
    except UnicodeDecodeError:
        raise UserError(f"{manifest_path}: not valid JSON: not UTF-8 text") from None
    version = data.get("format_version") if isinstance(data, dict) else None
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise UserError(
            f"{manifest_path}: bundle format_version {version!r} is not one of "
            f"{', '.join(map(str, READABLE_VERSIONS))}; recompile with this aicc"
        )
    manifest = Manifest(manifest_path, data)
    _check_batch_size(manifest)
    if version >= 2:
        _check_device_fields(manifest, directory)
    if version >= 3:
        _check_hashes(manifest, directory)
    return Bundle(directory, data)


def _check_batch_size(manifest: Manifest) -> None:
    options = manifest.data.get("options")
    if isinstance(options, dict) and "batchsize" in options:
        manifest.integer(options["batchsize"], "options.batchsize", low=1)


def _check_device_fields(manifest: Manifest, directory: Path) -> None:
    target = manifest.section("target")
    manifest.integer(manifest.get(target, "cores", "target"), "target.cores", low=1)
    expected = manifest.sha256(manifest.get(target, "sha256", "target"), "target.sha256")
    check_hash(regular_file(directory / TARGET_FILE), expected, manifest.path)
    program = manifest.section("program")
    manifest.file(directory, manifest.get(program, "file", "program"), "program.file")
    manifest.edges("inputs", device=True)
    manifest.edges("outputs", device=True)


def _check_hashes(manifest: Manifest, directory: Path) -> None:
    """Every file the runner reads is listed in `files`, and its sha256 matches."""
    files = manifest.section("files")
    program = manifest.data["program"]["file"]
    required = [MODULE_FILE, program, TARGET_FILE]
    if manifest.data["format_version"] >= 4:
        required.append(CONSTANTS_FILE)
    read = required + [sidecar_path(Path(name)).name for name in (MODULE_FILE, program)]
    for name in read:
        if name not in files and (directory / name).exists():
            raise manifest.error("files", f"'{name}' is in the bundle but has no hash")
    for name in required:
        manifest.get(files, name, "files")
    for name, digest in files.items():
        path = manifest.file(directory, name, f"files.{name}")
        check_hash(path, manifest.sha256(digest, f"files.{name}"), manifest.path)


@dataclass(frozen=True)
class Edge:
    """A graph input or output as the host sees it (float) and as the device stores it."""

    port: Port
    device_dtype: np.dtype
    quant: dict[str, Any] | None
    device_shape: tuple[int, ...] = ()

    @staticmethod
    def from_manifest(entry: dict[str, Any]) -> Edge:
        port = Port(entry["name"], tuple(entry["shape"]), np.dtype(entry["dtype"]))
        device = entry.get("device") or {"dtype": entry["dtype"], "quant": None}
        shape = tuple(device.get("shape", entry["shape"]))
        return Edge(port, np.dtype(device["dtype"]), device["quant"], shape)

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
    batch_size: int = 1
    """Samples per inference (`-batchsize`), for the report's inferences per second."""

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
        report.batch = self.batch_size
        return [edge.to_host(results[edge.port.name]) for edge in self.output_edges], report
