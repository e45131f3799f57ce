"""Start-up of aicc's tools against `xdsl-opt`, the start-up every xDSL tool begins from.

Each command runs as a whole process, several times after a warm-up; the script prints
the median wall time of each and its ratio to `xdsl-opt` on a 10-op `arith` file,
measured in the same run (commands alternate, so drift on a shared machine hits both).

    python bench/startup_bench.py [--runs N]

Targets: `aicc-opt` on `.mlir` and `aicc-run -t` within 1.5x of `xdsl-opt`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper

from aicc.api import CompileConfig, compile, dump_profile, write_bundle
from aicc.frontend.models import tiny_cnn

TARGET = 1.5


def arith_file(path: Path) -> None:
    """Ten `arith` ops on function arguments, in `func.func @main`."""
    body = ["%0 = arith.addi %a, %b : i32"]
    body += [f"%{i} = arith.muli %{i - 1}, %a : i32" for i in range(1, 10)]
    lines = "\n    ".join(body)
    path.write_text(
        f"func.func @main(%a: i32, %b: i32) -> i32 {{\n    {lines}\n    func.return %9 : i32\n}}\n"
    )


def onnx_chain(path: Path) -> None:
    """Ten ONNX nodes (Relu/Neg alternating) on a 1x8 input, as `.onnxtxt`."""
    names = ["x"] + [f"t{i}" for i in range(10)]
    nodes = [
        helper.make_node("Relu" if i % 2 == 0 else "Neg", [names[i]], [names[i + 1]], f"n{i}")
        for i in range(10)
    ]
    graph = helper.make_graph(
        nodes,
        "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
        [helper.make_tensor_value_info(names[-1], TensorProto.FLOAT, [1, 8])],
    )
    path.write_text(onnx.printer.to_text(helper.make_model(graph)))


def tiny_cnn_bundle(directory: Path) -> Path:
    """tiny_cnn compiled to INT8 from a 2-input profile, as a bundle; returns an input."""
    onnx.save(tiny_cnn(), directory / "tiny_cnn.onnx")
    rng = np.random.default_rng(0)
    inputs = []
    for index in range(2):
        inputs.append(directory / f"x{index}.npy")
        np.save(inputs[-1], rng.standard_normal((1, 3, 32, 32)).astype(np.float32))
    (directory / "list.txt").write_text("".join(f"{p}\n" for p in inputs))
    config = CompileConfig(directory / "tiny_cnn.onnx", input_list=directory / "list.txt")
    dump_profile(config, directory / "pgq.yaml")
    quantized = replace(config.quantization, profile=directory / "pgq.yaml")
    write_bundle(compile(replace(config, quantization=quantized)), directory / "bundle")
    return inputs[0]


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed in this environment")
    return found


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="counted runs of each command")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="aicc-startup-") as name:
        work = Path(name)
        arith_file(work / "arith.mlir")
        onnx_chain(work / "chain.onnxtxt")
        # aicc-opt loads aicc's dialects, not arith: its .mlir case is the chain, printed.
        chain_mlir = str(work / "chain.mlir")
        subprocess.run(
            [tool("aicc-opt"), str(work / "chain.onnxtxt"), "-o", chain_mlir], check=True
        )
        x = tiny_cnn_bundle(work)
        commands = {
            "xdsl-opt, 10-op arith .mlir": [tool("xdsl-opt"), str(work / "arith.mlir")],
            "aicc-opt, 10-op onnx .mlir": [tool("aicc-opt"), chain_mlir],
            "aicc-opt, 10-node .onnxtxt": [tool("aicc-opt"), str(work / "chain.onnxtxt")],
            "aicc-run -t, tiny_cnn INT8 bundle": [
                tool("aicc-run"),
                "-t",
                str(work / "bundle"),
                "-i",
                str(x),
                f"--write-output-dir={work / 'out'}",
            ],
        }
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(runs + 1):  # the first round is the warm-up
            for label, command in commands.items():
                times[label].append(timed(command))
    medians = {label: statistics.median(t[1:]) for label, t in times.items()}
    peer = medians["xdsl-opt, 10-op arith .mlir"]
    print(f"start-up, median of {runs} runs after a warm-up (wall seconds)")
    for label, median in medians.items():
        print(f"  {label:<36} {median:6.3f} s  {median / peer:5.2f}x xdsl-opt")
    for label in ("aicc-opt, 10-op onnx .mlir", "aicc-run -t, tiny_cnn INT8 bundle"):
        ratio = medians[label] / peer
        verdict = "met" if ratio <= TARGET else "missed"
        print(f"target {label}: <= {TARGET}x xdsl-opt: {ratio:.2f}x, {verdict}")


if __name__ == "__main__":
    main()
