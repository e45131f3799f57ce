"""The compile driver behind `aicc.api` and `aicc-compile`.

One module is built once and every pass runs on it in process:

    import -> constant-fold-reference -> annotate-precision
        -> (profiling: run unfused in the reference interpreter, FP16 nodes on FP16 kernels)
        -> fuse-conv-bn -> quantize -> insert-precision-casts -> constant-fold-reference
        -> (for a bundle, on a clone: aicc.pipeline.device.lower_to_device to the target)

The model's graph hash and the FP16 set hash tie a profile to the model and the
node-precision-info it was generated with, as the spec requires.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import onnx
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from aicc.base.accuracy import Agreement, agreement
from aicc.base.errors import UserError
from aicc.base.node_precision import NodePrecisionInfo, fp16_set_hash, load_node_precision_info
from aicc.base.options import Option, names, option
from aicc.base.parallel import Parallelism, parse_parallel, run_tasks
from aicc.base.precision import precision_of
from aicc.base.profile import (
    DEFAULT_NUM_HISTOGRAM_BINS,
    Profile,
    Profiler,
    merge_profiles,
    read_profile,
    write_profile,
)
from aicc.base.quantization_options import QuantizeOptions
from aicc.base.target import Target, load_target
from aicc.dialects.context import make_context
from aicc.dialects.graph import Port, input_ports, main_func, output_ports
from aicc.dialects.ir_io import module_text
from aicc.dialects.onnx_precision import annotated_ops
from aicc.frontend.onnx_load import import_verified, prepare_model, read_model
from aicc.pipeline.device import lower_to_device
from aicc.pipeline.registry import AICC_PASSES
from aicc.runtime.inputs import Inference, read_input_list
from aicc.sim.reference.interpreter import run_module

AfterPass = Callable[[str, ModuleOp], None]
"""Called with a pass name and the module after that pass."""


@dataclass(frozen=True)
class QuantizationConfig(QuantizeOptions):
    """What qaic-compile's quantization flags say (`QAicGraphConfig.quantizationConfig`).

    The `quantize` pass's options (`schema`, ...) are inherited, keyword-only.
    """

    node_precision_info: Path | None = option(
        None,
        Option(
            "node-precision-info",
            parse=Path,
            metavar="YAML",
            help="YAML file with FP16NodeInstanceNames: op instances (first output names) in FP16",
        ),
    )
    keep_original_precision_for_nodes: tuple[str, ...] = option(
        (),
        Option(
            "keep-original-precision-for-nodes",
            parse=names,
            metavar="K1,K2",
            help="op kinds whose every instance keeps the model's original precision",
        ),
    )
    profile: Path | None = option(
        None,
        Option(
            "load-profile",
            parse=Path,
            metavar="PATH",
            help="compile to INT8 with this quantization profile",
            manifest=False,
            excludes="dump-profile",
        ),
    )
    num_histogram_bins: int = option(
        DEFAULT_NUM_HISTOGRAM_BINS, Option("num-histogram-bins", metavar="N", manifest=False)
    )
    bias_correction: bool = option(
        False,
        Option(
            "quantization-bias-correction",
            help="shift INT8 Conv and Gemm biases by their weights' mean quantization error "
            "(profile and compile both need it)",
            manifest_default=False,
        ),
    )
    """`-quantization-bias-correction`: the profile records per-channel sums and the
    compile runs `correct-bias` before `quantize`."""


@dataclass(frozen=True)
class CompileConfig:
    """One compilation: the model, its precisions and how to check it."""

    model: Path
    quantization: QuantizationConfig = field(default_factory=QuantizationConfig)
    convert_to_fp16: bool = option(
        False,
        Option(
            "convert-to-fp16",
            help="run the whole graph in FP16 (except kept kinds); "
            "the INT8 fallback with a profile",
        ),
    )
    symbols: dict[str, int] = field(default_factory=dict[str, int])
    input_list: Path | None = None
    print_ir_after_all: bool = option(
        False, Option("print-ir-after-all", help="dump the IR after each pass", manifest=False)
    )
    target: Path | None = option(
        None,
        Option(
            "target",
            parse=Path,
            metavar="FILE",
            help="the device description (YAML; default: the shipped Cloud AI 100-class target)",
        ),
    )
    """The target description (`-target=FILE`); None: the shipped default."""
    num_cores: int | None = option(
        None,
        Option(
            "aic-num-cores",
            parse=int,
            metavar="N",
            help="use only N of the target's cores (default: all)",
        ),
    )
    """`-aic-num-cores=N`: use only N of the target's cores; None: all of them."""
    parallel: Parallelism | None = option(
        None,
        Option(
            "parallel",
            parse=parse_parallel,
            metavar="processes:N|ray[:ADDRESS]",
            help="run independent work (profiling shards of the input list, aicc-tune's "
            "trials) in N local processes or on a Ray cluster (default: in this process)",
            manifest=False,
        ),
    )
    """`-parallel=`: where `-dump-profile` runs its calibration shards; None: in process."""
    batch_size: int | None = option(
        None,
        Option(
            "batchsize",
            parse=int,
            metavar="N",
            help="compile for batch N: dim 0 of every input (symbolic or 1) becomes N; "
            "an input list then gives N lines (one sample each) per inference",
            manifest=False,
        ),
    )
    """`-batchsize=N`; None: the model's own batch. The manifest records it only when given
    (`options.batchsize`), so the runner knows to feed N list lines per inference."""


