"""Profiling 2,000 inputs in process, in two worker processes and on Ray, beside onnxruntime.

    python bench/profile_scale_bench.py [--inputs 2000] [--small 200]

The default model (tiny_cnn) and seeded standard-normal `.npy` inputs. Four ways,
each in a fresh driver process (this script re-run with `--child`) that reports its
wall time and its own peak resident set size:

- aicc in process (`dump_profile`, no `-parallel`);
- aicc `-parallel=processes:2`;
- aicc `-parallel=ray:ADDRESS` on a 2-CPU local cluster started beforehand with
  `ray start --head --num-cpus=2` (its start-up time is printed on its own line);
- onnxruntime's `quantize_static` calibration (`create_calibrator` with MinMax,
  `collect_data`, `compute_data`) over the same inputs.

Targets: two workers >= 1.6x faster than in process; Ray within 1.3x of
`processes:2`; the three aicc profiles byte-identical; each aicc driver's peak RSS
flat in the number of inputs (within 1.1x from `--small` to `--inputs`). The
machine's cores bound the speed-up: on 2 cores the driver and both workers share them.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import THREADS
from profile_memory_bench import calibrate_onnxruntime, write_inputs

# common pins numpy\'s threads, so it must be imported first.
# isort: split

import onnx

from aicc.frontend.models import tiny_cnn

SPEEDUP_TARGET = 1.6
RAY_TARGET = 1.3
FLAT_TARGET = 1.1
RAY_PORT = 6391


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def child(mode: str, model: Path, listing: Path, output: Path) -> None:
    """Profile `listing` one way; print the peak RSS (KiB) and the wall time (s)."""
    start = time.perf_counter()
    if mode == "ort-minmax":
        with tempfile.TemporaryDirectory() as tmp:
            calibrate_onnxruntime(model, listing, Path(tmp), "MinMax")
    else:
        from aicc.api import CompileConfig, dump_profile
        from aicc.base.parallel import parse_parallel

        parallel = None if mode == "in-process" else parse_parallel(mode)
        dump_profile(CompileConfig(model, input_list=listing, parallel=parallel), output)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"{peak_kib} {elapsed:.3f}")


def measure(mode: str, model: Path, listing: Path, output: Path) -> tuple[float, float]:
    """Peak RSS (MiB) of the driver and wall time (s) of a fresh process."""
    command = [sys.executable, __file__, "--child", mode, str(model), str(listing), str(output)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{mode} on {listing.name} failed:\n{result.stderr}")
    peak_kib, seconds = result.stdout.split()[-2:]
    return int(peak_kib) / 1024, float(seconds)


def start_ray(ray: str) -> tuple[str, float]:
    """Start a 2-CPU local Ray head; its address and the seconds it took."""
    start = time.perf_counter()
    command = [ray, "start", "--head", "--num-cpus=2", f"--port={RAY_PORT}"]
    command += ["--include-dashboard=false", "--disable-usage-stats"]
    # A throwaway cluster for this machine alone: no token for the drivers to find.
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        raise SystemExit(f"ray start failed:\n{result.stderr}")
    found = re.search(r"--address='([^']+)'", result.stdout)
    address = found.group(1) if found else f"127.0.0.1:{RAY_PORT}"
    return address, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--inputs", type=int, default=2000, help="inputs in the large list")
    parser.add_argument("--small", type=int, default=200, help="inputs in the small list")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, model, listing, output = args.child
        child(mode, Path(model), Path(listing), Path(output))
        return
    ray = shutil.which("ray") or str(Path(sys.executable).parent / "ray")
    address, ray_start = start_ray(ray)
    print(f"threads: {THREADS} per process; model tiny_cnn; one fresh driver process per row")
    print(f"ray start --head --num-cpus=2: {ray_start:.2f} s (not in the Ray row)")
    modes = ("in-process", "processes:2", f"ray:{address}", "ort-minmax")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            model = folder / "tiny_cnn.onnx"
            onnx.save(tiny_cnn(), model)
            counts = (args.small, args.inputs)
            listings = write_inputs(folder, (1, 3, 32, 32), counts)
            print(f"{'mode':<28}{'inputs':>7}{'driver peak RSS':>17}{'wall':>10}")
            walls: dict[str, float] = {}
            peaks: dict[str, list[float]] = {}
            for mode in modes:
                for count, listing in zip(counts, listings, strict=True):
                    output = folder / f"{mode.replace(':', '_')}-{count}.yaml"
                    peak, seconds = measure(mode, model, listing, output)
                    peaks.setdefault(mode, []).append(peak)
                    walls[mode] = seconds
                    print(f"{mode:<28}{count:>7}{peak:>13.1f} MiB{seconds:>9.2f}s")
            large = args.inputs
            profiles = [folder / f"{m.replace(':', '_')}-{large}.yaml" for m in modes[:3]]
            identical = len({p.read_bytes() for p in profiles}) == 1
    finally:
        subprocess.run([ray, "stop"], capture_output=True, check=False)
    speedup = walls["in-process"] / walls["processes:2"]
    ray_ratio = walls[modes[2]] / walls["processes:2"]
    print(
        f"processes:2 vs in process: {speedup:.2f}x faster "
        f"(target >= {SPEEDUP_TARGET}x: {verdict(speedup >= SPEEDUP_TARGET)})"
    )
    print(
        f"ray vs processes:2: {ray_ratio:.2f}x the time "
        f"(target <= {RAY_TARGET}x: {verdict(ray_ratio <= RAY_TARGET)})"
    )
    print(f"aicc profiles over {large} inputs byte-identical: {verdict(identical)}")
    print(f"onnxruntime MinMax calibration: {walls['ort-minmax']:.2f} s")
    for mode in modes[:3]:
        small_peak, large_peak = peaks[mode]
        ratio = large_peak / small_peak
        print(
            f"{mode} driver peak RSS {large} / {args.small} inputs: {ratio:.3f}x "
            f"(target <= {FLAT_TARGET}x: {verdict(ratio <= FLAT_TARGET)})"
        )


if __name__ == "__main__":
    main()
