"""Import + print time of aicc against onnxruntime session creation, same files.

    python bench/import_bench.py

Prints the median of 5 runs after a warm-up, for light_resnet50 and for chains of
2,000 and 4,000 Conv/BatchNormalization/Relu nodes, with the ratio to
onnxruntime `InferenceSession` creation (1 thread on both sides).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import LIGHT, THREADS, median_seconds, ort_session

# common pins numpy\'s threads, so it must be imported first.
# isort: split

import onnx

from aicc.dialects.ir_io import module_text
from aicc.frontend.models import conv_bn_relu_chain
from aicc.frontend.onnx_load import load_module


def measure(path: Path) -> tuple[float, float]:
    model = onnx.load(path)
    aicc = median_seconds(lambda: module_text(load_module(path)))
    ort = median_seconds(lambda: ort_session(model))
    return aicc, ort


def main() -> None:
    print(f"threads: {THREADS} (aicc and onnxruntime); median of 5 after a warm-up")
    print(f"{'model':<24}{'nodes':>7}{'aicc import+print':>20}{'ort session':>14}{'ratio':>8}")
    rows: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("light_resnet50", LIGHT / "light_resnet50.onnx")]
        for nodes in (2000, 4000):
            path = Path(tmp) / f"chain{nodes}.onnx"
            onnx.save(conv_bn_relu_chain(nodes // 3), path)
            cases.append((f"chain_{nodes}", path))
        for name, path in cases:
            aicc, ort = measure(path)
            rows[name] = aicc
            count = len(onnx.load(path).graph.node)
            print(f"{name:<24}{count:>7}{aicc:>19.3f}s{ort:>13.3f}s{aicc / ort:>8.2f}")
    growth = rows["chain_4000"] / rows["chain_2000"]
    print(f"doubling the chain multiplies import time by {growth:.2f} (target <= 2.4)")
    print(f"chain of 2,000 nodes: {rows['chain_2000']:.2f}s (target < 5 s)")


if __name__ == "__main__":
    sys.exit(main())
