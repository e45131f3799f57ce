"""aicc-tune against four baselines, on tiny_cnn, small_resnet and light_resnet50.

    python bench/tune_bench.py                  # tiny_cnn and small_resnet
    python bench/tune_bench.py --resnet         # also light_resnet50 (slow)

Per model, two accuracy targets: all-INT8's SQNR + 3 dB, and 40 dB. For each target:
1. all INT8; 2. all FP16 (every candidate node listed in FP16);
3. top-k by trial ranking, as `aicc-run --compare` ranked before aicc-tune's noise model:
   each INT8 op moved to FP16 alone, profiled and compiled, ranked by output SQNR;
   k grows until the target is met;
4. a cosine-only layer-by-layer search that ignores cost (TPU-MLIR's qtable search):
   from all INT8, add the op whose move gives the best output cosine on the
   calibration inputs, until the target is met;
5. aicc-tune.
Every row is measured on the real flow (`aicc.tune.search.verify_point`: a profile
with the row's node-precision-info, the `-load-profile` compile, the device simulator
on the eval inputs): FP16 node count, simulated cycles, SQNR and top-1 agreement of
the worst output, and the search's wall time. light_resnet50 has random weights; its
BatchNormalization statistics come from one sample input first, so activations stay
in FP16's range.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import onnx
from common import LIGHT, ort_session
from onnx import numpy_helper
from pgq_bench import write_list

from aicc.api import AccuracyTarget, CompileConfig, tune
from aicc.frontend.models import randomize_constant_of_shape, small_resnet, tiny_cnn
from aicc.pipeline.compare import compare_tensors, fp16_names
from aicc.pipeline.compiler import QuantizationConfig, compile_model, dump_profile, open_session
from aicc.runtime.inputs import read_input_list
from aicc.sim.reference.interpreter import run_module
from aicc.tune import Point
from aicc.tune.search import compile_retagged, figures, quiet, verify_point

CALIBRATION = {"tiny_cnn": 32, "small_resnet": 32, "light_resnet50": 16}
EVAL = 16


@dataclass
class Row:
    method: str
    point: Point | None
    seconds: float
    note: str = ""


def light_resnet50(sample: np.ndarray) -> onnx.ModelProto:
    """light_resnet50 with random weights; every BatchNormalization's mean and variance
    are its input's per-channel statistics on `sample`, set in graph order."""
    model = randomize_constant_of_shape(onnx.load(LIGHT / "light_resnet50.onnx"), seed=1)
    weights = {init.name: init for init in model.graph.initializer}
    name = model.graph.input[0].name
    for node in model.graph.node:
        if node.op_type != "BatchNormalization":
            continue
        probe = onnx.ModelProto()
        probe.CopyFrom(model)
        del probe.graph.output[:]
        probe.graph.output.extend([onnx.helper.make_empty_tensor_value_info(node.input[0])])
        (x,) = ort_session(probe).run(None, {name: sample})
        for index, stat in ((3, x.mean(axis=(0, 2, 3))), (4, x.var(axis=(0, 2, 3)) + 1e-3)):
            weights[node.input[index]].CopyFrom(
                numpy_helper.from_array(stat.astype(np.float32), node.input[index])
            )
    return model


def timed(fn: Callable[[], Row]) -> Row:
    start = time.perf_counter()
    row = fn()
    row.seconds = time.perf_counter() - start
    return row


