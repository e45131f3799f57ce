"""`aicc-compile`: compile an ONNX model in mixed FP32/FP16/INT8, with qaic-compile's flags.

    aicc-compile -m=model.onnx -input-list-file=list.txt \\
        -node-precision-info=node_precision.yaml -dump-profile=pgq.yaml
    aicc-compile -m=model.onnx -input-list-file=list.txt \\
        -node-precision-info=node_precision.yaml -load-profile=pgq.yaml \\
        -aic-binary-dir=model-bundle [-target=FILE] [-aic-num-cores=N]

The bundle holds the program for the device (see aicc.runtime.bundle); an op the device
cannot run is refused here, naming the node. `-dump-graph=FILE` also writes the
compiled graph (the `kernel` level: fused ops, converts) coloured by precision, with
each node's simulated cycles and roofline ratio (see aicc.viz.graph).

Flags take one dash and `=` as qaic-compile's do, or two dashes and a separate
value (`--load-profile pgq.yaml`). A misspelt flag is an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from aicc.api import (
    CompileConfig,
    QuantizationConfig,
    compile,
    dump_profile,
    load_program,
    merge_profile_files,
    write_bundle,
)
from aicc.base.errors import UserError, user_errors_exit_2, warn
from aicc.base.files import check_output_file
from aicc.dialects.onnx_precision import precision_report
from aicc.dialects.op_graph import OpGraph, op_graph
from aicc.pipeline.bundle import check_bundle_directory
from aicc.pipeline.compiler import AfterPass
from aicc.pipeline.op_support import format_table
from aicc.pipeline.pass_timing import PassTiming, both
from aicc.tools.cli import (
    Flags,
    add_flag,
    add_input_list_flag,
    add_option_flags,
    add_symbol_argument,
    option_values,
    parse_symbols,
    reject_unknown_flags,
    split_flag_values,
    strict_parser,
)
from aicc.viz.graph import check_graph_file, cost_notes, write_graph


def _add_dump_profile(group: Flags) -> None:
    add_flag(
        group,
        "dump-profile",
        type=Path,
        metavar="PATH",
        help="profile the model over the input list and write the quantization profile",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = strict_parser(
        "aicc-compile", "aicc-compile: compile an ONNX model in mixed FP32/FP16/INT8"
    )
    parser.add_argument("-m", "--model", type=Path, metavar="PATH", help="the ONNX model")
    add_input_list_flag(parser)
    add_option_flags(parser, QuantizationConfig, {"dump-profile": _add_dump_profile})
    add_flag(
        parser,
        "merge-profiles",
        default="",
        metavar="A,B",
        help="merge profiles of calibration shards into -dump-profile's file",
    )
    add_option_flags(parser, CompileConfig)
    add_flag(
        parser,
        "aic-binary-dir",
        type=Path,
        metavar="DIR",
        help="where the compiled bundle goes (default: <model stem>-bundle/)",
    )
    add_flag(
        parser,
        "dump-graph",
        type=Path,
        metavar="FILE",
        help="write the compiled graph with each node's simulated cycles: SVG when FILE "
        "ends in .svg and Graphviz is installed, else Graphviz DOT",
    )
    add_flag(
        parser,
        "operators-supported",
        action="store_true",
        help="print the op kinds and the precisions each runs in, then exit",
    )
    add_flag(
        parser,
        "time-passes",
        action="store_true",
        help="print the wall time of each pass of the compile (and of writing the bundle)",
    )
    add_flag(
        parser,
        "print-precision-report",
        action="store_true",
        help="print each node's final precision and the reason for it",
    )
    add_symbol_argument(parser)
    return parser


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr)


def _config(args: argparse.Namespace) -> CompileConfig:
    if args.model is None:
        raise UserError("no model: give -m=PATH")
    return CompileConfig(
        args.model,
        QuantizationConfig(**option_values(QuantizationConfig, args)),
        symbols=parse_symbols(args.onnx_define_symbol),
        input_list=args.input_list_file,
        **option_values(CompileConfig, args),
    )


def _merge(args: argparse.Namespace) -> None:
    if args.dump_profile is None:
        raise UserError("-merge-profiles needs -dump-profile=PATH for the merged profile")
    paths = [Path(p.strip()) for p in args.merge_profiles.split(",") if p.strip()]
    merge_profile_files(paths, args.dump_profile)
    print(f"Merged {len(paths)} profiles into {args.dump_profile}")


def _dump(config: CompileConfig, output: Path) -> None:
    check_output_file(output)  # before profiling, which may take long
    print("Quantization Profile is being generated.")
    result = dump_profile(config, output, _progress if sys.stderr.isatty() else None)
    print(f"Profiled {len(result.profile.tensors)} tensors over {result.inferences} inferences.")
    print(f"Quantization profile is dumped at {output}")


def _compile(args: argparse.Namespace, config: CompileConfig) -> None:
    directory = args.aic_binary_dir or Path(f"{config.model.stem}-bundle")
    check_bundle_directory(directory)  # before compiling, which may take long
    if config.parallel is not None:
        warn(f"-parallel={config.parallel} applies to -dump-profile only; compiling in process")
    graphs: list[OpGraph] = []
    if args.dump_graph is not None:
        check_graph_file(args.dump_graph)
    timing = PassTiming()
    hook = _graph_of_kernels(graphs) if args.dump_graph else None
    compiled = compile(config, both(hook, timing.after_pass) if args.time_passes else hook)
    write_bundle(compiled, directory)  # lowers to the device first: a refusal ends here
    timing.mark("write-bundle")
    if config.quantization.profile is not None:
        print("Model is compiled with Int8 precision using PGQ.")
    elif config.convert_to_fp16:
        print("Model is compiled with FP16 precision.")
    else:
        print("Model is compiled with FP32 precision.")
    if args.print_precision_report:
        for entry in precision_report(compiled.module):
            print(
                f"  {entry['name']:<24} {entry['kind']:<20} "
                f"{entry['precision']:<4} {entry['reason']}"
            )
    for output in compiled.accuracy:
        print(f"  output '{output.name}' vs FP32: {output.agreement.text()}")
    print(f"Bundle written to {directory}")
    if args.time_passes:
        print(timing.report(), file=sys.stderr)
    if args.dump_graph is not None:
        program = load_program(compiled.program, compiled.target)
        notes = cost_notes(program.report, program.layers, program.target)
        written = write_graph(args.dump_graph, graphs[-1], notes)
        print(f"Graph written to {written}")


def _graph_of_kernels(graphs: list[OpGraph]) -> AfterPass:
    """Keeps the graph of the `kernel` level: fused ops, converts and NHWC transposes."""

    def after_pass(name: str, module: ModuleOp) -> None:
        if name == "lower-onnx-to-kernel":
            graphs.append(op_graph(module))

    return after_pass


@user_errors_exit_2("aicc-compile")
def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    reject_unknown_flags(parser, raw)
    args = parser.parse_args(split_flag_values(parser, raw))
    if args.operators_supported:
        print(format_table())
        return
    if args.merge_profiles:
        _merge(args)
        return
    config = _config(args)
    if args.dump_profile is not None:
        _dump(config, args.dump_profile)
        return
    _compile(args, config)


if __name__ == "__main__":
    main(sys.argv[1:])