@dataclass
class Session:
    """The model being compiled: its hashes, its module and the Context that owns it."""

    config: CompileConfig
    graph_hash: str
    module: ModuleOp
    ctx: Context
    fp16: NodePrecisionInfo | None
    after_pass: AfterPass | None = None
    """Sees the module after import and after every pass (e.g. `aicc-fuzz`'s checks)."""

    @property
    def fp16_hash(self) -> str:
        return fp16_set_hash(self.fp16.fp16_names if self.fp16 else ())

    def run(self, pass_: ModulePass) -> None:
        pass_.apply(self.ctx, self.module)
        self.dump(pass_.name, self.module)

    def dump(self, pass_name: str, module: ModuleOp) -> None:
        """`-print-ir-after-all`: the module after pass `pass_name`, on stderr."""
        if self.after_pass is not None:
            self.after_pass(pass_name, module)
        if self.config.print_ir_after_all:
            print(f"// -----// IR Dump After {pass_name} //----- //", file=sys.stderr)
            print(module_text(module), file=sys.stderr)

    def make_pass(self, name: str, **options: object) -> ModulePass:
        return AICC_PASSES[name]()(**options)

    def inputs(self) -> list[Port]:
        return input_ports(main_func(self.module))

    def outputs(self) -> list[Port]:
        return output_ports(main_func(self.module))


def graph_hash(model: onnx.ModelProto) -> str:
    """A hash of the model graph as written (nodes, weights, inputs and outputs)."""
    return hashlib.sha256(model.graph.SerializeToString(deterministic=True)).hexdigest()


def open_session(config: CompileConfig, after_pass: AfterPass | None = None) -> Session:
    """Import and canonicalize the model; read the node-precision-info file.

    `after_pass(name, module)` sees the imported module ("import"), then the module
    after every pass, the device lowering's included.
    """
    model = read_model(config.model)
    digest = graph_hash(model)
    prepared = prepare_model(model, config.model, config.symbols, config.batch_size)
    module = import_verified(prepared, config.model)
    ctx = make_context()
    fp16 = None
    if config.quantization.node_precision_info is not None:
        fp16 = load_node_precision_info(config.quantization.node_precision_info)
    session = Session(config, digest, module, ctx, fp16, after_pass)
    if after_pass is not None:
        after_pass("import", module)
    session.run(session.make_pass("constant-fold-reference"))
    return session


def annotate(session: Session, default: str, int8_fallback: str = "f32") -> None:
    q = session.config.quantization
    info = q.node_precision_info
    session.run(
        session.make_pass(
            "annotate-precision",
            node_precision_info=None if info is None else str(info),
            keep_original_precision_for_nodes=q.keep_original_precision_for_nodes,
            default=default,
            int8_fallback=int8_fallback,
        )
    )


def float_precision(config: CompileConfig) -> str:
    return "f16" if config.convert_to_fp16 else "f32"


