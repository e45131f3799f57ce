"""`aicc-tune`: the cheapest FP16 node set that meets an accuracy target, priced by the
device cost model (see aicc.tune).

    aicc-tune -m=model.onnx -input-list-file=calib.txt [-eval-list-file=eval.txt] \\
        (-target-sqnr=DB | -target-agreement=FRACTION | -max-cycles=N) \\
        [-target=device.yaml] [-aic-num-cores=N] [aicc-compile's quantization flags] \\
        -output-dir=DIR

It writes DIR/frontier.json, DIR/point-<k>.yaml, DIR/chosen.yaml, DIR/chosen-pgq.yaml
and DIR/pareto.png, prints the frontier, and ends with the two aicc-compile commands
that reproduce the chosen point.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from aicc.api import AccuracyTarget, CompileConfig, QuantizationConfig, tune
from aicc.base.errors import UserError, user_errors_exit_2
from aicc.base.files import check_output_directory
from aicc.base.options import declared
from aicc.tools.cli import (
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
from aicc.tune.plot import PLOT_EXTRA

_QUANTIZATION_FLAGS = [
    (f, spec)
    for f, spec in declared(QuantizationConfig)
    if spec.flag not in ("node-precision-info", "load-profile")
]
"""The quantization flags of aicc-compile that tuning takes: it chooses the FP16 set and
makes the profile itself."""


def build_parser() -> argparse.ArgumentParser:
    parser = strict_parser(
        "aicc-tune", "aicc-tune: the cheapest FP16 node set that meets an accuracy target"
    )
    parser.add_argument("-m", "--model", type=Path, metavar="PATH", help="the ONNX model")
    add_input_list_flag(parser)
    add_flag(
        parser,
        "eval-list-file",
        type=Path,
        metavar="PATH",
        help="inputs the chosen point is verified on (default: the calibration list)",
    )
    goal = parser.add_mutually_exclusive_group()
    add_flag(goal, "target-sqnr", type=float, metavar="DB", help="every output's SQNR vs FP32")
    add_flag(
        goal,
        "target-agreement",
        type=float,
        metavar="FRACTION",
        help="every output's top-1 agreement with FP32",
    )
    add_flag(goal, "max-cycles", type=int, metavar="N", help="a budget of simulated cycles")
    # -load-profile shares a group with aicc-compile's -dump-profile, which tuning lacks.
    add_option_flags(parser, QuantizationConfig, {"dump-profile": lambda _: None})
    add_option_flags(parser, CompileConfig)
    add_flag(parser, "output-dir", type=Path, metavar="DIR", help="where the results go")
    add_symbol_argument(parser)
    return parser


def _refuse_unused(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    for flag, dest in (
        ("node-precision-info", "node_precision_info"),
        ("load-profile", "profile"),
        ("print-ir-after-all", "print_ir_after_all"),
        ("convert-to-fp16", "convert_to_fp16"),
    ):
        if getattr(args, dest):
            parser.error(f"-{flag} is not an aicc-tune flag: aicc-tune chooses the precisions")


def _config(args: argparse.Namespace) -> tuple[CompileConfig, AccuracyTarget, Path]:
    if args.model is None:
        raise UserError("no model: give -m=PATH")
    if args.input_list_file is None:
        raise UserError("aicc-tune needs -input-list-file=PATH: the calibration inputs")
    if args.output_dir is None:
        raise UserError("aicc-tune needs -output-dir=DIR for its results")
    target = AccuracyTarget(args.target_sqnr, args.target_agreement, args.max_cycles)
    check_output_directory(args.output_dir)
    config = CompileConfig(
        args.model,
        QuantizationConfig(**option_values(QuantizationConfig, args)),
        symbols=parse_symbols(args.onnx_define_symbol),
        input_list=args.input_list_file,
        **option_values(CompileConfig, args),
    )
    return config, target, args.output_dir


def _flags(config: CompileConfig) -> list[str]:
    """The non-default compile flags of `config`, as aicc-compile spells them."""
    flags: list[str] = []
    for f, spec in _QUANTIZATION_FLAGS:
        value = getattr(config.quantization, f.name)
        if value != f.default:
            flags.append(f"-{spec.flag}" if value is True else f"-{spec.flag}={value}")
    if config.target is not None:
        flags.append(f"-target={config.target}")
    if config.num_cores is not None:
        flags.append(f"-aic-num-cores={config.num_cores}")
    flags += [f"-onnx-define-symbol={k},{v}" for k, v in config.symbols.items()]
    return flags


def reproduce(config: CompileConfig, eval_list: Path, directory: Path) -> list[str]:
    """The two aicc-compile commands that rebuild the chosen point."""
    info = directory / "chosen.yaml"
    profile = directory / "chosen-pgq.yaml"
    common = [f"-m={config.model}", *_flags(config), f"-node-precision-info={info}"]
    dump = ["aicc-compile", *common, f"-input-list-file={config.input_list}"]
    load = ["aicc-compile", *common, f"-input-list-file={eval_list}", f"-load-profile={profile}"]
    return [
        shlex.join([*dump, f"-dump-profile={profile}"]),
        shlex.join(load),
    ]


@user_errors_exit_2("aicc-tune")
def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    reject_unknown_flags(parser, raw)
    args = parser.parse_args(split_flag_values(parser, raw))
    _refuse_unused(parser, args)
    config, target, directory = _config(args)
    eval_list = args.eval_list_file or config.input_list
    assert eval_list is not None

    def progress(message: str) -> None:
        print(f"aicc-tune: {message}", flush=True)

    frontier = tune(config, target, args.eval_list_file, progress=progress)
    if frontier.failure is not None:
        raise UserError(frontier.failure)
    written = frontier.write(directory)
    print(f"Frontier ({target.text()}; * chosen):")
    print(frontier.table())
    for name, point in frontier.baselines.items():
        print(f"  {name}: {point.cycles} cycles, SQNR {point.worst_sqnr_db:.2f} dB")
    for v in frontier.verifications:
        k = frontier.points.index(v.point)
        verdict = "meets" if v.passed else "misses"
        print(
            f"verified point {k} on {eval_list}: {v.measured.cycles} cycles, "
            f"SQNR {v.measured.worst_sqnr_db:.2f} dB, top-1 {v.measured.worst_agreement:.3f}: "
            f"{verdict} {target.text()}"
        )
    if directory / "pareto.png" not in written:
        print(f"pareto.png not drawn: matplotlib is missing ({PLOT_EXTRA})")
    print(f"Results written to {directory}")
    print("Reproduce the chosen point with:")
    for command in reproduce(config, eval_list, directory):
        print(f"  {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
