"""aicc's profile-plus-INT8 path beside onnxruntime's `quantize_static`, same model and inputs.

    python bench/pgq_bench.py            # tiny_cnn and the 100-block Conv/BN/Relu chain
    python bench/pgq_bench.py --resnet   # also light_resnet50 with random weights (slow)

For each model, one set of seeded standard-normal calibration inputs and one of
held-out inputs (written as .npy files and input lists, as the API reads them):

- aicc: `dump_profile` over the calibration list (timed), then `compile` with the
  profile, schema asymmetric, calibration None (MinMax), per tensor and with
  `channelwise` (each compile timed); the compiled model runs in the reference
  interpreter with its INT8 kernels.
- onnxruntime: `quant_pre_process` (its recommended step; it folds BatchNormalization
  into Conv as aicc's fuse-conv-bn does; timed apart), then `quantize_static` (timed:
  calibration plus quantization), QDQ, MinMax, per tensor and `per_channel=True`.
  Activations QInt8 asymmetric and weights QInt8 symmetric, bias int32 at s_in*s_w:
  the closest match to aicc's asymmetric schema (int8 activations with a zero point,
  symmetric int8 weights, int32 bias). One difference stays: ORT's symmetric int8
  weights use [-127, 127], Glow's (aicc's) [-128, 127].

Both are scored against the same FP32 reference (onnxruntime on the original model)
over the held-out inputs: SQNR of all outputs together, and top-1 agreement (argmax
over the class axis) for classifiers. Everything runs with THREADS threads, including
the sessions onnxruntime's quantization tools create themselves.

With random weights light_resnet50's Softmax output saturates to one-hot (exact 1.0
and 0.0), so its SQNR says little there; its top-1 agreement is the figure to read.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from common import LIGHT, THREADS, ort_session, pinned_default_sessions

# common pins numpy\'s threads, so it must be imported first.
# isort: split

import numpy as np
import onnx
from onnx import version_converter
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from aicc.api import CompileConfig, QuantizationConfig, compile, dump_profile
from aicc.base.accuracy import agreement
from aicc.frontend.models import conv_bn_relu_chain, randomize_constant_of_shape, tiny_cnn

T = TypeVar("T")

SLOW_CALIBRATION = 1.0
"""The profiling-time target applies where ORT's calibration takes longer than this (s)."""


@dataclass(frozen=True)
class Case:
    """One model and how many calibration and held-out inputs it gets."""

    name: str
    model: onnx.ModelProto
    calibration: int
    held_out: int
    classifier: bool