def inferences(session: Session) -> list[Inference]:
    if session.config.input_list is None:
        raise UserError("this needs -input-list-file=PATH: one inference per line")
    return read_input_list(session.config.input_list, session.inputs(), session.config.batch_size)


def _profiling_observer(session: Session, profiler: Profiler) -> Callable[[str, np.ndarray], None]:
    """The profiler's observer, with advice when an FP16 node overflows."""
    f16_names = {
        op.first_output_name for op in annotated_ops(session.module) if precision_of(op) == "f16"
    }

    def observe(name: str, array: np.ndarray) -> None:
        if name in f16_names and array.dtype.kind == "f" and np.isinf(array).any():
            raise UserError(
                f"tensor '{name}' overflows to Inf in FP16 while profiling; keep its producer "
                f"in original precision (remove '{name}' from FP16NodeInstanceNames)"
            )
        profiler.observe(name, array)

    return observe


@dataclass(frozen=True)
class ProfileResult:
    profile: Profile
    inferences: int


SHARD_INFERENCES = 256
"""The most inferences in one calibration shard of a parallel `-dump-profile`."""
MIN_SHARDS = 8
"""Shards enough to keep every worker busy while the slowest shard finishes."""


@dataclass(frozen=True)
class Shard:
    """A contiguous part of the input list, profiled by one task."""

    config: CompileConfig
    runs: list[Inference]


def dump_profile(
    config: CompileConfig, output: Path, progress: Callable[[int, int], None] | None = None
) -> ProfileResult:
    """Run the annotated, unfused graph over the input list and write the profile.

    With `config.parallel`, contiguous shards of the list are profiled by separate
    tasks and their profiles merged in list order, which gives the same bytes as
    one run (the histogram grid makes merging exact). `progress(done, total)` is
    called after each inference, or each shard.
    """
    session = open_session(config)
    annotate(session, float_precision(config))
    runs = inferences(session)
    if config.parallel is None:
        profile = _profile(session, runs, progress)
    else:
        profile = _profile_shards(config, runs, config.parallel, progress)
    write_profile(profile, output)
    return ProfileResult(profile, len(runs))


def _profile(
    session: Session, runs: Sequence[Inference], progress: Callable[[int, int], None] | None
) -> Profile:
    """The profile of `runs` on the session's annotated, unfused module."""
    fp16 = {
        op.first_output_name for op in annotated_ops(session.module) if precision_of(op) == "f16"
    }
    q = session.config.quantization
    profiler = Profiler(
        session.graph_hash,
        session.fp16_hash,
        q.keep_original_precision_for_nodes,
        q.num_histogram_bins,
        channel_sums=q.bias_correction,
    )
    observe = _profiling_observer(session, profiler)
    ports = session.inputs()
    for done, run in enumerate(runs, 1):
        arrays = run.read(ports)  # its errors already name the list line
        try:
            run_module(session.module, arrays, fp16=fp16, observer=observe)
        except UserError as e:
            raise UserError(f"{run.where}{e}") from None
        if progress is not None:
            progress(done, len(runs))
    return profiler.profile()


def profile_shard(shard: Shard) -> Profile:
    """One calibration shard's profile, in whichever process runs it."""
    session = open_session(shard.config)
    annotate(session, float_precision(shard.config))
    return _profile(session, shard.runs, None)


