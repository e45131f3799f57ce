"""`aicc-run`: run a model on the reference interpreter, or a bundle on the device simulator.

Inputs are `.npy` files or raw little-endian files shaped and typed as the graph
input, given in graph-input order (`-i FILE`), by name (`-i NAME=FILE`), or one
inference per line of an `--input-list-file`. Each result of inference `k` is
written as raw bytes of its dtype to `DIR/<output name>-activation-0-inf-<k>.bin`;
the files appear only once every inference has run, so a bad input or a fault
leaves no outputs behind (DIR is created if missing; its parent must exist).

For a bundle compiled with `-batchsize=N`, each line of the input list is one sample
of batch 1 and N consecutive lines make one inference (a list whose length is not a
multiple of N is refused); `-i` gives whole batches, and each output file holds the
inference's whole batch.

`aicc-run -t DIR` runs the `aic` program of a bundle that `aicc-compile` wrote on
the simulator (aicc.sim.device), with the same input and output conventions: float
inputs are quantized and outputs dequantized on the host where the manifest says
an edge is quantized, so the files are float32 like the model's. `--reference`
runs the bundle's high-level IR on the reference interpreter instead (the only way
to run a format_version 1 bundle). `-n K` runs every inference K times. The cost
report is that of the last run: `--report` prints it as text, `--report=json`
prints it as one JSON document (stdout then holds nothing else), and
`--report-file=F` writes the JSON to F atomically. `--plot=DIR2` draws that report
into DIR2 (see aicc.viz.report_plots): roofline.png, timeline.png and layers.png, each
with its JSON; it needs the optional extra `plot`. A device fault is one line and
exit status 2.

`aicc-run MODEL --compare [--load-profile=PGQ --node-precision-info=YAML ...]` runs
the inputs through FP32 and the compiled precisions and prints every tensor's
agreement (see aicc.pipeline.compare); it writes no output files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from aicc.base.accuracy import DEFAULT_THRESHOLD_DB
from aicc.base.errors import UserError, user_errors_exit_2
from aicc.base.files import check_output_file, files_into_directory, write_atomically
from aicc.dialects.graph import Port, input_ports, main_func, output_ports
from aicc.dialects.ir_io import module_blobs
from aicc.runtime.bundle import DeviceExecutable, read_bundle
from aicc.runtime.inputs import Inference, arity, read_input_list
from aicc.sim.device import CostReport
from aicc.sim.reference.interpreter import run_module
from aicc.tools.cli import (
    add_flag,
    add_input_list_flag,
    add_symbol_argument,
    load_input,
    parse_symbols,
    reject_unknown_flags,
    split_flag_values,
    strict_parser,
)
from aicc.viz.extra import import_plot_module
from aicc.viz.report_plots import PICTURES, write_plots

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
    parser = strict_parser("aicc-run", __doc__.splitlines()[0] if __doc__ else "aicc-run")
    parser.add_argument("model", nargs="?", help="the model: .onnx, .onnxtxt or .mlir")
    parser.add_argument(
        "-t",
        "--bundle",
        type=Path,
        metavar="DIR",
        help="run the bundle aicc-compile wrote to DIR instead of a model",
    )
    given = parser.add_mutually_exclusive_group()
    given.add_argument(
        "-i",
        "--input-file",
        action="append",
        default=[],
        metavar="[NAME=]FILE",
        help="an input (.npy or raw); in graph-input order or NAME=FILE (repeatable)",
    )
    add_input_list_flag(given)
    add_flag(
        parser,
        "write-output-dir",
        type=Path,
        metavar="DIR",
        help="where the outputs go (created if missing); required unless --compare",
    )
    add_symbol_argument(parser)
    bundle = parser.add_argument_group("bundles (-t DIR)")
    add_flag(
        bundle,
        "reference",
        action="store_true",
        help="run the bundle's high-level IR on the reference interpreter, not the simulator",
    )
    bundle.add_argument(
        "-n",
        "--num-iter",
        type=int,
        default=1,
        metavar="K",
        help="run every inference K times (default 1)",
    )
    add_flag(
        bundle,
        "report",
        nargs="?",
        const="text",
        choices=("text", "json"),
        help="print the simulator's cost report of the last run (text, or json alone on stdout)",
    )
    add_flag(bundle, "report-file", type=Path, metavar="FILE", help="write the JSON cost report")
    add_flag(
        bundle,
        "plot",
        type=Path,
        metavar="DIR",
        help="draw roofline.png, timeline.png and layers.png with their JSON into DIR "
        "(needs the plot extra)",
    )
    compare = parser.add_argument_group("per-tensor comparison against FP32")
    add_flag(compare, "compare", action="store_true", help="compare every tensor with FP32")
    add_flag(compare, "node-precision-info", type=Path, metavar="YAML")
    add_flag(compare, "load-profile", type=Path, metavar="PGQ", help="compare the INT8 compile")
    add_flag(compare, "convert-to-fp16", action="store_true")
    add_flag(compare, "keep-original-precision-for-nodes", default="", metavar="K1,K2")
    add_flag(
        compare,
        "compare-threshold",
        type=float,
        default=DEFAULT_THRESHOLD_DB,
        metavar="DB",
        help=f"mark the first tensor with SQNR below DB (default {DEFAULT_THRESHOLD_DB:g})",
    )
    argv = split_flag_values(parser, argv)
    reject_unknown_flags(parser, argv)
    args = parser.parse_args(argv)
    if (args.model is None) == (args.bundle is None):
        parser.error("give either a model or -t DIR")
    if args.compare and args.bundle is not None:
        parser.error("--compare compiles a model; it does not take -t DIR")
    if args.num_iter < 1:
        parser.error(f"-n {args.num_iter}: give a count of at least 1")
    on_device = args.bundle is not None and not args.reference
    if (args.report or args.report_file or args.plot) and not on_device:
        parser.error(
            "--report, --report-file and --plot need a bundle run on the simulator (-t DIR)"
        )
    if args.reference and args.bundle is None:
        parser.error("--reference runs a bundle's high-level IR; give -t DIR")
    if not args.compare and args.write_output_dir is None:
        parser.error("the following arguments are required: --write-output-dir")
    return args


def load_module(args: argparse.Namespace) -> tuple[ModuleOp, Path]:
    """The module to run on the reference interpreter and the path that names it in messages."""
    if args.bundle is None:
        model = Path(args.model)
        return load_input(model, parse_symbols(args.onnx_define_symbol)), model
    return read_bundle(args.bundle).model(), args.bundle


Execute = Callable[[list[np.ndarray]], tuple[list[np.ndarray], CostReport | None]]
"""One inference: the outputs, and the cost report when it ran on the simulator."""


class Executable(NamedTuple):
    execute: Execute
    inputs: list[Port]
    outputs: list[Port]
    source: Path
    """The path that names the model in messages."""
    device: DeviceExecutable | None = None
    """The simulator's program, for a bundle run on the device."""


