"""The FP32 ONNX backend conformance cases, run through the device path.

Each runnable case (`test/sim/reference/conformance.py`) is lowered to an `aic` program for
the shipped target and simulated. A case either
- runs: every output matches the reference interpreter within the FP32 device
  contract (rtol 1e-5, atol 1e-6) and the case's expected outputs within its own
  tolerance; or
- is refused at compile time with a one-line `UserError` naming the node the
  device cannot run (`-operators-supported` lists what it can).

`python test/e2e/device_conformance.py` prints how many cases run, pass and are
refused, with the refused op kinds.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import onnx

sys.path.insert(0, str(Path(__file__).parent.parent / "sim" / "reference"))
from conformance import Case, assert_similar, case_module, runnable_cases  # noqa: E402

from aicc.base.errors import UserError  # noqa: E402
from aicc.pipeline.device import lower_to_device  # noqa: E402
from aicc.sim.device import load_program  # noqa: E402
from aicc.sim.reference.interpreter import run_module  # noqa: E402

# The first pass names the op kind; a tiling refusal of a later pass names the node only.
REFUSAL = re.compile(r"^\S+\.onnx: node '[^']+'(?: \((onnx\.\w+)\))?: .*")


@dataclass(frozen=True)
class Outcome:
    """How one case went: "ran" or "refused" (with the refused op kind)."""

    kind: str
    op: str = ""


def float_cases() -> list[Case]:
    """Runnable cases whose graph inputs and outputs are all float32 tensors."""
    f32 = onnx.TensorProto.FLOAT
    return [
        c
        for c in runnable_cases()
        if all(
            v.type.tensor_type.elem_type == f32
            for v in [*c.model.graph.input, *c.model.graph.output]
        )
    ]


def run_on_device(case: Case) -> Outcome:
    """Lower, simulate and compare `case`; AssertionError when an output differs."""
    module = case_module(case)
    try:
        program = load_program(lower_to_device(module, source=f"{case.name}.onnx"))
    except UserError as e:
        message = str(e)
        refused = REFUSAL.match(message)
        assert refused is not None and "\n" not in message, f"not a one-line refusal: {message}"
        return Outcome("refused", refused.group(1) or message.split(": ", 2)[2])
    inputs = [b for b in program.io if b.kind == "input"]
    for arrays, expected in case.data_sets:
        reference = run_module(module, list(arrays))
        outputs, _ = program.run({b.name: a for b, a in zip(inputs, arrays, strict=True)})
        actual = list(outputs.values())
        assert_similar(actual, reference, rtol=1e-5, atol=1e-6)
        assert_similar(actual, expected, case.rtol, case.atol)
    return Outcome("ran")


def main() -> None:
    outcomes: Counter[str] = Counter()
    refused_ops: Counter[str] = Counter()
    failed: list[str] = []
    for case in float_cases():
        try:
            outcome = run_on_device(case)
        except AssertionError as e:
            failed.append(f"{case.name}: {str(e).splitlines()[0]}")
            continue
        outcomes[outcome.kind] += 1
        if outcome.op:
            refused_ops[outcome.op] += 1
    print(f"float32 cases: {sum(outcomes.values()) + len(failed)}")
    print(f"ran on the device and matched: {outcomes['ran']}")
    print(f"failed: {len(failed)}")
    for line in failed:
        print(f"  {line}")
    print(f"refused at compile time: {outcomes['refused']}")
    for op, count in refused_ops.most_common():
        print(f"  {op}: {count}")


if __name__ == "__main__":
    main()
