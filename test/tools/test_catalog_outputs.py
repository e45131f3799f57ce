"""The catalog of bad inputs, output side: bundles, targets, output locations and
interruptions (docs/errors.md lists each class with its message).

Every row builds one bad situation in a copy of a small flow (tiny_cnn, its inputs
and an FP32 bundle `b/`), runs one tool, and asserts: exit status 2 (130 for an
interruption), exactly one stderr line naming the file, no traceback, and that no
file in the copy was added, removed or changed (so nothing is half-written, no
sidecar or temporary file is left, and an existing bundle stays whole).
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import BIN, assert_user_error, edit_bundle_file, run_in_process, run_tool
from tiny_cnn_flow import make_flow

import aicc.base.files
from aicc.dialects.aic_tables import AicTables, Kind, TableReader, program_bytes, read_program
from aicc.tools import aicc_compile, aicc_opt

RUN = ("aicc-run", "-t", "b", "-i", "in0.npy", "--write-output-dir=out")
COMPILE = ("aicc-compile", "-m=model.onnx")


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = make_flow(tmp_path_factory.mktemp("catalog"))
    result = run_tool(*COMPILE, "-aic-binary-dir=b", cwd=directory)
    assert result.returncode == 0, result.stderr
    return directory


@pytest.fixture
def work(flow: Path, tmp_path: Path) -> Path:
    """A private copy of the flow that a row may break."""
    return Path(shutil.copytree(flow, tmp_path / "w", symlinks=True))


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every entry under `directory`: a file's bytes, else what kind of entry it is."""
    entries: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        if path.is_symlink():
            entries[key] = f"symlink to {os.readlink(path)}"
        elif path.is_file():
            entries[key] = path.read_bytes()
        else:
            entries[key] = "directory" if path.is_dir() else "special"
    return entries


def manifest_edit(edit: Callable[[dict], None]) -> Callable[[Path], None]:
    def build(work: Path) -> None:
        path = work / "b" / "manifest.json"
        data = json.loads(path.read_text())
        edit(data)
        path.write_text(json.dumps(data))

    return build


def program_edit(
    edit: Callable[[dict[str, np.ndarray], list[str]], None],
) -> Callable[[Path], None]:
    """Edit program.aicb's columns (given the string table) and re-hash it, so the edit
    reaches the checks after the hashes."""

    def build(work: Path) -> None:
        path = work / "b" / "program.aicb"
        tables = read_program(path)
        columns = {name: array.copy() for name, array in tables.columns.items()}
        edit(columns, TableReader(tables).strings)
        edit_bundle_file(work / "b", "program.aicb", program_bytes(AicTables(columns)))

    return build


def set_property(name: str, value: int) -> Callable[[dict[str, np.ndarray], list[str]], None]:
    def edit(columns: dict[str, np.ndarray], strings: list[str]) -> None:
        columns["prop_value"][columns["prop_name"] == strings.index(name)] = value

    return edit


def move_view(addr: int, to: int) -> Callable[[dict[str, np.ndarray], list[str]], None]:
    def edit(columns: dict[str, np.ndarray], strings: list[str]) -> None:
        del strings
        rows = np.flatnonzero((columns["view_addr"] == addr) & (columns["view_space"] == 1))
        columns["view_addr"][rows[0]] = to

    return edit


def corrupt_view_row(columns: dict[str, np.ndarray], strings: list[str]) -> None:
    """A view property pointing past the view table."""
    del strings
    rows = np.flatnonzero(columns["prop_kind"] == Kind.VIEW)
    columns["prop_value"][rows[0]] = len(columns["view_addr"]) + 5


def _delete(name: str) -> Callable[[Path], None]:
    return lambda work: (work / name).unlink()


def _write(name: str, text: str) -> Callable[[Path], object]:
    return lambda work: (work / name).write_text(text)


def _fifo(name: str) -> Callable[[Path], None]:
    return lambda work: os.mkfifo(work / name)