def _profile_shards(
    config: CompileConfig,
    runs: Sequence[Inference],
    parallel: Parallelism,
    progress: Callable[[int, int], None] | None,
) -> Profile:
    size = max(1, min(SHARD_INFERENCES, -(-len(runs) // MIN_SHARDS)))
    parts = [list(runs[start : start + size]) for start in range(0, len(runs), size)]
    worker_config = _portable(config)
    shards = [Shard(worker_config, [_portable_run(run) for run in part]) for part in parts]
    listing = config.input_list
    places = [
        f"shard {k} of {len(parts)} ({listing}:{_lines(part[0].line, part[-1].last_line)})"
        for k, part in enumerate(parts, 1)
    ]
    results = run_tasks(profile_shard, shards, places, parallel)
    merged = next(results)  # inferences() refuses an empty list
    for done, profile in enumerate(results, 2):
        # One at a time, in list order: the driver holds two profiles, not one a shard.
        merged = merge_profiles([merged, profile])
        if progress is not None:
            progress(done, len(parts))
    return merged


def _lines(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _portable(config: CompileConfig) -> CompileConfig:
    """`config` with absolute paths, for workers whose working directory may differ."""
    q = config.quantization
    info = q.node_precision_info
    return dataclasses.replace(
        config,
        model=config.model.resolve(),
        quantization=dataclasses.replace(
            q, node_precision_info=None if info is None else info.resolve()
        ),
        target=None if config.target is None else config.target.resolve(),
        parallel=None,
    )


def _portable_run(run: Inference) -> Inference:
    return dataclasses.replace(
        run,
        files=[path.resolve() for path in run.files],
        samples=tuple(_portable_run(sample) for sample in run.samples),
    )


def merge_profile_files(paths: Sequence[Path], output: Path) -> Profile:
    profile = merge_profiles([read_profile(path) for path in paths])
    write_profile(profile, output)
    return profile


@dataclass
class OutputAccuracy:
    name: str
    agreement: Agreement


@dataclass
class CompiledModel:
    """The compiled module, its target, its precision report and what was measured."""

    session: Session
    target: Target
    accuracy: list[OutputAccuracy] = field(default_factory=list[OutputAccuracy])

    @property
    def module(self) -> ModuleOp:
        return self.session.module

    @cached_property
    def program(self) -> ModuleOp:
        """The module lowered to the target's `aic` program (lowered once, when first asked)."""
        source = str(self.session.config.model)
        return lower_to_device(self.module, self.target, source, self.session.dump)

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        return run_module(self.module, inputs)


def compile_model(config: CompileConfig, after_pass: AfterPass | None = None) -> CompiledModel:
    """Compile to the configured precisions; measure accuracy on the input list if given.

    The target is read first, so a bad `-target` file fails before the compile runs.
    The device lowering waits until `program` is asked for (writing a bundle).
    `after_pass` is as for `open_session`.
    """
    target = load_target(config.target, num_cores=config.num_cores)
    session = open_session(config, after_pass)
    reference = session.module.clone() if config.input_list is not None else None
    q = config.quantization
    if q.profile is None:
        if q.bias_correction:
            raise UserError(
                "-quantization-bias-correction needs -load-profile=PATH (or -dump-profile)"
            )
        annotate(session, float_precision(config))
        session.run(session.make_pass("fuse-conv-bn"))
        session.run(session.make_pass("quantize"))
    else:
        annotate(session, "i8", int8_fallback=float_precision(config))
        session.run(session.make_pass("fuse-conv-bn"))
        if q.bias_correction:
            weights = {"schema": q.schema, "channelwise": q.channelwise}
            session.run(session.make_pass("correct-bias", profile=str(q.profile), **weights))
        session.run(
            session.make_pass(
                "quantize",
                profile=str(q.profile),
                **q.quantize_options(),
                graph_hash=session.graph_hash,
                fp16_hash=session.fp16_hash,
            )
        )
    session.run(session.make_pass("insert-precision-casts"))
    session.run(session.make_pass("constant-fold-reference"))
    compiled = CompiledModel(session, target)
    if reference is not None:
        compiled.accuracy = measure_accuracy(session, reference)
    return compiled


def measure_accuracy(session: Session, reference: ModuleOp) -> list[OutputAccuracy]:
    """Per output, the agreement of the compiled model with FP32 over every inference."""
    ports = session.inputs()
    expected: list[list[np.ndarray]] = [[] for _ in session.outputs()]
    actual: list[list[np.ndarray]] = [[] for _ in session.outputs()]
    for run in inferences(session):
        arrays = run.read(ports)
        for store, results in (
            (expected, run_module(reference, arrays)),
            (actual, run_module(session.module, arrays)),
        ):
            for index, result in enumerate(results):
                store[index].append(result.reshape(-1))
    return [
        OutputAccuracy(port.name, agreement(np.concatenate(want), np.concatenate(got)))
        for port, want, got in zip(session.outputs(), expected, actual, strict=True)
    ]
