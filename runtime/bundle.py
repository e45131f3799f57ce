"""Reading the program bundle that `aicc-compile -aic-binary-dir=DIR` writes (see
`aicc.pipeline.bundle`) and running it: `aicc-run -t DIR`.

    DIR/model.mlir          the annotated, quantized high-level IR (what `--reference` runs)
    DIR/model.mlir.npz      its large constants (sidecar, see aicc.dialects.ir_io)
    DIR/program.mlir        the `aic` program for the device
    DIR/program.mlir.npz    its large constants
    DIR/target.yaml         a copy of the target description the program was built for
    DIR/manifest.json       format_version, compiler, target, options, io, precisions, hashes

`manifest.json` (format_version 2) keeps the keys of format_version 1 and adds:
- `target`: name, file name, sha256 of the file and the cores the program uses;
- `options.target`, `options.aic_num_cores`: the flags as given (a file by its name);
- in `inputs`/`outputs`, `device`: the dtype and shape the program reads or
  writes and, for a quantized edge, `quant` (scale, zero_point, axis, qmin, qmax,
  expressed): the runner quantizes float inputs and dequantizes outputs on the
  host exactly as docs/integer-semantics.md says;
- `program`: its file, DDR bytes, peak activation bytes and instruction count.

A format_version 1 bundle (no device program) still runs with `aicc-run --reference`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import ParseError

from aicc.base.errors import UserError
from aicc.base.int8 import dequantize, quantize
from aicc.base.target import Target, load_target
from aicc.dialects.context import make_context
from aicc.dialects.graph import Port
from aicc.dialects.ir_io import parse_error_line, parse_module
from aicc.sim.device import CostReport, DeviceProgram, load_program

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MODULE_FILE = "model.mlir"
PROGRAM_FILE = "program.mlir"
TARGET_FILE = "target.yaml"
MANIFEST_FILE = "manifest.json"


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
