"""`aicc-demo`: the main job on the embedded default model, end to end.

It builds the tiny CNN (`aicc.models.tiny_cnn`, first output names conv0, bn0,
relu0, ...), imports it into the `onnx` dialect, canonicalizes it, prints the IR,
and runs it in the reference interpreter next to onnxruntime when that is
installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import onnx
from xdsl.transforms.canonicalize import CanonicalizePass

from aicc.context import make_context
from aicc.errors import user_errors_exit_2
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.ir_io import print_module
from aicc.models import tiny_cnn
from aicc.sim.reference import run_module


def _onnxruntime_output(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray | None:
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, {"input": x})[0])


@user_errors_exit_2("aicc-demo")
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else "aicc-demo", allow_abbrev=False
    )
    parser.add_argument("--save", type=Path, help="also write the default model to this .onnx file")
    args = parser.parse_args()
    model = tiny_cnn()
    if args.save is not None:
        onnx.save(model, args.save)
        print(f"wrote {args.save}")
    start = time.perf_counter()
    module = import_model(prepare_model(model, Path("tiny_cnn.onnx"), {}))
    CanonicalizePass().apply(make_context(), module)
    print_module(module, sys.stdout)
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    (y,) = run_module(module, [x])
    elapsed = time.perf_counter() - start
    print(f"reference interpreter output fc0: {np.array2string(y[0], precision=4)}")
    reference = _onnxruntime_output(model, x)
    if reference is None:
        print(f"import + run in {elapsed * 1e3:.1f} ms (onnxruntime not installed: no comparison)")
        return
    error = float(np.max(np.abs(reference - y)))
    print(f"import + run in {elapsed * 1e3:.1f} ms; max |aicc - onnxruntime| = {error:.3g}")
