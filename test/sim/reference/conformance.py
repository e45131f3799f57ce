"""ONNX backend conformance cases for the reference interpreter, and their exclusions.

Sources: the node test cases that onnx generates in memory (`collect_testcases`;
this onnx wheel ships no `data/node` directory) and the `pytorch-converted`,
`pytorch-operator` and `simple` model directories shipped in the wheel. A case
runs when every node of its graph is an op of the `onnx` dialect; otherwise it
is excluded automatically as "op outside our set". Every other exclusion is
listed below as data, with its category and reason.

`python -m aicc.test...` is not importable; run `python test/sim/reference/conformance.py`
to print how many cases run, pass and are excluded per category.
"""

from __future__ import annotations

import json
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from xdsl.dialects.builtin import ModuleOp

from aicc.dialects.onnx import OPS_BY_TYPE
from aicc.sim.reference.kernels.tensor import bf16_to_f32

DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"
MODEL_KINDS = ("pytorch-converted", "pytorch-operator", "simple")
OUTSIDE_OP_SET = "op outside our set"

# The only categories a case may be excluded for, besides OUTSIDE_OP_SET.
RESIZE_MODES = "limited Resize modes"
CAST_TYPES = "limited Cast dtypes"
TRAINING = "training mode"
DYNAMIC = "dynamic shapes"

_NARROW_TYPES = "FLOAT8|FLOAT4|INT4|UINT4|INT2|UINT2|STRING"

EXCLUDED: dict[str, tuple[str, str]] = {
    # pattern (full match on the case name) -> (category, reason)
    r"test_resize_.*(linear|cubic).*": (
        RESIZE_MODES,
        "Resize supports mode=nearest only; the importer rejects linear and cubic",
    ),
    r"test_resize_tf_crop_and_resize(_extrapolation_value|_axes_2_3|_axes_3_2)?": (
        RESIZE_MODES,
        "these tf_crop_and_resize cases use mode=linear",
    ),
    rf"test_cast(like)?_.*({_NARROW_TYPES}).*": (
        CAST_TYPES,
        "float8, float4, int4, int2 and string element types are not supported",
    ),
    r"test_cast(like)?_no_saturate_.*": (
        CAST_TYPES,
        "saturate only affects float8 casts, which are not supported",
    ),
    r"test_dropout_default_mask_ratio|test_training_dropout.*": (
        TRAINING,
        "Dropout with training_mode=true is refused (inference compiler)",
    ),
    r"test_batchnorm_.*_training_mode": (
        TRAINING,
        "BatchNormalization with training-mode outputs is refused (inference compiler)",
    ),
    r"test_(center_crop_pad|depthtospace|group_normalization|reduce_log_sum|rotary_embedding"
    r"|spacetodepth)(_.*)?_expanded": (
        DYNAMIC,
        "the function expansion computes shapes from data; static shape inference leaves "
        "intermediate tensors without a shape",
    ),
}


@dataclass(frozen=True)
class Case:
    """One conformance case: a model and its input/expected-output sets."""

    name: str
    model: onnx.ModelProto
    path: Path | None  # the model file, for cases shipped as directories
    data_sets: tuple[tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]], ...]
    rtol: float
    atol: float


def exclusion(case_name: str, model: onnx.ModelProto) -> str | None:
    """The category a case is excluded for, or None if it runs."""
    outside = {
        n.op_type
        for n in model.graph.node
        if n.op_type not in OPS_BY_TYPE or n.domain not in ("", "ai.onnx")
    }
    # Our ops take tensors; an op over sequences or optionals is another op.
    values = [*model.graph.input, *model.graph.output]
    if outside or model.functions or not all(v.type.HasField("tensor_type") for v in values):
        return OUTSIDE_OP_SET
    for pattern, (category, _) in EXCLUDED.items():
        if re.fullmatch(pattern, case_name):
            return category
    return None


def _node_cases() -> Iterator[Case]:
    # Generating the node cases runs onnx's numpy references; they warn about
    # the infinities and overflows that some cases test on purpose.
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    for c in cases:
        assert c.model is not None and c.data_sets is not None
        sets = tuple(
            (tuple(_array(i) for i in ins), tuple(_array(o) for o in outs))
            for ins, outs in c.data_sets
        )
        yield Case(c.name, c.model, None, sets, c.rtol, c.atol)