def reference_executable(args: argparse.Namespace, say: Callable[[str], None]) -> Executable:
    """The model (or a bundle's high-level IR) on the reference interpreter."""
    if args.bundle is not None:
        say(f"running bundle {args.bundle} on the reference interpreter (INT8/FP16 kernels)")
    module, source = load_module(args)
    check_runnable(module, source)
    try:
        func = main_func(module)
    except UserError as e:
        raise UserError(f"{source}: {e}") from None

    def execute(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], CostReport | None]:
        return run_inference(module, source, arrays), None

    return Executable(execute, input_ports(func), output_ports(func), source)


def device_executable(args: argparse.Namespace, say: Callable[[str], None]) -> Executable:
    """A bundle's `aic` program on the simulator, quantizing and dequantizing at the edges."""
    source: Path = args.bundle
    executable = read_bundle(source).executable()
    target = executable.target
    say(f"running bundle {source} on the simulator ({target.name}, {target.cores} cores)")

    def execute(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], CostReport | None]:
        try:
            return executable.run(arrays)
        except UserError as e:
            raise UserError(f"{source}: {e}") from None

    return Executable(execute, executable.inputs, executable.outputs, source, executable)


def emit_report(args: argparse.Namespace, report: CostReport) -> None:
    text = json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"
    if args.report == "text":
        print(report.format())
    elif args.report == "json":
        print(text, end="")
    if args.report_file is not None:
        write_atomically(args.report_file, text)


def _quiet(_: str) -> None:
    """Nothing: with `--report=json` stdout holds only the report."""


@user_errors_exit_2("aicc-run")
def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    say = _quiet if args.report == "json" else print
    on_device = args.bundle is not None and not args.reference
    make = device_executable if on_device else reference_executable
    if args.plot is not None:
        import_plot_module("matplotlib.figure", "--plot")  # before the runs, which may be long
    execute, inputs, outputs, source, device = make(args, say)
    if args.input_list_file is not None:
        batch = None if args.bundle is None else read_bundle(args.bundle).batch_size
        runs = read_input_list(args.input_list_file, inputs, batch)
    else:
        runs = [Inference(assign_inputs(args.input_file, inputs, source))]
    if args.compare:
        # Imported here: comparing compiles the model, and a bundle run loads no compiler.
        from aicc.tools.tensor_compare import compare_config, print_comparison

        print_comparison(compare_config(args, source), runs, args.compare_threshold)
        return
    if args.report_file is not None:
        check_output_file(args.report_file)
    report: CostReport | None = None
    with (
        files_into_directory(args.write_output_dir) as staging,
        _pictures_directory(args.plot) as pictures,
    ):
        for index, run in enumerate(runs):
            arrays = run.read(inputs)
            results, report = execute(arrays)
            for _ in range(args.num_iter - 1):
                results, report = execute(arrays)
            files = output_files(staging, outputs, index, source)
            for path, array in zip(files, results, strict=True):
                write_output(path, array)
        if pictures is not None and report is not None and device is not None:
            program = device.program
            write_plots(pictures, report, program.trace(), program.layers, device.target)
    if report is not None:
        emit_report(args, report)
    if args.plot is not None:
        say(f"pictures written to {args.plot}: " + ", ".join(f"{n}.png" for n in PICTURES))


@contextmanager
def _pictures_directory(directory: Path | None) -> Iterator[Path | None]:
    """A staging directory for `--plot`'s files, which move in with the outputs."""
    if directory is None:
        yield None
        return
    with files_into_directory(directory) as staging:
        yield staging


def write_output(path: Path, array: np.ndarray) -> None:
    """Raw little-endian bytes of the array's own dtype."""
    write_atomically(path, array.astype(array.dtype.newbyteorder("<")).tobytes())


if __name__ == "__main__":
    main(sys.argv[1:])
