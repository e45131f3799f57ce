"""Calibration methods of aicc beside onnxruntime's, on a trained CNN and on tiny_cnn.

    python bench/calibration_bench.py

Models: the CNN trained on synthetic strokes (`aicc.frontend.trained_cnn`, its own
64 calibration and 256 held-out images) and tiny_cnn (random weights, 32 seeded
standard-normal calibration inputs, 16 held-out ones).

- aicc: one profile (`dump_profile`), then one compile per calibration method
  (None = MinMax, Percentile, KLMinimization, MSE), per-channel weights, asymmetric
  schema, each with and without `-quantization-bias-correction`; the compiled model
  runs in the reference interpreter.
- onnxruntime: `quant_pre_process`, then `quantize_static` per method (MinMax,
  Percentile, Entropy), QDQ, per channel, QInt8 activations and weights, onnxruntime's
  own defaults otherwise (Percentile 99.999, Entropy with 128 quantized bins).

Both are scored against onnxruntime on the FP32 model over the held-out inputs: SQNR
of the logits, and top-1 agreement with the FP32 model.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from common import pinned_default_sessions

# common pins numpy's threads, so it must be imported first.
# isort: split

import numpy as np
import onnx
from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process
from pgq_bench import Case, Reader, input_shape, ort_outputs, score, write_list

from aicc.api import CompileConfig, QuantizationConfig, compile, dump_profile
from aicc.frontend.models import tiny_cnn
from aicc.frontend.trained_cnn import trained_cnn

AICC_METHODS = ("None", "Percentile", "KLMinimization", "MSE")
ORT_METHODS = {
    "None": CalibrationMethod.MinMax,
    "Percentile": CalibrationMethod.Percentile,
    "KLMinimization": CalibrationMethod.Entropy,
}


@dataclass(frozen=True)
class Data:
    case: Case
    calibration: Sequence[np.ndarray]
    held_out: Sequence[np.ndarray]


def datasets() -> list[Data]:
    trained = trained_cnn()
    rng = np.random.default_rng(0)
    tiny = tiny_cnn()
    shape = input_shape(tiny)
    return [
        Data(
            Case("trained_cnn", trained.model, 64, 256, classifier=True),
            [x[None] for x in trained.calibration],
            [x[None] for x in trained.held_out],
        ),
        Data(
            Case("tiny_cnn", tiny, 32, 16, classifier=True),
            [rng.standard_normal(shape).astype(np.float32) for _ in range(32)],
            [rng.standard_normal(shape).astype(np.float32) for _ in range(16)],
        ),
    ]


def aicc_scores(
    data: Data, model_path: Path, folder: Path, reference: Sequence[np.ndarray]
) -> dict[tuple[str, bool], tuple[float, float | None]]:
    listing = write_list(folder, "calibration", data.calibration)
    profile = folder / "pgq.yaml"
    # Channel sums add to the profile without changing its histograms: one profile serves both.
    with_sums = QuantizationConfig(bias_correction=True)
    dump_profile(CompileConfig(model_path, with_sums, input_list=listing), profile)
    scores: dict[tuple[str, bool], tuple[float, float | None]] = {}
    for method in AICC_METHODS:
        for correct in (False, True):
            quantization = QuantizationConfig(
                profile=profile, channelwise=True, calibration=method, bias_correction=correct
            )
            compiled = compile(CompileConfig(model_path, quantization))
            outputs = [compiled.run([x])[0] for x in data.held_out]
            scores[method, correct] = score(data.case, reference, outputs)
    return scores


def ort_scores(
    data: Data, model_path: Path, folder: Path, reference: Sequence[np.ndarray]
) -> dict[str, tuple[float, float | None]]:
    prepared = folder / "ort_pre.onnx"
    name = data.case.model.graph.input[0].name
    scores: dict[str, tuple[float, float | None]] = {}
    with pinned_default_sessions():
        quant_pre_process(model_path, prepared, skip_symbolic_shape=True)
        for method, ort_method in ORT_METHODS.items():
            quantized = folder / f"ort_{method}.onnx"
            quantize_static(
                prepared,
                quantized,
                Reader(name, data.calibration),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=ort_method,
            )
            outputs = ort_outputs(onnx.load(quantized), data.held_out)
            scores[method] = score(data.case, reference, outputs)
    return scores


def cell(value: tuple[float, float | None] | None) -> str:
    if value is None:
        return f"{'-':>16}"
    sqnr, top1 = value
    agree = "" if top1 is None else f" ({100 * top1:.0f}%)"
    return f"{sqnr:>9.2f}{agree:>7}"


def run(data: Data) -> None:
    reference = ort_outputs(data.case.model, data.held_out)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model_path = folder / f"{data.case.name}.onnx"
        onnx.save(data.case.model, model_path)
        ours = aicc_scores(data, model_path, folder, reference)
        theirs = ort_scores(data, model_path, folder, reference)
    for method in AICC_METHODS:
        print(
            f"{data.case.name:<13}{method:<16}{cell(ours[method, False])}"
            f"{cell(ours[method, True])}{cell(theirs.get(method))}"
        )


def main() -> None:
    print("per-channel weights; SQNR of the logits in dB (top-1 agreement with FP32)")
    print(f"{'model':<13}{'calibration':<16}{'aicc':>16}{'aicc + bias c.':>16}{'onnxruntime':>16}")
    for data in datasets():
        run(data)


if __name__ == "__main__":
    main()
