"""The README's first command ends with aicc-demo: it must run the whole main job,
short enough to read, down to the device."""

import re
import subprocess

import pytest

WIDEST_LINE = 250
"""The widest IR line of the default model is a 246-character `onnx.Conv` with its
three operand types; anything wider is a blob or a table that does not belong."""
HEX_BLOB = re.compile(r"0x[0-9A-Fa-f]{65,}")


@pytest.fixture(scope="module")
def demo() -> str:
    result = subprocess.run(["aicc-demo"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    return result.stdout


def test_demo_runs_fp32_against_onnxruntime_and_the_mixed_precision_flow(demo: str) -> None:
    assert 'output_names = ["conv0"]' in demo
    error = re.search(r"max \|aicc - onnxruntime\| = (\S+)", demo)
    assert error is not None and float(error.group(1)) < 1e-4
    sqnr = re.search(r"output 'fc0' vs FP32: .* SQNR\s+(\S+) dB", demo)
    assert sqnr is not None and float(sqnr.group(1)) > 30


def test_demo_elides_every_blob_and_stays_short(demo: str) -> None:
    assert HEX_BLOB.search(demo) is None
    assert 'conv0.W: "__elided__"' in demo
    lines = demo.splitlines()
    assert max(len(line) for line in lines) <= WIDEST_LINE
    assert len(lines) < 90


def test_demo_ends_on_the_device_within_the_documented_bound(demo: str) -> None:
    device = demo[demo.index("device: ") :]
    check = re.search(r"output 'fc0' vs reference: max \|diff\| (.+)\n\s+(.*): (\S+)\n", device)
    assert check is not None, device
    assert check.group(2).startswith(("bit-identical", "within 2 output steps"))
    assert check.group(3) == "yes"
    total = re.search(r"total: (\d+) cycles", device)
    assert total is not None and int(total.group(1)) > 0
    assert "instructions: " in device
