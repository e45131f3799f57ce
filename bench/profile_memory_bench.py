"""Peak memory of profiling over 100 and 2,000 inputs, beside onnxruntime's calibrator.

    python bench/profile_memory_bench.py [--small 100] [--large 2000]

The default model (tiny_cnn) and seeded standard-normal inputs, written as `.npy`
files and input lists as `aicc-compile -input-list-file` reads them. Each figure
comes from a fresh process (this script re-run with `--child`), which profiles one
list and reports its own peak resident set size (`ru_maxrss`), so one run's
allocations cannot hide another's:

- aicc: `dump_profile` over the list (the reference interpreter reads one inference
  at a time; the profiler keeps per-tensor min, max and histogram);
- onnxruntime: `create_calibrator` with MinMax (what `quantize_static` uses by
  default) and with Entropy (histograms, as aicc's profile keeps), `collect_data`
  from a reader that loads one file at a time, then `compute_data`; every tensor
  of the graph is calibrated, as aicc profiles every one.

Target: aicc's peak over the large list is within 1.1x of its peak over the small
one. Everything runs with THREADS threads.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import THREADS, pinned_default_sessions

# common pins numpy\'s threads, so it must be imported first.
# isort: split

import numpy as np
import onnx

from aicc.frontend.models import tiny_cnn

TARGET_RATIO = 1.1
TOOLS = ("aicc", "ort-minmax", "ort-entropy")


class Reader:
    """Feeds onnxruntime's calibrator one input file at a time, as aicc reads them.

    Duck-typed rather than a `CalibrationDataReader`: importing onnxruntime in the
    aicc process would add its libraries to aicc's peak.
    """

    def __init__(self, name: str, paths: Sequence[Path]) -> None:
        self.name = name
        self.paths = iter(paths)

    def get_next(self) -> dict[str, np.ndarray] | None:
        path = next(self.paths, None)
        return None if path is None else {self.name: np.load(path, allow_pickle=False)}


def profile_aicc(model: Path, listing: Path, folder: Path) -> None:
    from aicc.api import CompileConfig, dump_profile

    dump_profile(CompileConfig(model, input_list=listing), folder / "pgq.yaml")


def calibrate_onnxruntime(model: Path, listing: Path, folder: Path, method: str) -> None:
    from onnxruntime.quantization.calibrate import CalibrationMethod, create_calibrator

    paths = [Path(line) for line in listing.read_text().splitlines() if line]
    name = onnx.load(model).graph.input[0].name
    with pinned_default_sessions():
        calibrator = create_calibrator(
            model,
            augmented_model_path=str(folder / "augmented.onnx"),
            calibrate_method=CalibrationMethod[method],
        )
        calibrator.collect_data(Reader(name, paths))  # pyright: ignore[reportArgumentType]
        calibrator.compute_data()


def child(tool: str, model: Path, listing: Path) -> None:
    """Profile `listing` with `tool`; print the peak RSS (KiB) and the wall time (s)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        if tool == "aicc":
            profile_aicc(model, listing, Path(tmp))
        else:
            method = {"ort-minmax": "MinMax", "ort-entropy": "Entropy"}[tool]
            calibrate_onnxruntime(model, listing, Path(tmp), method)
        elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"{peak_kib} {elapsed:.3f}")


def measure(tool: str, model: Path, listing: Path) -> tuple[float, float]:
    """Peak RSS (MiB) and wall time (s) of a fresh process profiling `listing`."""
    command = [sys.executable, __file__, "--child", tool, str(model), str(listing)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{tool} on {listing.name} failed:\n{result.stderr}")
    peak_kib, seconds = result.stdout.split()[-2:]
    return int(peak_kib) / 1024, float(seconds)


def write_inputs(folder: Path, shape: tuple[int, ...], counts: Sequence[int]) -> list[Path]:
    """max(counts) seeded inputs as `.npy`; one list per count naming its first files."""
    rng = np.random.default_rng(0)
    paths: list[str] = []
    for index in range(max(counts)):
        path = folder / f"x{index}.npy"
        np.save(path, rng.standard_normal(shape).astype(np.float32))
        paths.append(str(path))
    listings: list[Path] = []
    for count in counts:
        listing = folder / f"list{count}.txt"
        listing.write_text("".join(f"{p}\n" for p in paths[:count]))
        listings.append(listing)
    return listings


def main() -> None:
    parser = argparse.ArgumentParser(description="peak RSS of profiling, aicc and onnxruntime")
    parser.add_argument("--small", type=int, default=100, help="inputs in the small list")
    parser.add_argument("--large", type=int, default=2000, help="inputs in the large list")
    parser.add_argument(
        "--child", nargs=3, metavar=("TOOL", "MODEL", "LIST"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        tool, model, listing = args.child
        child(tool, Path(model), Path(listing))
        return
    print(f"threads: {THREADS}; model tiny_cnn; one fresh process per figure")
    print(f"{'tool':<13}{'inputs':>7}{'peak RSS':>12}{'wall':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = folder / "tiny_cnn.onnx"
        onnx.save(tiny_cnn(), model)
        counts = (args.small, args.large)
        listings = write_inputs(folder, (1, 3, 32, 32), counts)
        ratios: dict[str, float] = {}
        for tool in TOOLS:
            peaks: list[float] = []
            for count, listing in zip(counts, listings, strict=True):
                peak, seconds = measure(tool, model, listing)
                peaks.append(peak)
                print(f"{tool:<13}{count:>7}{peak:>9.1f} MiB{seconds:>8.2f}s")
            ratios[tool] = peaks[1] / peaks[0]
    for tool, ratio in ratios.items():
        print(f"{tool}: peak over {args.large} inputs / over {args.small} = {ratio:.3f}x")
    met = "met" if ratios["aicc"] <= TARGET_RATIO else "MISSED"
    print(f"target: aicc ratio <= {TARGET_RATIO}x: {met}")


if __name__ == "__main__":
    main()