class Bench:
    def __init__(self, config: CompileConfig, eval_list: Path, work: Path) -> None:
        self.config = config
        self.eval_list = eval_list
        self.work = work
        self.profile = dump_profile(config, work / "pgq.yaml").profile
        loaded = replace(config, quantization=QuantizationConfig(profile=work / "pgq.yaml"))
        session = open_session(replace(config, input_list=None))
        assert config.input_list is not None
        self.runs = [
            r.read(session.inputs()) for r in read_input_list(config.input_list, session.inputs())
        ]
        self.reference = session.module
        self.expected = [run_module(self.reference, r) for r in self.runs]
        self.outputs = [p.name for p in session.outputs()]
        comparisons = compare_tensors(
            loaded, read_input_list(config.input_list, session.inputs())[:8]
        )
        self.ops = [
            tuple(fp16_names(comparisons, c.name))
            for c in comparisons
            if c.precision == "i8" and c.agreement is not None
        ]

    def verify(self, names: Sequence[str]) -> Point:
        point = Point(tuple(names), 0, ())
        return verify_point(self.config, point, self.eval_list, self.work)[0]

    def on_calibration(self, names: Sequence[str]) -> Point:
        compiled = compile_retagged(self.config, self.profile, names, self.work)
        got = [run_module(compiled.module, r) for r in self.runs]
        return Point(tuple(names), 0, figures(self.outputs, self.expected, got))

    def trial_ranking(self, target: float) -> Row:
        scored = []
        for names in self.ops:
            q = replace(self.config.quantization, profile=None)
            info = self.work / "trial.yaml"
            info.write_text(f"FP16NodeInstanceNames: {list(names)}\n")
            trial = replace(self.config, quantization=replace(q, node_precision_info=info))
            pgq = self.work / "trial-pgq.yaml"
            dump_profile(trial, pgq)
            loaded = replace(trial.quantization, profile=pgq)
            with quiet():
                compiled = compile_model(replace(trial, quantization=loaded, input_list=None))
            got = [run_module(compiled.module, r) for r in self.runs]
            sqnr = min(f.sqnr_db for f in figures(self.outputs, self.expected, got))
            scored.append((-sqnr, self.ops.index(names), names))
        ranked = [names for _, _, names in sorted(scored)]
        for k in range(1, len(ranked) + 1):
            listed = [n for names in ranked[:k] for n in names]
            point = self.verify(listed)
            if point.worst_sqnr_db >= target:
                return Row("3 top-k trial ranking", point, 0.0, f"k={k}")
        return Row("3 top-k trial ranking", None, 0.0, "never met")

    def cosine_search(self, target: float) -> Row:
        listed: list[str] = []
        remaining = list(self.ops)
        while remaining:
            trials = [
                (-self.on_calibration([*listed, *names]).outputs[0].cosine, index, names)
                for index, names in enumerate(remaining)
            ]
            _, _, best = min(trials)
            listed += best
            remaining.remove(best)
            if self.on_calibration(listed).worst_sqnr_db >= target:
                point = self.verify(listed)
                if point.worst_sqnr_db >= target:
                    return Row("4 cosine-only search", point, 0.0)
        return Row("4 cosine-only search", None, 0.0, "never met")

    def tuned(self, target: float) -> Row:
        frontier = tune(self.config, AccuracyTarget(sqnr_db=target), self.eval_list)
        verified = [v for v in frontier.verifications if v.passed]
        if not verified:
            return Row("5 aicc-tune", None, 0.0, frontier.failure or "")
        tried = len(frontier.verifications)
        return Row("5 aicc-tune", verified[0].measured, 0.0, f"{tried} verified")


def print_row(row: Row) -> None:
    if row.point is None:
        print(
            f"  {row.method:<24} {'-':>5} {'-':>9} {'-':>8} {'-':>6} {row.seconds:8.1f}  {row.note}"
        )
        return
    p = row.point
    print(
        f"  {row.method:<24} {len(p.fp16_names):>5} {p.cycles:>9} {p.worst_sqnr_db:>8.2f} "
        f"{p.worst_agreement:>6.3f} {row.seconds:8.1f}  {row.note}"
    )


def bench(
    name: str, model: onnx.ModelProto, shape: tuple[int, ...], folder: Path, tune_only: bool
) -> None:
    rng = np.random.default_rng(3)
    onnx.save(model, folder / f"{name}.onnx")
    calib = write_list(
        folder,
        "calib",
        [rng.standard_normal(shape).astype(np.float32) for _ in range(CALIBRATION[name])],
    )
    evals = write_list(
        folder, "eval", [rng.standard_normal(shape).astype(np.float32) for _ in range(EVAL)]
    )
    config = CompileConfig(folder / f"{name}.onnx", input_list=calib)
    b = Bench(config, evals, folder)
    all_int8 = timed(lambda: Row("1 all INT8", b.verify([]), 0.0))
    every = [n for names in b.ops for n in names]
    all_fp16 = timed(lambda: Row("2 all FP16", b.verify(every), 0.0))
    assert all_int8.point is not None and all_fp16.point is not None
    for target in (all_int8.point.worst_sqnr_db + 3.0, 40.0):
        reachable = all_fp16.point.worst_sqnr_db >= target
        print(
            f"\n{name}: target SQNR >= {target:.2f} dB"
            f"{'' if reachable else ' (all FP16 misses it)'}"
        )
        print(
            f"  {'method':<24} {'fp16':>5} {'cycles':>9} {'SQNR dB':>8} {'top-1':>6} {'wall s':>8}"
        )
        print_row(all_int8)
        print_row(all_fp16)
        methods = (b.tuned,) if tune_only else (b.trial_ranking, b.cosine_search, b.tuned)
        for run in methods:
            print_row(timed(lambda run=run, target=target: run(target)))
            sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resnet", action="store_true", help="also light_resnet50 (slow)")
    parser.add_argument("--only", default="", help="one model by name")
    parser.add_argument(
        "--tune-only", action="store_true", help="skip baselines 3 and 4 (light_resnet50)"
    )
    args = parser.parse_args()
    models: list[tuple[str, Callable[[], onnx.ModelProto], tuple[int, ...]]] = [
        ("tiny_cnn", tiny_cnn, (1, 3, 32, 32)),
        ("small_resnet", small_resnet, (1, 3, 32, 32)),
    ]
    if args.resnet or args.only == "light_resnet50":
        sample = np.random.default_rng(9).standard_normal((1, 3, 224, 224)).astype(np.float32)
        models.append(("light_resnet50", lambda: light_resnet50(sample), (1, 3, 224, 224)))
    print("Wall times are single runs on a shared, loaded 2-core machine.")
    for name, build, shape in models:
        if args.only and name != args.only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"tune-bench-{name}-") as folder:
            bench(name, build(), shape, Path(folder), args.tune_only)


if __name__ == "__main__":
    main()
