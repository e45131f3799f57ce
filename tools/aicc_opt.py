"""`aicc-opt`: xdsl-opt with aicc's dialects, passes and ONNX frontends.

It reads `.mlir`, `.onnx` or `.onnxtxt`, a binary `aic` program (`.aicb`, its
constants in the `FILE.aicb.npz` sidecar, or in a bundle's `constants.npz` beside it)
or a bundle directory (its program), runs a `-p` pipeline and prints the module with
its constant blobs; `-o FILE.aicb` writes the `aic` program in binary instead
(docs/bundle-format.md). User errors are one line and exit status 2 (except what
`--verify-diagnostics`/`--parsing-diagnostics` ask xDSL to print). `-o FILE` is
written once, after every chunk succeeded, through a temporary file; its large blobs
go to the `FILE.npz` sidecar.

The device path runs step by step, each level printable and parseable:

    aicc-opt model.onnx -p lower-onnx-to-kernel          # kernel dialect (NHWC buffers)
    aicc-opt kernel.mlir -p plan-memory                  # DDR offsets, peak activations
    aicc-opt planned.mlir -p 'lower-kernel-to-aic{num_cores=4}'   # the aic program
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from aicc.base.errors import UserError, cannot_read, first_line, user_errors_exit_2
from aicc.base.files import check_output_file, write_files_atomically
from aicc.dialects.aic_tables import (
    encode,
    program_bytes,
    read_program,
    tables_module,
)
from aicc.dialects.context import register_dialects
from aicc.dialects.ir_io import (
    STORE_FILE,
    diagnostic_error,
    npz_bytes,
    npz_loader,
    parse_error_line,
    parse_module,
    print_module,
    save_text,
    sidecar_path,
)
from aicc.pipeline.registry import AICC_PASSES
from aicc.tools.cli import (
    add_symbol_argument,
    one_line_errors,
    parse_symbols,
    reject_unknown_flags,
    unknown_suffix,
)


class _OutputBuffer(io.StringIO):
    """Collects the `-o` text; xDSL closes its output stream even when a chunk fails."""

    def close(self) -> None:
        """Keep the text readable: it is written out only after the whole run succeeded."""


class AiccOptMain(xDSLOptMain):
    """xDSLOptMain with aicc's frontends, printer, atomic `-o` and one-line user errors."""

    def __init__(self, args: Sequence[str] | None = None) -> None:
        self.argv = list(sys.argv[1:] if args is None else args)
        self.output = _OutputBuffer()
        self.sidecar: dict[str, np.ndarray] = {}
        self.binary: ModuleOp | None = None
        super().__init__(description="aicc modular optimizer driver", args=args)

    def register_all_dialects(self) -> None:
        register_dialects(self.ctx)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, pass_factory in AICC_PASSES.items():
            self.register_pass(name, pass_factory)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        add_symbol_argument(arg_parser)
        arg_parser.allow_abbrev = False
        one_line_errors(arg_parser, "aicc-opt")
        reject_unknown_flags(arg_parser, self.argv)

    def input_path(self) -> Path | None:
        name = self.args.input_file
        return None if name in (None, "-") else Path(name)

    def register_all_frontends(self) -> None:
        super().register_all_frontends()

        def parse_mlir(stream: IO[bytes]) -> ModuleOp:
            try:
                text = stream.read().decode()
            except UnicodeDecodeError:
                raise UserError(f"{self.get_input_name()}: not a text file") from None
            return parse_module(self.ctx, text, self.input_path())

        def parse_onnx(_: IO[bytes]) -> ModuleOp:
            # Imported here: `onnx` takes about a second to import, and `.mlir` input
            # never needs it.
            from aicc.frontend.onnx_load import load_module

            path = self.input_path()
            if path is None:
                raise UserError("ONNX input must be a file, not standard input")
            return load_module(path, parse_symbols(self.args.onnx_define_symbol))

        def parse_binary(stream: IO[bytes]) -> ModuleOp:
            path = self.input_path() or Path("<stdin>")
            stores = [sidecar_path(path), path.with_name(STORE_FILE)]
            store = next((store for store in stores if store.exists()), None)
            load = _no_constants if store is None else npz_loader(store)
            return tables_module(read_program(path, stream.read()), load)

        def parse_bundle(_: IO[bytes]) -> ModuleOp:
            # Imported here: the runner (and the simulator) only for bundle input.
            from aicc.runtime.bundle import read_bundle

            path = self.input_path()
            assert path is not None
            return read_bundle(path).program()

        self.available_frontends["mlir"] = parse_mlir
        self.available_frontends[BINARY_SUFFIX] = parse_binary
        self.available_frontends[_BUNDLE] = parse_bundle
        self.available_frontends["onnx"] = parse_onnx
        self.available_frontends["onnxtxt"] = parse_onnx

    def setup_pipeline(self) -> None:
        if self.args.passes:
            self.args.passes = quote_path_values(self.args.passes)
        # xDSL's callback prints between passes with its own printer (it reads the flag
        # at each call); aicc's printer adds the blobs, so it takes the flag over.
        between = self.args.print_between_passes
        self.args.print_between_passes = False
        try:
            super().setup_pipeline()
        except ArgSpecParseError as e:
            lines = str(e).strip().splitlines()
            column = lines[1].rsplit(":", 1)[-1]
            message = lines[-1].strip()
            raise UserError(f"-p '{self.args.passes}': column {column}: {message}") from None
        except ValueError as e:
            raise UserError(f"-p '{self.args.passes}': {first_line(e)}") from None
        if not between:
            return
        xdsl_callback = self.pipeline.callback
        assert xdsl_callback is not None

        def callback(
            previous: ModulePass | None, module: ModuleOp, next_pass: ModulePass | None
        ) -> None:
            xdsl_callback(previous, module, next_pass)
            if previous is not None and next_pass is not None:
                print(f"IR after {previous.name}:")
                print_module(module, sys.stdout)
                print("\n\n")

        self.pipeline = dataclasses.replace(self.pipeline, callback=callback)

    def prepare_input(self) -> tuple[list[tuple[IO[bytes], int]], str]:
        path = self.input_path()
        if path is not None and path.is_dir():
            return [(io.BytesIO(b""), 0)], _BUNDLE
        try:
            return super().prepare_input()
        except OSError as e:
            raise cannot_read(Path(self.get_input_name()), e) from None
        except ValueError:
            raise unknown_suffix(Path(self.get_input_name())) from None

    def prepare_output(self) -> IO[str]:
        return sys.stdout if self.args.output_file is None else self.output

    def apply_passes(self, prog: ModuleOp) -> None:
        try:
            super().apply_passes(prog)
        except DiagnosticException as e:
            if self.args.verify_diagnostics:
                raise
            raise diagnostic_error(prog, self.get_input_name(), e) from None

    def binary_output(self) -> Path | None:
        path = None if self.args.output_file is None else Path(self.args.output_file)
        return path if path is not None and path.suffix == f".{BINARY_SUFFIX}" else None

    def output_resulting_program(self, prog: ModuleOp) -> str:
        if self.binary_output() is not None:
            self.binary = prog
            return ""
        out = io.StringIO()
        sidecar = None if self.args.output_file is None else self.sidecar
        print_module(prog, out, sidecar=sidecar, generic=self.args.print_op_generic)
        return out.getvalue()

    def run(self) -> None:
        if self.args.output_file is not None:
            # Refused before any pass runs: a FIFO, a symlink or a missing folder at -o.
            check_output_file(Path(self.args.output_file))
            check_output_file(sidecar_path(Path(self.args.output_file)))
        try:
            super().run()
        except ParseError as e:
            raise UserError(parse_error_line(e)) from None
        except DiagnosticException as e:
            raise UserError(f"{self.get_input_name()}: {first_line(e)}") from None
        if self.args.output_file is None:
            return
        binary = self.binary_output()
        if binary is None:
            save_text(Path(self.args.output_file), self.output.getvalue(), self.sidecar)
            return
        _save_binary(binary, self.binary)


