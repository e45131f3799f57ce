"""`aicc-demo`: the main job on the embedded default model, end to end.

It builds the tiny CNN (`aicc.frontend.models.tiny_cnn`, first output names conv0, bn0,
relu0, ...), imports it into the `onnx` dialect, canonicalizes it, prints the IR
with every blob elided (a newcomer reads the ops, not kilobytes of hex), and runs
it in the reference interpreter next to onnxruntime when that is installed. Then it
runs the spec's mixed-precision flow on it: conv0, bn0 and relu0 in FP16
(node-precision-info), a profile over 8 seeded inputs, the INT8 compile from that
profile, and its accuracy against FP32. It ends on the device: that compile written
to a bundle, opened and run on the simulator on a seeded input, checked against the
reference interpreter's run of the same compiled module within the documented bound
(exit status 1 outside it), and the cost report's summary.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx

from aicc.api import (
    CompileConfig,
    CompiledModel,
    QuantizationConfig,
    compile,
    dump_profile,
    read_bundle,
    write_bundle,
)
from aicc.base.accuracy import FALLBACK_STEPS, within_mixed_bound
from aicc.base.errors import user_errors_exit_2
from aicc.dialects.context import make_context
from aicc.dialects.ir_io import print_module
from aicc.dialects.onnx_precision import precision_report
from aicc.frontend.models import tiny_cnn
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.passes.constant_fold_reference import ConstantFoldReferencePass
from aicc.sim.reference.interpreter import run_module


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
    ConstantFoldReferencePass().apply(make_context(), module)
    print_module(module, sys.stdout, elide_over=0)
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    (y,) = run_module(module, [x])
    elapsed = time.perf_counter() - start
    print(f"reference interpreter output fc0: {np.array2string(y[0], 200, 4)}")
    reference = _onnxruntime_output(model, x)
    if reference is None:
        print(f"import + run in {elapsed * 1e3:.1f} ms (onnxruntime not installed: no comparison)")
    else:
        error = float(np.max(np.abs(reference - y)))
        print(f"import + run in {elapsed * 1e3:.1f} ms; max |aicc - onnxruntime| = {error:.3g}")
    with tempfile.TemporaryDirectory() as tmp:
        compiled = _mixed_precision(model, Path(tmp))
        agrees = _device(compiled, Path(tmp) / "tiny_cnn-bundle")
    if not agrees:
        sys.exit(1)


def _mixed_precision(model: onnx.ModelProto, folder: Path) -> CompiledModel:
    """The two qaic-compile steps of the spec, through the API that aicc-compile uses."""
    onnx.save(model, folder / "tiny_cnn.onnx")
    rng = np.random.default_rng(1)
    lines = []
    for index in range(8):
        np.save(folder / f"in{index}.npy", rng.standard_normal((1, 3, 32, 32)).astype(np.float32))
        lines.append(str(folder / f"in{index}.npy"))
    (folder / "list.txt").write_text("\n".join(lines) + "\n")
    (folder / "node_precision.yaml").write_text("FP16NodeInstanceNames: [conv0, bn0, relu0]\n")
    quantization = QuantizationConfig(node_precision_info=folder / "node_precision.yaml")
    config = CompileConfig(folder / "tiny_cnn.onnx", quantization, input_list=folder / "list.txt")
    print("mixed precision: conv0, bn0, relu0 in FP16; the rest INT8 from a profile")
    result = dump_profile(config, folder / "pgq.yaml")
    print(f"  profiled {len(result.profile.tensors)} tensors over {result.inferences} inputs")
    loaded = replace(quantization, profile=folder / "pgq.yaml")
    compiled = compile(replace(config, quantization=loaded))
    for output in compiled.accuracy:
        print(f"  output '{output.name}' vs FP32: {output.agreement.text()}")
    return compiled


def _device(compiled: CompiledModel, bundle: Path) -> bool:
    """Run `compiled` from a written bundle on the simulator; say whether it is within
    the documented bound of the reference interpreter's run of the same module."""
    print("device: that compile written to a bundle, opened and run on the simulator")
    write_bundle(compiled, bundle)
    executable = read_bundle(bundle).executable()
    x = np.random.default_rng(2).standard_normal((1, 3, 32, 32)).astype(np.float32)
    outputs, report = executable.run([x])
    references = compiled.run([x])
    precisions = {entry["precision"] for entry in precision_report(compiled.module)}
    exact = precisions == {"i8"}
    agrees = True
    for edge, got, want in zip(executable.output_edges, outputs, references, strict=True):
        step = None if edge.quant is None else float(np.max(edge.quant["scale"]))
        worst = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))))
        if exact:
            ok, bound = bool(np.array_equal(got, want)), "bit-identical (every node i8)"
        else:
            scale = float(np.max(np.abs(want)))
            ok = within_mixed_bound(got, want, scale, step, "f16" in precisions) is None
            bound = "within the mixed-precision bound of docs/fuzzing.md"
            if step is not None:
                bound = f"within {FALLBACK_STEPS} output steps (float nodes feed i8 ones)"
        agrees = agrees and ok
        steps = "" if step is None else f" = {worst / step:.3g} output steps"
        print(f"  output '{edge.port.name}' vs reference: max |diff| {worst:.3g}{steps}")
        print(f"    {bound}: {'yes' if ok else 'NO'}")
    for line in report.summary():
        print("\n    ".join(_wrap_list(f"  {line}", 100)))
    return agrees


def _wrap_list(line: str, width: int) -> list[str]:
    """`line` cut after the commas of its list so that no row passes `width`."""
    first, *items = line.split(", ")
    rows = [first]
    for item in items:
        if len(rows[-1]) + len(item) + 3 > width:
            rows[-1] += ","
            rows.append(item)
        else:
            rows[-1] += ", " + item
    return rows
