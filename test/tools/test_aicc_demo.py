"""The README's first command ends with aicc-demo: it must run the whole main job."""

import re
import subprocess


def test_demo_runs_fp32_against_onnxruntime_and_the_mixed_precision_flow() -> None:
    result = subprocess.run(["aicc-demo"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'output_names = ["conv0"]' in out
    error = re.search(r"max \|aicc - onnxruntime\| = (\S+)", out)
    assert error is not None and float(error.group(1)) < 1e-4
    sqnr = re.search(r"output 'fc0' vs FP32: .* SQNR\s+(\S+) dB", out)
    assert sqnr is not None and float(sqnr.group(1)) > 30