def _array(value: np.ndarray | onnx.TensorProto) -> np.ndarray:
    return numpy_helper.to_array(value) if isinstance(value, onnx.TensorProto) else value


def _model_dir_cases(kind: str) -> Iterator[Case]:
    for case_dir in sorted((DATA / kind).iterdir()):
        path = case_dir / "model.onnx"
        if not path.exists():
            continue
        tolerance = {"rtol": 1e-3, "atol": 1e-7}
        if (case_dir / "data.json").exists():
            tolerance.update(json.loads((case_dir / "data.json").read_text()))
        sets = tuple(
            (_tensors(d, "input"), _tensors(d, "output"))
            for d in sorted(case_dir.glob("test_data_set_*"))
        )
        model = onnx.load(path)
        yield Case(case_dir.name, model, path, sets, tolerance["rtol"], tolerance["atol"])


def _tensors(data_set: Path, prefix: str) -> tuple[np.ndarray, ...]:
    files = sorted(data_set.glob(f"{prefix}_*.pb"), key=lambda p: int(p.stem.split("_")[1]))
    return tuple(numpy_helper.to_array(onnx.load_tensor(f)) for f in files)


@cache
def all_cases() -> tuple[Case, ...]:
    cases = [*_node_cases()]
    for kind in MODEL_KINDS:
        cases.extend(_model_dir_cases(kind))
    return tuple(cases)


def runnable_cases() -> list[Case]:
    return [c for c in all_cases() if exclusion(c.name, c.model) is None]


def case_module(case: Case) -> ModuleOp:
    """The case's model imported into the `onnx` dialect (its model proto is not modified)."""
    from aicc.frontend.onnx_import import import_model
    from aicc.frontend.onnx_load import load_module, prepare_model

    if case.path is not None:
        return load_module(case.path)
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    return import_model(prepare_model(model, Path(f"{case.name}.onnx"), {}))


def run_case(case: Case) -> None:
    """Import and run a case; raise AssertionError when an output differs."""
    from aicc.sim.reference.interpreter import run_module

    module = case_module(case)
    for inputs, expected in case.data_sets:
        actual = run_module(module, [_bf16_bits(a) for a in inputs])
        assert_similar(actual, expected, case.rtol, case.atol)


def assert_similar(
    actual: Sequence[np.ndarray], expected: Sequence[np.ndarray], rtol: float, atol: float
) -> None:
    """onnx's backend-runner comparison: count, shape, dtype, then allclose."""
    assert len(actual) == len(expected), f"{len(actual)} outputs, expected {len(expected)}"
    for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert got.shape == want.shape, f"output {index}: shape {got.shape}, expected {want.shape}"
        output_rtol = rtol
        if str(want.dtype) == "bfloat16":
            # Compare values, with the two bfloat16 ULPs that onnx's runner allows.
            assert got.dtype == np.uint16, f"output {index}: dtype {got.dtype}, expected bf16 bits"
            got, want = bf16_to_f32(got), bf16_to_f32(_bf16_bits(want))
            output_rtol = max(rtol, 2**-6)
        assert got.dtype == want.dtype, f"output {index}: dtype {got.dtype}, expected {want.dtype}"
        np.testing.assert_allclose(
            got, want, rtol=output_rtol, atol=atol, err_msg=f"output {index}"
        )


def _bf16_bits(array: np.ndarray) -> np.ndarray:
    # onnx gives bfloat16 as an ml_dtypes array; aicc holds its uint16 bit patterns.
    return array.view(np.uint16) if str(array.dtype) == "bfloat16" else array


def main() -> None:
    counts: Counter[str] = Counter()
    failures: list[str] = []
    start = time.perf_counter()
    for case in all_cases():
        category = exclusion(case.name, case.model)
        if category is not None:
            counts[f"excluded: {category}"] += 1
            continue
        counts["run"] += 1
        try:
            run_case(case)
        except Exception as e:  # report every failure kind, keep going
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            failures.append(f"{case.name}: {type(e).__name__}: {first[:200]}")
            continue
        counts["passed"] += 1
    for line in failures:
        print(f"FAIL {line}")
    for key in sorted(counts):
        print(f"{key}: {counts[key]}")
    print(f"seconds: {time.perf_counter() - start:.1f}")


if __name__ == "__main__":
    sys.exit(main())
