"""Model inputs from files: `.npy` or raw little-endian, one by one or as an input list.

An input list (`-input-list-file`) holds one inference per line: comma-separated
files in graph-input order, relative to the current directory; blank lines and
`#` comments are skipped. Every error names the file (and the list line).

For a model compiled with `-batchsize=N` each line is one sample of batch 1, and N
consecutive lines make one inference (their arrays stacked along dim 0, in list
order), the way a calibration list is written; a list whose length is not a
multiple of N is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aicc.base.errors import UserError, cannot_read, first_line
from aicc.dialects.graph import Port


@dataclass(frozen=True)
class Inference:
    """The input files of one inference, and where they were listed (for messages)."""

    files: list[Path]
    where: str = ""
    line: int = 0
    """The input list's line that lists this inference (0: not from a list)."""
    samples: tuple[Inference, ...] = ()
    """For a batch: its samples, one list line of batch 1 each (`files` is then empty)."""

    @property
    def last_line(self) -> int:
        """The list's last line that this inference reads (a batch reads several)."""
        return self.samples[-1].line if self.samples else self.line

    def read(self, ports: Sequence[Port]) -> list[np.ndarray]:
        """The arrays of this inference, checked against the graph inputs."""
        if self.samples:
            # Each sample's messages already name its own list line.
            single = [sample_port(port) for port in ports]
            columns = zip(*(sample.read(single) for sample in self.samples), strict=True)
            return [np.concatenate(arrays, axis=0) for arrays in columns]
        try:
            return [read_input(path, port) for path, port in zip(self.files, ports, strict=True)]
        except UserError as e:
            raise UserError(f"{self.where}{e}") from None


def arity(inputs: Sequence[Port]) -> str:
    names = ", ".join(port.name for port in inputs)
    return f"the graph takes {len(inputs)} input(s) ({names})"


def sample_port(port: Port) -> Port:
    """One sample of a batched input: dim 0 of size 1."""
    return Port(port.name, (1, *port.shape[1:]), port.dtype)


def read_input_list(
    path: Path, inputs: Sequence[Port], batch: int | None = None
) -> list[Inference]:
    """One inference per line: comma-separated files in graph-input order; with a
    `batch` of N, N lines (one sample each) per inference."""
    runs = _list_lines(path, inputs)
    if batch is None or batch == 1:
        return runs
    if len(runs) % batch:
        raise UserError(
            f"{path}: lists {len(runs)} sample(s), not a multiple of the batch size {batch} "
            f"(each inference takes {batch} lines of one sample each)"
        )
    return [
        Inference([], runs[start].where, runs[start].line, tuple(runs[start : start + batch]))
        for start in range(0, len(runs), batch)
    ]


def _list_lines(path: Path, inputs: Sequence[Port]) -> list[Inference]:
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise cannot_read(path, e) from None
    runs: list[Inference] = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        files = [Path(name.strip()) for name in text.split(",")]
        if len(files) != len(inputs):
            raise UserError(f"{path}:{number}: {len(files)} file(s) listed; {arity(inputs)}")
        runs.append(Inference(files, f"{path}:{number}: ", number))
    if not runs:
        raise UserError(f"{path}: lists no inference")
    return runs


def read_input(path: Path, port: Port) -> np.ndarray:
    """The array in `.npy` or raw little-endian `path`, checked against `port`."""
    if path.suffix == ".npy":
        return _read_npy(path, port)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise cannot_read(path, e) from None
    if len(data) != port.nbytes:
        raise UserError(
            f"{path}: input {port.describe()} needs {port.nbytes} bytes, "
            f"the file holds {len(data)} bytes"
        )
    raw = np.frombuffer(data, dtype=port.dtype.newbyteorder("<"))
    return raw.astype(port.dtype).reshape(port.shape)


def _read_npy(path: Path, port: Port) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except OSError as e:
        raise cannot_read(path, e) from None
    except ValueError as e:
        raise UserError(f"{path}: not a valid .npy file: {first_line(e)}") from None
    if not isinstance(array, np.ndarray):
        raise UserError(f"{path}: not a .npy array (an .npz archive?)")
    if array.shape != port.shape or array.dtype != port.dtype:
        given = Port(port.name, array.shape, array.dtype).type_text
        raise UserError(f"{path}: holds {given}; input '{port.name}' needs {port.type_text}")
    return array
