"""The device path on light_resnet50 with random weights, beside onnxruntime in the same run.

    python bench/device_bench.py [--runs 5] 2>/dev/null   # stderr: the passes' remarks

- compile time of light_resnet50 to a bundle (`compile` + `write_bundle`: the
  high-level passes, the device lowering and the files), INT8 with a profile (of
  two seeded random inputs; profiling is not timed) and FP16;
- the simulator's wall time per inference of each bundle against onnxruntime's
  single-threaded FP32 latency for the same model and input;
- the simulated device cycles of the convolutions against their roofline bound
  (from the CostReport: span cycles of every conv node over the target's bound for
  its useful MACs and compulsory DDR bytes);
- opening each bundle (`read_bundle(d).executable()`: manifest, hashes, decoding the
  binary program, loading its constants) against creating an onnxruntime
  `InferenceSession` for the same model; target: within OPEN_RATIO_TARGET times;
- batch: the INT8 bundle at `-batchsize=8` against batch 1, in simulated inferences
  per second at the target clock (deterministic: cycles, not wall time), with the
  whole-network roofline's bound on the same ratio.

Everything runs with THREADS threads (numpy's BLAS and onnxruntime); each figure is
the median of `--runs` runs after a warm-up. Targets (issue "the device path at
scale"): simulator <= 2.5x onnxruntime, compile <= 5 s (with the time per pass, as
`aicc-compile -time-passes` prints it), convolution cycles <= 1.5x roofline over the
network and <= 2.5x for the worst layer, opening <= 2x session creation, batch 8 >=
5x batch 1 inferences/s; each prints met or MISSED.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

from common import LIGHT, THREADS, median_seconds, ort_session

# common pins numpy\'s threads, so it must be imported first.
# isort: split

import numpy as np
import onnx

from aicc.api import (
    CompileConfig,
    QuantizationConfig,
    compile,
    dump_profile,
    read_bundle,
    write_bundle,
)
from aicc.frontend.models import randomize_constant_of_shape
from aicc.pipeline.pass_timing import PassTiming
from aicc.sim.device import CostReport

X_SHAPE = (1, 3, 224, 224)
SIM_RATIO_TARGET = 2.5
COMPILE_TARGET_S = 5.0
ROOFLINE_TARGET = 1.5
WORST_LAYER_TARGET = 2.5
OPEN_RATIO_TARGET = 2.0
BATCH = 8
BATCH_SPEEDUP_TARGET = 5.0


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def write_inputs(directory: Path, count: int, seed: int) -> Path:
    """`count` seeded standard-normal inputs as .npy files and their input list."""
    rng = np.random.default_rng(seed)
    names = []
    for index in range(count):
        path = directory / f"calib{index}.npy"
        np.save(path, rng.standard_normal(X_SHAPE).astype(np.float32))
        names.append(str(path))
    listing = directory / "calib.txt"
    listing.write_text("\n".join(names) + "\n")
    return listing


def configs(directory: Path) -> dict[str, CompileConfig]:
    model = directory / "light_resnet50.onnx"
    onnx.save(randomize_constant_of_shape(onnx.load(LIGHT / "light_resnet50.onnx"), seed=1), model)
    listing = write_inputs(directory, 2, seed=3)
    profile = directory / "pgq.yaml"
    dump_profile(CompileConfig(model, input_list=listing), profile)
    return {
        "INT8": CompileConfig(model, QuantizationConfig(profile=profile)),
        "FP16": CompileConfig(model, convert_to_fp16=True),
    }


def conv_rows(report: CostReport) -> tuple[float, float, str]:
    """All convolutions' span/roofline, the worst conv's ratio and its name."""
    convs = {n: c for n, c in report.nodes.items() if c.kind == "conv" and c.ratio is not None}
    span, roofline = report.conv_totals()
    worst = max(convs, key=lambda name: convs[name].ratio or 0.0)
    return span / roofline, convs[worst].ratio or 0.0, worst


def open_row(bundle: Path, ort_open: float, runs: int) -> None:
    """Opening the bundle, start to first instruction, against onnxruntime's session."""
    seconds = median_seconds(lambda: read_bundle(bundle).executable(), runs)
    ratio = seconds / ort_open
    met = verdict(ratio <= OPEN_RATIO_TARGET)
    print(
        f"  open: {seconds * 1e3:.0f} ms = {ratio:.2f}x onnxruntime InferenceSession creation "
        f"(target <= {OPEN_RATIO_TARGET:g}x: {met})"
    )


