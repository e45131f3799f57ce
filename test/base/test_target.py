"""The target description: the shipped figures, the core override, one-line errors, the roofline."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from yaml_errors import one_line_error, write

from aicc.base.errors import UserError
from aicc.base.precision import PRECISIONS
from aicc.base.target import PerPrecision, load_target

MiB = 1 << 20

# A small device with round figures, so the arithmetic below can be done by hand.
# Line numbers: name 1, cores 2, clock_hz 3, ..., dma_setup_cycles 6, matrix 7,
# vector 8, alignment 9, its keys 10-14.
TINY = """\
name: tiny
cores: 4
clock_hz: 1_000_000_000
scratchpad_bytes_per_core: 65536
ddr_bytes_per_second: 100_000_000_000
dma_setup_cycles: 50
matrix_macs_per_cycle: {i8: 2048, f16: 1024, f32: 256}
vector_lanes_per_cycle: {i8: 64, f16: 32, f32: 16}
alignment:
  ddr_bytes: 64
  scratchpad_bytes: 64
  tile_m_multiple: 4
  tile_n_multiple: 16
  tile_k_multiple: 16
"""


def _file(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "target.yaml", text)


def _error(tmp_path: Path, text: str) -> str:
    return one_line_error(tmp_path / "target.yaml", text, load_target)


def test_shipped_target_has_the_public_figures() -> None:
    target = load_target()
    assert target.name == "cloud_ai_100"
    assert target.path.name == "cloud_ai_100.yaml"
    assert target.cores == 16
    assert target.scratchpad_bytes_per_core == 8 * MiB
    assert target.ddr_bytes_per_second == 136_000_000_000
    macs = target.matrix_macs_per_cycle
    assert macs.i8 == 2 * macs.f16
    assert macs.f32 < macs.f16
    assert target.dma_setup_cycles > 0


def test_per_precision_covers_every_precision() -> None:
    assert {f.name for f in dataclasses.fields(PerPrecision)} == set(PRECISIONS)
    rates = load_target().vector_lanes_per_cycle
    assert [rates[p] for p in PRECISIONS] == [rates.f32, rates.f16, rates.i8]


def test_num_cores_override(tmp_path: Path) -> None:
    shipped = load_target(num_cores=4)
    assert shipped.cores == 4
    assert shipped.macs_per_second("f16") * 4 == load_target().macs_per_second("f16")
    path = _file(tmp_path, TINY)
    assert load_target(path, num_cores=1).cores == 1
    assert load_target(path, num_cores=4) == load_target(path)


@pytest.mark.parametrize("cores", [0, -1, 5])
def test_num_cores_out_of_range(tmp_path: Path, cores: int) -> None:
    path = _file(tmp_path, TINY)
    with pytest.raises(UserError) as e:
        load_target(path, num_cores=cores)
    assert str(e.value) == f"-aic-num-cores={cores}: must be 1..4, the cores of the target {path}"


def test_roofline_by_hand(tmp_path: Path) -> None:
    target = load_target(_file(tmp_path, TINY))
    # 4 cores x 1024 MACs/cycle x 1 GHz = 4.096e12 f16 MAC/s; i8 twice that.
    assert target.macs_per_second("f16") == 4_096_000_000_000
    assert target.macs_per_second("i8") == 8_192_000_000_000
    # 4.096e9 MACs take 1 ms; 2e8 bytes at 1e11 B/s take 2 ms: memory-bound.
    assert target.roofline_seconds(4_096_000_000, 200_000_000, "f16") == pytest.approx(2e-3)
    # The same bytes with 4x the MACs: compute-bound at 4 ms.
    assert target.roofline_seconds(16_384_000_000, 200_000_000, "f16") == pytest.approx(4e-3)
    # f32 runs at a quarter of f16.
    assert target.roofline_seconds(4_096_000_000, 0, "f32") == pytest.approx(4e-3)


def test_dma_cycles_by_hand(tmp_path: Path) -> None:
    target = load_target(_file(tmp_path, TINY))
    # 1e11 B/s at 1 GHz is 100 bytes per cycle, after 50 cycles of setup.
    assert target.dma_cycles(0) == 50
    assert target.dma_cycles(1000) == 60
    assert target.dma_cycles(1001) == 61


def test_missing_key(tmp_path: Path) -> None:
    text = TINY.replace("dma_setup_cycles: 50\n", "")
    assert _error(tmp_path, text) == ":1: the target: missing key 'dma_setup_cycles'"


def test_missing_nested_key(tmp_path: Path) -> None:
    text = TINY.replace("f32: 256}", "}")
    assert _error(tmp_path, text) == ":7: matrix_macs_per_cycle: missing key 'f32'"


def test_unknown_key(tmp_path: Path) -> None:
    text = TINY.replace("  tile_k_multiple: 16\n", "  tile_k_multiple: 16\n  tile_q_multiple: 2\n")
    message = _error(tmp_path, text)
    assert message.startswith(":15: alignment: unknown key 'tile_q_multiple'; expected ddr_bytes")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("dma_setup_cycles: 50", "dma_setup_cycles: 0", ":6: dma_setup_cycles"),
        ("cores: 4", "cores: -2", ":2: cores"),
        ("clock_hz: 1_000_000_000", "clock_hz: 1.4e+9", ":3: clock_hz"),
        ("scratchpad_bytes_per_core: 65536", "scratchpad_bytes_per_core: 8 MiB", ":4:"),
        ("{i8: 64,", "{i8: yes,", ":8: vector_lanes_per_cycle.i8"),
        ("  ddr_bytes: 64", "  ddr_bytes: [64]", ":10: alignment.ddr_bytes"),
    ],
)
def test_not_a_positive_integer(tmp_path: Path, old: str, new: str, expected: str) -> None:
    message = _error(tmp_path, TINY.replace(old, new))
    assert message.startswith(expected)
    assert "must be a positive integer, not " in message


def test_bad_name(tmp_path: Path) -> None:
    message = _error(tmp_path, TINY.replace("name: tiny", "name: 12"))
    assert message == ":1: name must be a non-empty string, not '12'"


def test_bad_yaml(tmp_path: Path) -> None:
    message = _error(tmp_path, TINY.replace("{i8: 64,", "{i8: 64,,"))
    assert message.startswith(":8: YAML does not parse")


def test_empty_file(tmp_path: Path) -> None:
    path = _file(tmp_path, "# nothing\n")
    with pytest.raises(UserError, match=r"empty target file; expected keys name, cores"):
        load_target(path)
