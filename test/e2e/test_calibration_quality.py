"""Calibration methods on a trained CNN (`aicc.frontend.trained_cnn`), not only on random
weights: each stays near MinMax, and bias correction does not hurt.

Measured (bench/calibration_bench.py, per-channel weights): MinMax 31.9 dB, Percentile
31.9, KLMinimization 29.1 (11.8 with Glow's KL, whose zero bin takes part in the
divergence and clips relu0 at a third of its range), MSE 31.8.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import pytest

from aicc.api import CompileConfig, QuantizationConfig, compile, dump_profile
from aicc.base.accuracy import agreement
from aicc.frontend.trained_cnn import trained_cnn

HELD_OUT = 64


@dataclass(frozen=True)
class Trained:
    model: Path
    profile: Path
    """With channel sums."""
    reference: np.ndarray
    """The FP32 logits of the first HELD_OUT held-out images."""


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    folder = tmp_path_factory.mktemp("trained")
    cnn = trained_cnn()
    assert cnn.accuracy > 0.85
    model = folder / "trained_cnn.onnx"
    onnx.save(cnn.model, model)
    names = []
    for index, x in enumerate(cnn.calibration):
        names.append(str(folder / f"x{index}.npy"))
        np.save(names[-1], x[None])
    listing = folder / "list.txt"
    listing.write_text("\n".join(names) + "\n")
    profile = folder / "pgq.yaml"
    with_sums = QuantizationConfig(bias_correction=True)
    dump_profile(CompileConfig(model, with_sums, input_list=listing), profile)
    return Trained(model, profile, _logits(CompileConfig(model)))


def _logits(config: CompileConfig) -> np.ndarray:
    compiled = compile(config)
    held_out = trained_cnn().held_out[:HELD_OUT]
    return np.concatenate([compiled.run([x[None]])[0].reshape(-1) for x in held_out])


def _sqnr(trained: Trained, calibration: str, bias_correction: bool = False) -> float:
    quantization = QuantizationConfig(
        profile=trained.profile,
        channelwise=True,
        calibration=calibration,
        bias_correction=bias_correction,
    )
    got = _logits(CompileConfig(trained.model, quantization))
    return agreement(trained.reference, got).sqnr_db


def test_trained_cnn_is_deterministic() -> None:
    a, b = trained_cnn.__wrapped__(), trained_cnn.__wrapped__()
    assert a.model.SerializeToString() == b.model.SerializeToString()


@pytest.mark.parametrize(
    ("calibration", "slack_db"), [("Percentile", 1.0), ("KLMinimization", 6.0), ("MSE", 1.0)]
)
def test_calibration_stays_near_minmax(trained: Trained, calibration: str, slack_db: float) -> None:
    minmax = _sqnr(trained, "None")
    assert minmax > 28.0
    assert _sqnr(trained, calibration) > minmax - slack_db


def test_bias_correction_does_not_hurt_a_trained_cnn(trained: Trained) -> None:
    assert _sqnr(trained, "None", bias_correction=True) > _sqnr(trained, "None") - 0.5