def measure(
    label: str,
    config: CompileConfig,
    bundle: Path,
    x: np.ndarray,
    ort: tuple[float, float],
    runs: int,
) -> None:
    """Compile `config` to `bundle`, run it on the simulator and print its rows."""
    compile_s = median_seconds(lambda: write_bundle(compile(config), bundle), runs)
    executable = read_bundle(bundle).executable()
    sim = median_seconds(lambda: executable.run([x]), runs)
    _, report = executable.run([x])
    total, worst, worst_name = conv_rows(report)
    simulated = f"{report.total_cycles} cycles, {report.seconds * 1e3:.3f} ms simulated"
    print(f"\n{label} bundle ({report.cores} cores, {simulated})")
    met = verdict(compile_s <= COMPILE_TARGET_S)
    print(f"  compile to bundle: {compile_s:.2f} s (target <= {COMPILE_TARGET_S:g} s: {met})")
    timing = PassTiming()
    write_bundle(compile(config, timing.after_pass), bundle)
    timing.mark("write-bundle")
    slowest = sorted(timing.steps, key=lambda step: -step[1])[:4]
    print("  slowest steps of one compile: " + ", ".join(f"{n} {t:.2f} s" for n, t in slowest))
    ratio = sim / ort[0]
    met = verdict(ratio <= SIM_RATIO_TARGET)
    print(
        f"  simulator: {sim * 1e3:.1f} ms per inference = {ratio:.2f}x onnxruntime "
        f"(target <= {SIM_RATIO_TARGET:g}x: {met})"
    )
    met = verdict(total <= ROOFLINE_TARGET)
    worst_met = verdict(worst <= WORST_LAYER_TARGET)
    print(
        f"  convolutions: {total:.2f}x roofline (target <= {ROOFLINE_TARGET:g}x: {met}); "
        f"worst {worst_name} {worst:.2f}x (target <= {WORST_LAYER_TARGET:g}x: {worst_met})"
    )
    open_row(bundle, ort[1], runs)


def measure_batch(config: CompileConfig, directory: Path, x: np.ndarray) -> None:
    """The INT8 bundle at batch 1 and at `BATCH`: simulated inferences per second."""
    xs = np.concatenate([x] * BATCH)
    reports: dict[int, CostReport] = {}
    for batch, feed in ((1, x), (BATCH, xs)):
        bundle = directory / f"bundle-INT8-batch{batch}"
        write_bundle(compile(replace(config, batch_size=batch)), bundle)
        _, reports[batch] = read_bundle(bundle).executable().run([feed])
    one, many = reports[1], reports[BATCH]
    speedup = many.inferences_per_second / one.inferences_per_second
    bound = BATCH * one.total_cycles / many.roofline_cycles
    print(f"\nINT8 batch {BATCH} vs batch 1 (simulated, at the target clock)")
    print(
        f"  batch 1: {one.inferences_per_second:.1f} inferences/s; batch {BATCH}: "
        f"{many.inferences_per_second:.1f} inferences/s = {speedup:.2f}x "
        f"(target >= {BATCH_SPEEDUP_TARGET:g}x: {verdict(speedup >= BATCH_SPEEDUP_TARGET)})"
    )
    print(
        f"  the batch-{BATCH} roofline ({many.roofline_cycles} cycles) allows at most "
        f"{bound:.2f}x over batch 1 as scheduled"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the warm-up")
    args = parser.parse_args()
    x = np.random.default_rng(0).standard_normal(X_SHAPE).astype(np.float32)
    model = randomize_constant_of_shape(onnx.load(LIGHT / "light_resnet50.onnx"), seed=1)
    session = ort_session(model)
    input_name = session.get_inputs()[0].name
    ort = median_seconds(lambda: session.run(None, {input_name: x}), args.runs)
    serialized = model.SerializeToString()
    ort_open = median_seconds(lambda: ort_session(serialized), args.runs)
    print(f"threads: {THREADS} (numpy BLAS and onnxruntime); median of {args.runs} after a warm-up")
    print(f"light_resnet50, random weights; onnxruntime FP32: {ort * 1e3:.1f} ms per inference")
    print(f"onnxruntime InferenceSession creation: {ort_open * 1e3:.0f} ms")
    with tempfile.TemporaryDirectory(prefix="aicc-device-bench-") as work:
        directory = Path(work)
        compiles = configs(directory)
        for label, config in compiles.items():
            measure(label, config, directory / f"bundle-{label}", x, (ort, ort_open), args.runs)
        measure_batch(compiles["INT8"], directory, x)


if __name__ == "__main__":
    main()
