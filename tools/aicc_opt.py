"""`aicc-opt`: xdsl-opt with aicc's dialects, passes and ONNX frontends.

It reads `.mlir`, `.onnx` or `.onnxtxt`, runs a `-p` pipeline and prints the
module with its constant blobs. User errors are one line and exit status 2;
`-o` writes through a temporary file.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from xdsl.dialects.builtin import ModuleOp
from xdsl.xdsl_opt_main import xDSLOptMain

from aicc.context import register_dialects
from aicc.errors import UserError
from aicc.frontend.onnx_load import load_module
from aicc.ir_io import parse_module, print_module
from aicc.passes import AICC_PASSES


class AiccOptMain(xDSLOptMain):
    def __init__(self, args: Sequence[str] | None = None) -> None:
        super().__init__(description="aicc modular optimizer driver", args=args)

    def register_all_dialects(self) -> None:
        register_dialects(self.ctx)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, pass_factory in AICC_PASSES.items():
            self.register_pass(name, pass_factory)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "-onnx-define-symbol",
            "--onnx-define-symbol",
            action="append",
            default=[],
            metavar="NAME,VALUE",
            help="fix a symbolic input dimension of an ONNX model (repeatable)",
        )

    def symbols(self) -> dict[str, int]:
        symbols: dict[str, int] = {}
        for spec in self.args.onnx_define_symbol:
            name, sep, value = spec.partition(",")
            if not sep or not value.strip().lstrip("-").isdigit():
                raise UserError(f"-onnx-define-symbol={spec}: expected NAME,VALUE")
            symbols[name] = int(value)
        return symbols

    def input_path(self) -> Path | None:
        name = self.args.input_file
        return None if name in (None, "-") else Path(name)

    def register_all_frontends(self) -> None:
        super().register_all_frontends()

        def parse_mlir(stream: IO[bytes]) -> ModuleOp:
            return parse_module(self.ctx, stream.read().decode(), self.input_path())

        def parse_onnx(_: IO[bytes]) -> ModuleOp:
            path = self.input_path()
            if path is None:
                raise UserError("ONNX input must be a file, not standard input")
            return load_module(path, self.symbols())

        self.available_frontends["mlir"] = parse_mlir
        self.available_frontends["onnx"] = parse_onnx
        self.available_frontends["onnxtxt"] = parse_onnx

    def output_resulting_program(self, prog: ModuleOp) -> str:
        out = io.StringIO()
        print_module(prog, out)
        return out.getvalue()


def main(argv: Sequence[str] | None = None) -> None:
    AiccOptMain(args=argv).run()

if __name__ == "__main__":
    main(sys.argv[1:])
