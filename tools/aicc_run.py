"""`aicc-run`: run a model on the reference interpreter, with qaic-runner's file conventions.

Inputs are `.npy` files or raw little-endian files shaped and typed as the graph
input, given in graph-input order (`-i FILE`), by name (`-i NAME=FILE`), or one
inference per line of an `--input-list-file`. Each result of inference `k` is
written as raw bytes of its dtype to `DIR/<output name>-activation-0-inf-<k>.bin`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from aicc.cli import (
    add_symbol_argument,
    cannot_write,
    load_input,
    parse_symbols,
    reject_unknown_flags,
    strict_parser,
)
from aicc.errors import UserError, user_errors_exit_2
from aicc.graph import Port, input_ports, main_func, output_ports
from aicc.inputs import Inference, arity, read_input_list
from aicc.ir_io import module_blobs, write_atomically
from aicc.sim.reference import run_module

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def assign_inputs(specs: Sequence[str], inputs: list[Port], model: Path) -> list[Path]:
    """The `-i` files in graph-input order: `NAME=FILE` by name, the rest in order."""
    slot_of = {port.name: index for index, port in enumerate(inputs)}
    slots: list[Path | None] = [None] * len(inputs)
    positional: list[Path] = []
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or name not in slot_of:
            positional.append(Path(spec))
        elif slots[slot_of[name]] is not None:
            raise UserError(f"-i {spec}: input '{name}' is given twice")
        else:
            slots[slot_of[name]] = Path(file)
    free = [index for index, path in enumerate(slots) if path is None]
    if len(positional) != len(free):
        raise UserError(f"{model}: {arity(inputs)}; -i gives {len(specs)} file(s)")
    for index, path in zip(free, positional, strict=True):
        slots[index] = path
    return [path for path in slots if path is not None]


def output_files(directory: Path, outputs: list[Port], inference: int, model: Path) -> list[Path]:
    """qaic-runner's names; characters outside `[A-Za-z0-9._-]` become `_`."""
    files = [
        directory / f"{_UNSAFE.sub('_', port.name)}-activation-0-inf-{inference}.bin"
        for port in outputs
    ]
    if len(set(files)) != len(files):
        names = ", ".join(port.name for port in outputs)
        raise UserError(f"{model}: output names ({names}) collide once made file-safe")
    return files


def check_runnable(module: ModuleOp, model: Path) -> None:
    for key, blob in module_blobs(module).items():
        if blob.array is None:
            raise UserError(
                f"{model}: constant '{key}' was elided when printed; "
                "write the module with aicc-opt -o FILE to keep its weights in a sidecar"
            )


def run_inference(module: ModuleOp, model: Path, arrays: list[np.ndarray]) -> list[np.ndarray]:
    try:
        return run_module(module, arrays)
    except UserError as e:
        raise UserError(f"{model}: {e}") from None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = strict_parser(__doc__.splitlines()[0] if __doc__ else "aicc-run")
    parser.add_argument("model", help="the model: .onnx, .onnxtxt or .mlir")
    given = parser.add_mutually_exclusive_group()
    given.add_argument(
        "-i",
        "--input-file",
        action="append",
        default=[],
        metavar="[NAME=]FILE",
        help="an input (.npy or raw); in graph-input order or NAME=FILE (repeatable)",
    )
    given.add_argument(
        "-input-list-file",
        "--input-list-file",
        type=Path,
        metavar="PATH",
        help="one inference per line: comma-separated input files in graph-input order",
    )
    parser.add_argument(
        "-write-output-dir",
        "--write-output-dir",
        type=Path,
        required=True,
        metavar="DIR",
        help="where the outputs go (created if missing)",
    )
    add_symbol_argument(parser)
    reject_unknown_flags(parser, argv)
    return parser.parse_args(argv)


@user_errors_exit_2("aicc-run")
def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    model = Path(args.model)
    module = load_input(model, parse_symbols(args.onnx_define_symbol))
    check_runnable(module, model)
    try:
        func = main_func(module)
    except UserError as e:
        raise UserError(f"{model}: {e}") from None
    inputs, outputs = input_ports(func), output_ports(func)
    if args.input_list_file is not None:
        runs = read_input_list(args.input_list_file, inputs)
    else:
        runs = [Inference(assign_inputs(args.input_file, inputs, model))]
    directory: Path = args.write_output_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"{directory}: cannot create the output directory: {e.strerror}") from None
    for index, run in enumerate(runs):
        arrays = run.read(inputs)
        files = output_files(directory, outputs, index, model)
        for path, array in zip(files, run_inference(module, model, arrays), strict=True):
            write_output(path, array)


def write_output(path: Path, array: np.ndarray) -> None:
    """Raw little-endian bytes of the array's own dtype, written atomically."""
    try:
        write_atomically(path, array.astype(array.dtype.newbyteorder("<")).tobytes())
    except OSError as e:
        raise cannot_write(path, e) from None


if __name__ == "__main__":
    main(sys.argv[1:])
