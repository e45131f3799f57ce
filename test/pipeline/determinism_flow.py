"""The artifacts the compiler writes for tiny_cnn and a wide MatMul, for the determinism tests.

    python determinism_flow.py FILES OUT [--absolute]

FILES receives the inputs (tiny_cnn, seeded inputs at scales 1e-3 to 1e3, an input
list, node_precision.yaml, a copy of the shipped target, and a wide MatMul model
with its input); OUT receives the artifacts: the profile `pgq.yaml`, a mixed
FP16/INT8 bundle `int8/`, an FP16 bundle `fp16/`, and the profile `wide.yaml` of
the MatMul, whose sums OpenBLAS orders differently on one thread and on two
(K = 1000). The compiles run from FILES with relative paths, or with `--absolute`
from OUT with absolute ones, so a path that leaks into an artifact shows as a
difference. Run as a script so that each run is a fresh process with
its own PYTHONHASHSEED and BLAS thread count.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from aicc.api import CompileConfig, QuantizationConfig, compile, dump_profile, write_bundle
from aicc.base.target import load_target
from aicc.frontend.models import tiny_cnn

SCALES = (1e-3, 1.0, 1e3, 1.0)
"""Input scales: the ranges widen across inferences, so histograms are re-binned."""
FP16_NAMES = "FP16NodeInstanceNames: [conv0, bn0, relu0]\n"


def write_files(folder: Path, absolute: bool) -> None:
    onnx.save(tiny_cnn(), folder / "tiny_cnn.onnx")
    rng = np.random.default_rng(3)
    names = [f"x{index}.npy" for index in range(len(SCALES))]
    for name, scale in zip(names, SCALES, strict=True):
        x = rng.standard_normal((1, 3, 32, 32)) * scale
        np.save(folder / name, x.astype(np.float32))
    listed = [str(folder / name) if absolute else name for name in names]
    (folder / "list.txt").write_text("".join(f"{name}\n" for name in listed))
    (folder / "node_precision.yaml").write_text(FP16_NAMES)
    shutil.copyfile(load_target().path, folder / "board.yaml")
    onnx.save(wide_matmul(), folder / "wide.onnx")
    x = rng.standard_normal((16, 1000)).astype(np.float32)
    np.save(folder / "wide_x.npy", x)
    wide_x = str(folder / "wide_x.npy") if absolute else "wide_x.npy"
    (folder / "wide_list.txt").write_text(f"{wide_x}\n")


def wide_matmul() -> onnx.ModelProto:
    """x (16 x 1000) @ W (1000 x 999), then Relu."""
    w = np.random.default_rng(1).standard_normal((1000, 999)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "w"], ["mm0"], name="mm0"),
            helper.make_node("Relu", ["mm0"], ["relu0"], name="relu0"),
        ],
        "wide",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [16, 1000])],
        [helper.make_tensor_value_info("relu0", TensorProto.FLOAT, [16, 999])],
        [numpy_helper.from_array(w, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def compile_all(files: Path, out: Path) -> None:
    """The profile and both bundles of `files`' model, into `out` (paths as given)."""
    config = CompileConfig(
        files / "tiny_cnn.onnx",
        QuantizationConfig(node_precision_info=files / "node_precision.yaml"),
        input_list=files / "list.txt",
        target=files / "board.yaml",
    )
    dump_profile(config, out / "pgq.yaml")
    int8 = replace(config.quantization, profile=out / "pgq.yaml")
    write_bundle(compile(replace(config, quantization=int8)), out / "int8")
    fp16 = CompileConfig(config.model, convert_to_fp16=True, target=config.target)
    write_bundle(compile(fp16), out / "fp16")
    wide = CompileConfig(files / "wide.onnx", input_list=files / "wide_list.txt")
    dump_profile(wide, out / "wide.yaml")


def main(argv: list[str]) -> None:
    files, out = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    files.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    absolute = "--absolute" in argv
    write_files(files, absolute)
    if absolute:
        os.chdir(out)
        compile_all(files, out)
    else:
        os.chdir(files)
        compile_all(Path(), Path(os.path.relpath(out, files)))


if __name__ == "__main__":
    main(sys.argv[1:])