def _truncate(work: Path) -> None:
    path = work / "b" / "program.aicb"
    path.write_bytes(path.read_bytes()[:1000])


def _truncate_rehashed(work: Path) -> None:
    data = (work / "b" / "program.aicb").read_bytes()
    edit_bundle_file(work / "b", "program.aicb", data[: len(data) // 2])


def _program_bytes_edit(at: int, data: bytes) -> Callable[[Path], None]:
    def build(work: Path) -> None:
        old = (work / "b" / "program.aicb").read_bytes()
        edit_bundle_file(work / "b", "program.aicb", old[:at] + data + old[at + len(data) :])

    return build


def _npz_without_member(work: Path) -> None:
    """The store without the array of the program's first constant."""
    path = work / "b" / "constants.npz"
    first = read_program(work / "b" / "program.aicb")
    key = TableReader(first).constants()[0].store
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            if name != f"{key}.npy":
                archive.writestr(name, data)
    edit_bundle_file(work / "b", "constants.npz", buffer.getvalue())


def _npz_oversized(work: Path) -> None:
    """A member whose header declares 10^10 elements over a few bytes of data."""
    path = work / "b" / "constants.npz"
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    first = f"{TableReader(read_program(work / 'b' / 'program.aicb')).constants()[0].store}.npy"
    header = io.BytesIO()
    np.lib.format.write_array(header, np.zeros(4, np.float32))
    members[first] = header.getvalue().replace(b"(4,)", b"(10000000000,)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    edit_bundle_file(work / "b", "constants.npz", buffer.getvalue())


def _io_shape(data: dict) -> None:
    for entry in (data["inputs"][0], data["inputs"][0]["device"]):
        entry["shape"] = [1, 3, 8, 8]


def _quant(data: dict) -> None:
    device = data["inputs"][0]["device"]
    device["dtype"] = "int8"
    device["quant"] = {
        "scale": 0.0,
        "zero_point": 0,
        "axis": None,
        "qmin": -128,
        "qmax": 127,
        "expressed": "float32",
    }


def _target_symlink(work: Path) -> None:
    outside = work / "elsewhere.yaml"
    shutil.copy(work / "b" / "target.yaml", outside)
    (work / "b" / "target.yaml").unlink()
    (work / "b" / "target.yaml").symlink_to(outside)


def _bad_second_input(work: Path) -> None:
    (work / "bad.txt").write_text("in0.npy\nmissing.npy\n")


def _symlink_output(work: Path) -> None:
    (work / "link.mlir").symlink_to(work / "b" / "model.mlir")


def _notes(work: Path) -> None:
    shutil.copytree(work / "b", work / "notes")
    (work / "notes" / "todo.txt").write_text("a user's file\n")


def _nothing(work: Path) -> None:
    del work


@dataclass(frozen=True)
class Row:
    name: str
    build: Callable[[Path], object]
    argv: tuple[str, ...]
    needles: tuple[str, ...]


ROWS = [
    # Bundles
    Row("manifest missing", _delete("b/manifest.json"), RUN, ("b/manifest.json", "cannot read")),
    Row("program missing", _delete("b/program.aicb"), RUN, ("b/program.aicb", "missing")),
    Row("constants missing", _delete("b/constants.npz"), RUN, ("b/constants.npz", "missing")),
    Row(
        "format_version newer",
        manifest_edit(lambda m: m.update(format_version=99)),
        RUN,
        ("b/manifest.json", "format_version 99"),
    ),
    Row(
        "hash mismatch",
        _write("b/model.mlir", "// edited\n"),
        RUN,
        ("b/model.mlir", "sha256", "does not match"),
    ),
    Row("program truncated", _truncate, RUN, ("b/program.aicb", "sha256")),
    Row(
        "program truncated, rehashed",
        _truncate_rehashed,
        RUN,
        ("b/program.aicb:", "runs past the end of the file", "recompile"),
    ),
    Row(
        "program not binary",
        _program_bytes_edit(0, b"aic."),
        RUN,
        ("b/program.aicb:", "no AICB magic"),
    ),
    Row(
        "program encoding version unknown",
        _program_bytes_edit(4, (9).to_bytes(4, "little")),
        RUN,
        ("b/program.aicb:", "binary program version 9 is not 1"),
    ),
    Row(
        "program row index out of range",
        program_edit(corrupt_view_row),
        RUN,
        ("b/program.aicb:", "a view property refers to a row that does not exist"),
    ),
    Row(
        "npz corrupt",
        lambda w: edit_bundle_file(w / "b", "constants.npz", b"PK\x03\x04" + b"\x00" * 64),
        RUN,
        ("b/constants.npz", "not a readable .npz"),
    ),
    Row("npz member missing", _npz_without_member, RUN, ("b/constants.npz", "has no array")),
    Row(
        "npz member declaring more than it holds",
        _npz_oversized,
        RUN,
        ("b/constants.npz", "declares [10000000000] float32, more than its"),
    ),
    Row(
        "target.yaml edited",
        lambda w: (w / "b" / "target.yaml").write_text("name: other\n"),
        RUN,
        ("b/target.yaml", "sha256"),
    ),
    Row(
        "manifest key missing",
        manifest_edit(lambda m: m.pop("inputs")),
        RUN,
        ("b/manifest.json", "missing key 'inputs'"),
    ),
    Row(
        "manifest field of the wrong type",
        manifest_edit(lambda m: m["inputs"][0].update(shape="1x3")),
        RUN,
        ("b/manifest.json", "inputs[0].shape", "expected a list"),
    ),
    Row(
        "manifest zero scale",
        manifest_edit(_quant),
        RUN,
        ("b/manifest.json", "inputs[0].device.quant.scale", "positive finite"),
    ),
    Row(
        "manifest io not the program's",
        manifest_edit(_io_shape),
        RUN,
        ("b/manifest.json", "[1, 3, 8, 8] float32 in the manifest", "in the program"),
    ),
    Row(
        "manifest path outside the bundle",
        manifest_edit(lambda m: m["program"].update(file="../b/program.aicb")),
        RUN,
        ("b/manifest.json", "program.file", "not a plain file name"),
    ),
    Row(
        "manifest hash for a path outside",
        manifest_edit(lambda m: m["files"].update({"/etc/hostname": "0" * 64})),
        RUN,
        ("b/manifest.json", "/etc/hostname", "not a plain file name"),
    ),
    Row("bundle file a symlink", _target_symlink, RUN, ("b/target.yaml", "symlink")),
    Row(
        "manifest cores above the target's",
        manifest_edit(lambda m: m["target"].update(cores=17)),
        RUN,
        ("b/manifest.json", "target.cores", "17"),
    ),
    Row(
        "program scratchpad above the target's",
        program_edit(set_property("scratchpad_bytes", 99999999999)),
        RUN,
        ("b/program.aicb", "scratchpad_bytes = 99999999999", "8388608"),
    ),
    Row(
        "program DDR absurd",
        program_edit(set_property("ddr_bytes", 99999999999999)),
        RUN,
        ("b/program.aicb", "ddr_bytes", "16 GiB"),
    ),
    Row(
        "program out of bounds",
        program_edit(move_view(1792, 67108864)),
        RUN,
        ("b/program.aicb", "device fault: core 0, instruction", "node 'conv0", "67108864"),
    ),
    # Targets
    Row("aic-num-cores 0", _nothing, (*COMPILE, "-aic-num-cores=0"), ("-aic-num-cores=0",)),
    Row("aic-num-cores 17", _nothing, (*COMPILE, "-aic-num-cores=17"), ("must be 1..16",)),
    Row(
        "target YAML syntax",
        _write("t.yaml", "name: x\ncores: [\n"),
        (*COMPILE, "-target=t.yaml"),
        ("t.yaml:3", "YAML does not parse"),
    ),
    Row(
        "target key missing",
        _write("t.yaml", "name: x\n"),
        (*COMPILE, "-target=t.yaml"),
        ("t.yaml:1", "missing key"),
    ),
    Row("target missing", _nothing, (*COMPILE, "-target=no.yaml"), ("no.yaml", "cannot read")),
    # Output locations
    Row(
        "bundle directory is a file",
        _write("f", "x"),
        (*COMPILE, "-aic-binary-dir=f"),
        ("f: is a file",),
    ),
    Row(
        "bundle directory in a missing folder",
        _nothing,
        (*COMPILE, "-aic-binary-dir=no/b"),
        ("no/b", "the directory no does not exist"),
    ),
    Row(
        "bundle directory '.'",
        _nothing,
        (*COMPILE, "-aic-binary-dir=."),
        (".", "give the output directory by its name"),
    ),
    Row(
        "bundle directory not a bundle",
        _notes,
        (*COMPILE, "-aic-binary-dir=notes"),
        ("notes", "todo.txt", "not a bundle file"),
    ),
    Row(
        "output directory is a file",
        _write("out", "x"),
        RUN,
        ("out: is not a directory",),
    ),
    Row(
        "output directory in a missing folder",
        _nothing,
        (*RUN[:-1], "--write-output-dir=no/out"),
        ("no/out", "the directory no does not exist"),
    ),
    Row(
        "report file a FIFO",
        _fifo("r.json"),
        (*RUN, "--report-file=r.json"),
        ("r.json: is a FIFO",),
    ),
    Row(
        "-o a FIFO",
        _fifo("fifo"),
        ("aicc-opt", "b/model.mlir", "-o", "fifo"),
        ("fifo: is a FIFO",),
    ),
    Row(
        "-o a symlink",
        _symlink_output,
        ("aicc-opt", "b/model.mlir", "-o", "link.mlir"),
        ("link.mlir: is a symlink",),
    ),
    Row(
        "-o sidecar a directory",
        lambda w: (w / "x.mlir.npz").mkdir(),
        ("aicc-opt", "b/model.mlir", "-o", "x.mlir"),
        ("x.mlir.npz: is a directory",),
    ),
    Row(
        "dump-profile in a missing folder",
        _nothing,
        (*COMPILE, "-input-list-file=list.txt", "-dump-profile=no/pgq.yaml"),
        ("no/pgq.yaml", "does not exist"),
    ),
    Row(
        "dump-profile a directory",
        lambda w: (w / "pgq").mkdir(),
        (*COMPILE, "-input-list-file=list.txt", "-dump-profile=pgq"),
        ("pgq: is a directory",),
    ),
    Row(
        "view-op-graph output in a missing folder",
        _nothing,
        ("aicc-opt", "b/model.mlir", "-p", "view-op-graph{output=no/g.dot}"),
        ("no/g.dot", "the directory no does not exist"),
    ),
    Row(
        "dump-graph in a missing folder",
        _nothing,
        (*COMPILE, "-aic-binary-dir=b2", "-dump-graph=no/g.svg"),
        ("no/g.svg", "the directory no does not exist"),
    ),
    Row(
        "plot directory that is a file",
        _write("p", "a user's file\n"),
        (*RUN, "--plot=p"),
        ("p: is not a directory",),
    ),
    # Partial outputs
    Row(
        "second input of a list bad",
        _bad_second_input,
        ("aicc-run", "-t", "b", "--input-list-file=bad.txt", "--write-output-dir=out"),
        ("bad.txt:2", "missing.npy"),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_bad_output_side_input(work: Path, row: Row) -> None:
    row.build(work)
    before = snapshot(work)
    result = run_tool(*row.argv, cwd=work)
    assert_user_error(result, *row.needles)
    assert snapshot(work) == before


# Interruptions and failures that need the process's inside: run in-process.


@pytest.fixture
def inside(work: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(work)
    yield work


def _interrupt_on_write(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """The `at`-th temporary file written raises KeyboardInterrupt, as a SIGINT would."""
    write = aicc.base.files._write_temporary  # noqa: SLF001
    calls = iter(range(1, 1000))

    def interrupted(path: Path, data: str | bytes) -> str:
        if next(calls) == at:
            raise KeyboardInterrupt
        return write(path, data)

    monkeypatch.setattr(aicc.base.files, "_write_temporary", interrupted)


def test_sigint_while_writing_over_a_bundle_leaves_it_whole(
    inside: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_bundle_file(inside / "b", "model.mlir", "// the old bundle\n")
    before = snapshot(inside)
    _interrupt_on_write(monkeypatch, at=4)  # model, its sidecar, program, then stop
    result = run_in_process(aicc_compile.main, ["-m=model.onnx", "-aic-binary-dir=b"], capsys)
    assert result.returncode == 130
    assert "Traceback" not in result.stderr
    assert snapshot(inside) == before


def test_disk_full_writing_o_is_one_line(
    inside: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(inside)

    def full(fd: int, mode: str) -> io.IOBase:
        os.close(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(aicc.base.files.os, "fdopen", full)
    result = run_in_process(aicc_opt.main, ["b/model.mlir", "-o", "copy.mlir"], capsys)
    assert_user_error(result, "copy.mlir", "No space left on device")
    assert snapshot(inside) == before


def _denied(*args: object, **kwargs: object) -> str:
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))


@pytest.mark.parametrize(
    ("main", "argv", "make", "needle"),
    [
        (aicc_opt.main, ["b/model.mlir", "-o", "copy.mlir"], "mkstemp", "copy.mlir"),
        (aicc_opt.main, ["b/model.mlir", "-o", "copy.mlir"], "mkdtemp", "copy.mlir"),
        (aicc_compile.main, ["-m=model.onnx", "-aic-binary-dir=b"], "mkdtemp", "b"),
    ],
    ids=["file", "file probe", "bundle"],
)
def test_unwritable_folder_is_one_line(
    inside: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    main: Callable[[list[str]], None],
    argv: list[str],
    make: str,
    needle: str,
) -> None:
    """As root, a mode cannot make a folder unwritable; the refusal is simulated."""
    before = snapshot(inside)
    monkeypatch.setattr(aicc.base.files.tempfile, make, _denied)
    result = run_in_process(main, argv, capsys)
    assert_user_error(result, needle, "cannot write: Permission denied")
    assert snapshot(inside) == before


class _FullStream(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_printing_is_one_line(
    inside: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def main(argv: list[str]) -> None:
        monkeypatch.setattr("sys.stdout", _FullStream())
        aicc_opt.main(argv)

    result = run_in_process(main, ["b/model.mlir"], capsys)
    assert_user_error(result, "standard output: cannot write: No space left on device")


def test_sigint_while_profiling_leaves_no_profile(work: Path) -> None:
    (work / "long.txt").write_text("in0.npy\nin1.npy\nin2.npy\nin3.npy\n" * 50)
    before = snapshot(work)
    process = _compile(work, "-input-list-file=long.txt", "-dump-profile=pgq.yaml")
    assert process.stdout is not None
    assert "Quantization Profile is being generated." in process.stdout.readline()
    _interrupt(process)
    assert snapshot(work) == before


def test_sigint_while_compiling_over_a_bundle_leaves_it_whole(work: Path) -> None:
    """A real SIGINT, sent once lowering has begun: the old bundle stays whole."""
    edit_bundle_file(work / "b", "model.mlir", "// the old bundle\n")
    before = snapshot(work)
    process = _compile(work, "-aic-binary-dir=b")
    assert process.stderr is not None
    assert "remark: plan-memory" in process.stderr.readline()  # lowered; not yet written
    _interrupt(process)
    assert snapshot(work) == before


def _compile(work: Path, *flags: str) -> subprocess.Popen[str]:
    """`aicc-compile -m=model.onnx FLAGS` in `work`, its output read line by line."""
    return subprocess.Popen(
        [str(BIN / "aicc-compile"), "-m=model.onnx", *flags],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _interrupt(process: subprocess.Popen[str]) -> None:
    """Ctrl-C: exit status 130 and no traceback."""
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