BINARY_SUFFIX = "aicb"
_BUNDLE = "<bundle directory>"


def _no_constants(_: str) -> None:
    """A binary program without its sidecar: its constants print as elided."""
    return None


def _save_binary(path: Path, module: ModuleOp | None) -> None:
    """The `aic` program in binary at `path`, its constants in the `path.npz` sidecar."""
    if module is None:
        raise UserError(f"{path}: no module to write")
    try:
        tables, constants = encode(module)
    except ValueError as e:
        raise UserError(f"{path}: the module is not an aic program: {first_line(e)}") from None
    arrays = {key: array for key, array in constants.items() if array is not None}
    files: dict[Path, str | bytes] = {path: program_bytes(tables)}
    if arrays:
        files[sidecar_path(path)] = npz_bytes(arrays)
    write_files_atomically(files)


# An option value xDSL's pass-spec lexer would split: neither quoted, bracketed, a
# number, nor only identifier characters (a path such as `out/graph.dot`).
_PATH_VALUE = re.compile(
    r'(?<==)(?![-+]?[0-9.]+[,}\s])([^"\[\s{},=]*[^"\[\sA-Za-z0-9_{},=-][^\s{},="]*)'
)


def quote_path_values(spec: str) -> str:
    """`view-op-graph{output=out/g.dot}` as `view-op-graph{output="out/g.dot"}`, as MLIR
    takes it."""
    return _PATH_VALUE.sub(lambda m: '"' + m.group(1).replace("\\", "\\\\") + '"', spec)


@user_errors_exit_2("aicc-opt")
def main(argv: Sequence[str] | None = None) -> None:
    AiccOptMain(args=argv).run()


if __name__ == "__main__":
    main(sys.argv[1:])
