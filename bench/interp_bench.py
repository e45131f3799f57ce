"""Reference-interpreter latency against onnxruntime on light_resnet50, random weights.

    python bench/interp_bench.py

Both run single-threaded; median of 5 runs after a warm-up.
"""

from __future__ import annotations

from common import LIGHT, THREADS, median_seconds, ort_session

# common pins numpy\'s threads, so it must be imported first.
# isort: split

import numpy as np
import onnx

from aicc.frontend.models import randomize_constant_of_shape
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.sim.reference.interpreter import run_module


def main() -> None:
    path = LIGHT / "light_resnet50.onnx"
    model = randomize_constant_of_shape(onnx.load(path), seed=1)
    module = import_model(prepare_model(model, path, {}))
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    session = ort_session(model)
    input_name = session.get_inputs()[0].name
    aicc = median_seconds(lambda: run_module(module, [x]))
    ort = median_seconds(lambda: session.run(None, {input_name: x}))
    print(f"threads: {THREADS} (numpy BLAS and onnxruntime); median of 5 after a warm-up")
    print(f"light_resnet50: aicc reference {aicc * 1e3:.1f} ms, onnxruntime {ort * 1e3:.1f} ms,")
    print(f"ratio {aicc / ort:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
