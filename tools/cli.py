"""Helpers shared by aicc's command-line tools.

Flags follow qaic's tools: long flags take one or two dashes (`-onnx-define-symbol=N,V`
or `--onnx-define-symbol N,V`). argparse would read an unknown single-dash flag such as
`-target=x` as `-t arget=x`, and accepts prefixes of single-dash flags even with
`allow_abbrev=False`; `reject_unknown_flags` closes both holes. The other helpers turn
what a user got wrong in an input file into one `UserError` line naming the file.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException, ParseError

from aicc.base.errors import UserError, cannot_read, fail
from aicc.base.options import declared
from aicc.dialects.context import make_context
from aicc.dialects.ir_io import diagnostic_error, parse_error_line, parse_module

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

INPUT_SUFFIXES = (".mlir", ".onnx", ".onnxtxt")
_NUMBER = re.compile(r"^-\d|^-\.\d")


def strict_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description, allow_abbrev=False)
    one_line_errors(parser, prog)
    return parser


def one_line_errors(parser: argparse.ArgumentParser, prog: str) -> None:
    """Report a usage error as the one line `<prog>: error: <message>`, without the usage block.

    argparse prints its whole usage before the error; the user-error rule is one line.
    """
    parser.prog = prog

    def error(message: str) -> NoReturn:
        fail(prog, f"{message} (see {prog} -h)")

    parser.error = error


def reject_unknown_flags(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """Exit with a usage error if a single-dash argument is not exactly a registered flag."""
    # argparse keeps its flag table private; reading it is the only way to know the flags.
    known = parser._option_string_actions
    for arg in argv:
        if arg == "--":
            return
        if arg == "-" or not arg.startswith("-") or arg.startswith("--") or _NUMBER.match(arg):
            continue
        if arg.split("=", 1)[0] not in known:
            parser.error(f"unrecognized argument: {arg}")


Flags = argparse.ArgumentParser | argparse._ActionsContainer
"""A parser or an argument group."""


def add_flag(parser: Flags, name: str, **kwargs: Any) -> None:
    """A long flag in both spellings: `-name=value` (qaic) and `--name value` (GNU)."""
    parser.add_argument(f"-{name}", f"--{name}", **kwargs)


def add_option_flags(
    parser: Flags,
    config_type: type[DataclassInstance],
    excluded: Mapping[str, Callable[[Flags], None]] | None = None,
) -> None:
    """A flag for each option declared in `config_type` (see aicc.base.options).

    Each stores into its field's name. A flag that `excludes` another shares a
    mutually exclusive group with it: `excluded[other]` adds the other to the group.
    """
    for f, spec in declared(config_type):
        where = parser
        if spec.excludes is not None:
            where = parser.add_mutually_exclusive_group()
            (excluded or {})[spec.excludes](where)
        if isinstance(f.default, bool):
            add_flag(where, spec.flag, dest=f.name, action="store_true", help=spec.help)
            continue
        parse = spec.parse
        if parse is None and f.default is not None and not isinstance(f.default, str):
            parse = type(f.default)
        add_flag(
            where,
            spec.flag,
            dest=f.name,
            type=parse,
            default=f.default,
            choices=spec.choice_names,
            metavar=spec.metavar,
            help=spec.help,
        )


def option_values(config_type: type[DataclassInstance], args: argparse.Namespace) -> dict[str, Any]:
    """The values of `config_type`'s declared options, from flags added by `add_option_flags`."""
    return {f.name: getattr(args, f.name) for f, _ in declared(config_type)}


def add_input_list_flag(parser: Flags) -> None:
    add_flag(
        parser,
        "input-list-file",
        type=Path,
        metavar="PATH",
        help="one inference per line: comma-separated input files in graph-input order",
    )


def add_symbol_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-onnx-define-symbol",
        "--onnx-define-symbol",
        action="append",
        default=[],
        metavar="NAME,VALUE",
        help="fix a symbolic input dimension of an ONNX model (repeatable)",
    )


def parse_symbols(specs: Sequence[str]) -> dict[str, int]:
    """The `-onnx-define-symbol=NAME,VALUE` flags as a name -> value map."""
    symbols: dict[str, int] = {}
    for spec in specs:
        name, _, value = spec.partition(",")
        if not name or not value.strip().lstrip("-").isdigit():
            raise UserError(f"-onnx-define-symbol={spec}: expected NAME,VALUE")
        symbols[name] = int(value)
    return symbols


def unknown_suffix(path: Path) -> UserError:
    expected = ", ".join(INPUT_SUFFIXES)
    return UserError(f"{path}: unknown input file extension '{path.suffix}' (expected {expected})")


def load_input(path: Path, symbols: Mapping[str, int]) -> ModuleOp:
    """The verified module in a `.mlir`, `.onnx` or `.onnxtxt` file."""
    if path.suffix not in INPUT_SUFFIXES:
        raise unknown_suffix(path)
    if path.suffix != ".mlir":
        # Imported here: `onnx` takes about a second to import; `.mlir` input never needs it.
        from aicc.frontend.onnx_load import load_module

        return load_module(path, symbols)
    try:
        text = path.read_text()
    except OSError as e:
        raise cannot_read(path, e) from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text file") from None
    try:
        module = parse_module(make_context(), text, path)
    except ParseError as e:
        raise UserError(parse_error_line(e)) from None
    try:
        module.verify()
    except DiagnosticException as e:
        raise diagnostic_error(module, str(path), e) from None
    return module


def split_flag_values(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """`-flag=value` as `-flag value` for registered flags, so one-letter flags work too.

    argparse reads `-m=model.onnx` as `-m` with the value `=model.onnx`.
    """
    known = parser._option_string_actions
    split: list[str] = []
    for arg in argv:
        flag, sep, value = arg.partition("=")
        if sep and arg.startswith("-") and not arg.startswith("--") and flag in known:
            split.extend((flag, value))
        else:
            split.append(arg)
    return split