@dataclass(frozen=True)
class Row:
    """One quantized configuration's scores and times (seconds)."""

    model: str
    tool: str
    setting: str
    sqnr_db: float
    top1: float | None
    calibrate_s: float
    other: str


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def resnet_model() -> onnx.ModelProto:
    """light_resnet50 with random weights, as IR 7 opset 13, its weights no graph inputs.

    The shipped file is IR 3, where every weight is also a graph input; onnxruntime's
    quantizer treats such weights as overridable inputs and leaves them in float. Its
    opset 9 is too old for ORT's per-channel QDQ (DequantizeLinear's axis is opset 13).
    """
    model = randomize_constant_of_shape(onnx.load(LIGHT / "light_resnet50.onnx"), seed=1)
    weights = {init.name for init in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    model.ir_version = 7
    return version_converter.convert_version(model, 13)


def input_shape(model: onnx.ModelProto) -> tuple[int, ...]:
    (value,) = model.graph.input
    return tuple(d.dim_value for d in value.type.tensor_type.shape.dim)


class Reader(CalibrationDataReader):
    """Feeds the calibration arrays to onnxruntime's calibrator, one inference each."""

    def __init__(self, name: str, arrays: Sequence[np.ndarray]) -> None:
        self.feeds: Iterator[dict[str, np.ndarray]] = iter([{name: a} for a in arrays])

    # onnxruntime annotates `-> dict`, yet its calibrators stop at the None this returns.
    def get_next(self) -> dict[str, np.ndarray] | None:  # pyright: ignore[reportIncompatibleMethodOverride]
        return next(self.feeds, None)


def write_list(folder: Path, stem: str, arrays: Sequence[np.ndarray]) -> Path:
    """Each array as `<stem>_<i>.npy`, listed one per line in `<stem>.txt` (absolute paths)."""
    lines: list[str] = []
    for index, array in enumerate(arrays):
        path = folder / f"{stem}_{index}.npy"
        np.save(path, array)
        lines.append(str(path.resolve()))
    listing = folder / f"{stem}.txt"
    listing.write_text("\n".join(lines) + "\n")
    return listing


def score(
    case: Case, reference: Sequence[np.ndarray], outputs: Sequence[np.ndarray]
) -> tuple[float, float | None]:
    """SQNR (dB) over every held-out output; top-1 agreement for a classifier."""
    sqnr = agreement(
        np.concatenate([r.reshape(-1) for r in reference]),
        np.concatenate([o.reshape(-1) for o in outputs]),
    ).sqnr_db
    if not case.classifier:
        return sqnr, None
    same = [int(np.argmax(r)) == int(np.argmax(o)) for r, o in zip(reference, outputs, strict=True)]
    return sqnr, sum(same) / len(same)


def aicc_rows(
    case: Case,
    model_path: Path,
    calibration: Path,
    held_out: Sequence[np.ndarray],
    reference: Sequence[np.ndarray],
    folder: Path,
) -> list[Row]:
    profile = folder / "pgq.yaml"
    config = CompileConfig(model_path, input_list=calibration)
    _, profile_s = timed(lambda: dump_profile(config, profile))
    rows: list[Row] = []
    for setting, channelwise in (("per-tensor", False), ("per-channel", True)):
        quantization = QuantizationConfig(profile=profile, channelwise=channelwise)
        compiled, compile_s = timed(partial(compile, CompileConfig(model_path, quantization)))
        outputs = [compiled.run([x])[0] for x in held_out]
        sqnr, top1 = score(case, reference, outputs)
        rows.append(
            Row(case.name, "aicc", setting, sqnr, top1, profile_s, f"compile {compile_s:.2f}s")
        )
    return rows


def ort_quantize(model: Path, output: Path, reader: Reader, per_channel: bool) -> None:
    quantize_static(
        model,
        output,
        reader,
        quant_format=QuantFormat.QDQ,
        per_channel=per_channel,
        activation_type=QuantType.QInt8,
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
    )


def ort_outputs(model: onnx.ModelProto, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The model's first output for each array, run by onnxruntime with THREADS threads."""
    session = ort_session(model)
    name = model.graph.input[0].name
    return [np.asarray(session.run(None, {name: x})[0]) for x in arrays]


def ort_rows(
    case: Case,
    model_path: Path,
    calibration: Sequence[np.ndarray],
    held_out: Sequence[np.ndarray],
    reference: Sequence[np.ndarray],
    folder: Path,
) -> list[Row]:
    name = case.model.graph.input[0].name
    prepared = folder / "ort_pre.onnx"
    with pinned_default_sessions():
        _, pre_s = timed(lambda: quant_pre_process(model_path, prepared, skip_symbolic_shape=True))
    rows: list[Row] = []
    for setting, per_channel in (("per-tensor", False), ("per-channel", True)):
        quantized = folder / f"ort_{setting}.onnx"
        reader = Reader(name, calibration)
        with pinned_default_sessions():
            _, calibrate_s = timed(partial(ort_quantize, prepared, quantized, reader, per_channel))
        outputs = ort_outputs(onnx.load(quantized), held_out)
        sqnr, top1 = score(case, reference, outputs)
        rows.append(
            Row(
                case.name,
                "onnxruntime",
                setting,
                sqnr,
                top1,
                calibrate_s,
                f"pre-process {pre_s:.2f}s",
            )
        )
    return rows


def run_case(case: Case) -> list[Row]:
    rng = np.random.default_rng(0)
    shape = input_shape(case.model)
    calibration = [rng.standard_normal(shape).astype(np.float32) for _ in range(case.calibration)]
    held_out = [rng.standard_normal(shape).astype(np.float32) for _ in range(case.held_out)]
    reference = ort_outputs(case.model, held_out)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model_path = folder / f"{case.name}.onnx"
        onnx.save(case.model, model_path)
        listing = write_list(folder, "calibration", calibration)
        return aicc_rows(case, model_path, listing, held_out, reference, folder) + ort_rows(
            case, model_path, calibration, held_out, reference, folder
        )


def print_header() -> None:
    print(
        f"{'model':<16}{'tool':<13}{'setting':<13}{'SQNR dB':>9}{'top-1':>7}"
        f"{'profile/calib s':>17}  other"
    )


def print_rows(rows: Sequence[Row]) -> None:
    for r in rows:
        top1 = "n/a" if r.top1 is None else f"{100 * r.top1:.0f}%"
        print(
            f"{r.model:<16}{r.tool:<13}{r.setting:<13}{r.sqnr_db:>9.2f}{top1:>7}"
            f"{r.calibrate_s:>17.2f}  {r.other}"
        )


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def print_targets(rows: Sequence[Row]) -> None:
    print(
        "\ntargets: aicc SQNR - ORT SQNR >= 0 dB; aicc profiling / ORT calibration <= 2"
        f" where ORT calibration > {SLOW_CALIBRATION:.0f} s"
    )
    by_key = {(r.model, r.tool, r.setting): r for r in rows}
    for (model, tool, setting), ours in by_key.items():
        if tool != "aicc":
            continue
        theirs = by_key[(model, "onnxruntime", setting)]
        delta = ours.sqnr_db - theirs.sqnr_db
        ratio = ours.calibrate_s / theirs.calibrate_s
        applies = theirs.calibrate_s > SLOW_CALIBRATION
        time_note = verdict(ratio <= 2) if applies else "target n/a, ORT < 1 s"
        sqnr_note = verdict(not math.isnan(delta) and delta >= 0)
        print(
            f"{model:<16}{setting:<13}SQNR delta {delta:+7.2f} dB ({sqnr_note});"
            f" time ratio {ratio:6.2f}x ({time_note})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="aicc PGQ beside onnxruntime quantize_static")
    parser.add_argument("--resnet", action="store_true", help="also light_resnet50 (slow)")
    args = parser.parse_args()
    cases = [
        Case("tiny_cnn", tiny_cnn(), 32, 16, classifier=True),
        Case("chain100", conv_bn_relu_chain(100, channels=16, size=32), 20, 16, classifier=False),
    ]
    if args.resnet:
        cases.append(Case("light_resnet50", resnet_model(), 32, 8, classifier=True))
    print(f"threads: {THREADS} (numpy BLAS, onnxruntime sessions incl. its calibration)")
    print(
        "aicc: asymmetric int8 activations, symmetric int8 weights, int32 bias, calibration None;"
        " ORT: QDQ MinMax, QInt8 asymmetric activations, QInt8 symmetric weights"
    )
    print_header()
    rows: list[Row] = []
    for case in cases:
        case_rows = run_case(case)
        print_rows(case_rows)
        rows += case_rows
    print_targets(rows)


if __name__ == "__main__":
    main()
