"""Every artifact the compiler writes for tiny_cnn, for the determinism tests to compare.

    python determinism_flow.py FILES OUT [--absolute]

FILES receives the inputs (tiny_cnn, seeded inputs at scales 1e-3 to 1e3, an input
list, node_precision.yaml and a copy of the shipped target); OUT receives the
artifacts: the profile `pgq.yaml`, a mixed FP16/INT8 bundle `int8/` and an FP16
bundle `fp16/`. The compiles run from FILES with relative paths, or with
`--absolute` from OUT with absolute ones, so a path that leaks into an artifact
shows as a difference. Run as a script so that each run is a fresh process with
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
