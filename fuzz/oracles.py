"""The seven oracles of `aicc-fuzz`. Each looks at one trial and says passed,
refused (with a reason: the case is outside what that oracle can check, or aicc
refused it in one line at compile time) or finding (a bug, with a message). The
device bounds (`DEVICE_ATOL`, `FP16_ULPS`, `FALLBACK_STEPS`) are `aicc.base.accuracy`'s.

1. reference FP32 vs onnxruntime: rtol 1e-4, atol 1e-5 x the output's magnitude;
2. print -> parse -> print is a fixpoint, and the verifier passes, after import and
   after every pass of every compile (onnx, annotated, quantized, kernel, planned, aic);
3. export to ONNX, run in onnxruntime: equal to the original's result (oracle 1's bound);
4. FP32 device vs reference: rtol 1e-5, atol `DEVICE_ATOL` x the output's magnitude;
5. INT8 device vs reference INT8: bit-identical when every node runs in i8, else
   oracle 4's or 6's bound widened to `FALLBACK_STEPS` output steps;
6. FP16 (-convert-to-fp16) and mixed FP16/INT8 device vs reference: FP16 outputs
   within `FP16_ULPS` float16 ulps of the output's magnitude, quantized outputs
   within `FALLBACK_STEPS` steps;
7. every refusal met on the way is one line and happens at compile time; a crash,
   a traceback or a failure at run time is a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from aicc.base.accuracy import (
    fp32_problem,
    magnitude,
    mismatch,
    within_mixed_bound,
)
from aicc.dialects.context import make_context
from aicc.dialects.ir_io import module_text, parse_module
from aicc.frontend.onnx_export import export_module
from aicc.fuzz.trial import Crashed, Flavour, Refused, Trial
from aicc.sim.reference.interpreter import run_module

Status = Literal["passed", "refused", "finding", "skipped"]
ORT_RTOL = 1e-4
ORT_ATOL = 1e-5
ORT_EXPM1_ATOL = 2.0**-22
"""Absolute error onnxruntime adds to Elu and Selu: it computes exp(x) - 1 in float32,
which near x = 0 loses up to 2^-24 (float32's step below 1), times alpha * gamma
(1.76 for Selu); the reference uses expm1. An x of -1.87e-4 gave -3.29253e-4 against
the exact -3.29148e-4."""
_EXPM1_KINDS = frozenset({"Elu", "Selu"})
RUN_TIME = ("run ", "reference ")
"""Stages that run a compiled model: a refusal there is a run-time failure."""


@dataclass(frozen=True)
class Outcome:
    status: Status
    detail: str = ""

    @staticmethod
    def passed() -> Outcome:
        return Outcome("passed")

    @staticmethod
    def finding(message: str) -> Outcome:
        return Outcome("finding", message)

    @staticmethod
    def refused(reason: str) -> Outcome:
        return Outcome("refused", reason)


@dataclass(frozen=True)
class Oracle:
    number: int
    name: str
    check: Callable[[Trial], Outcome]
    needs_onnxruntime: bool = False


def reason_of(message: str) -> str:
    """A refusal message with its file, names and numbers blanked: the refusal's class."""
    text = re.sub(r"\S*(?:\.onnx|\.yaml|\.txt|\.npy)(?::\d+)?: ", "", message)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b", "N", text)
    text = re.sub(r"\(op_type:(\w+), node name: [^)]*\)", r"(\1)", text)
    return text[:100]


def judge(trial: Trial, check: Callable[[Trial], Outcome]) -> Outcome:
    """`check(trial)`, with refusals and crashes of the steps it needed turned into outcomes."""
    try:
        return check(trial)
    except Crashed as e:
        return Outcome.finding(str(e))
    except Refused as e:
        if e.stage.startswith(RUN_TIME):
            return Outcome.finding(f"run-time failure: {e}")
        return Outcome.refused(f"{e.stage.split()[0]}: {reason_of(e.message)}")


def compare_float(
    got: list[np.ndarray],
    want: list[np.ndarray],
    rtol: float,
    atol: float,
    what: str,
    scales: list[float],
    atol_floor: float = 0.0,
) -> Outcome:
    """`got` against `want` output by output, `atol` scaled to each output's scale (and
    never below `atol_floor`)."""
    for index, (g, w) in enumerate(zip(got, want, strict=True)):
        scaled = atol * (max(magnitude(w), scales[index]) or 1.0)
        problem = mismatch(g, w, rtol, max(scaled, atol_floor))
        if problem is not None:
            return Outcome.finding(f"{what}, output {index}: {problem}")
    return Outcome.passed()


# -- 1 and 3: onnxruntime -------------------------------------------------------------


def onnxruntime_outputs(model_bytes: bytes, inputs: list[np.ndarray], names: list[str]) -> list:
    import onnxruntime as ort  # a test extra: oracles 1 and 3 are skipped without it

    # A run-time failure is logged through the default logger, not the session's.
    ort.set_default_logger_severity(4)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    return list(session.run(None, dict(zip(names, inputs, strict=True))))


def onnxruntime_floor(trial: Trial) -> float:
    kinds = {node.op_type for node in trial.case.model.graph.node}
    return ORT_EXPM1_ATOL if kinds & _EXPM1_KINDS else 0.0


def input_names(trial: Trial) -> list[str]:
    return [i.name for i in trial.case.model.graph.input]


def original_in_onnxruntime(trial: Trial, inputs: list[np.ndarray]) -> list[np.ndarray]:
    try:
        return onnxruntime_outputs(trial.case.model.SerializeToString(), inputs, input_names(trial))
    except Exception as e:  # onnxruntime's own failures: not aicc's to check
        raise Refused("onnxruntime", str(e).splitlines()[0] if str(e) else type(e).__name__) from e


def check_reference_vs_onnxruntime(trial: Trial) -> Outcome:
    module = trial.imported()
    for inputs in trial.test_inputs:
        expected = original_in_onnxruntime(trial, inputs)
        actual = trial.run_checked("reference fp32", lambda i=inputs: run_module(module, i))
        outcome = compare_float(
            actual,
            expected,
            ORT_RTOL,
            ORT_ATOL,
            "reference vs onnxruntime",
            trial.output_scales,
            onnxruntime_floor(trial),
        )
        if outcome.status != "passed":
            return outcome
    return Outcome.passed()


def check_export(trial: Trial) -> Outcome:
    module = trial.imported()
    exported = trial.step("export", lambda: export_module(module).SerializeToString())
    assert isinstance(exported, bytes)
    for inputs in trial.test_inputs:
        expected = original_in_onnxruntime(trial, inputs)
        try:
            actual = onnxruntime_outputs(exported, inputs, input_names(trial))
        except Exception as e:  # the exported model is aicc's output: onnxruntime must run it
            return Outcome.finding(f"onnxruntime rejects the exported model: {e}".splitlines()[0])
        outcome = compare_float(
            actual, expected, ORT_RTOL, ORT_ATOL, "exported vs original", trial.output_scales
        )
        if outcome.status != "passed":
            return outcome
    return Outcome.passed()


# -- 2: text round trips -------------------------------------------------------------


def round_trip_problem(module: ModuleOp) -> str | None:
    """Why `module` fails to verify or to print, parse and print to the same text."""
    problem = verify_problem(module)
    if problem is not None:
        return problem
    text = module_text(module, elide_over=None)
    try:
        parsed = parse_module(make_context(), text)
        parsed.verify()
    except Exception as e:  # a parse or verify failure of printed IR is the finding
        return f"printed IR does not parse: {str(e).strip().splitlines()[0]}"
    again = module_text(parsed, elide_over=None)
    if again != text:
        line = next(
            (a for a, b in zip(text.splitlines(), again.splitlines(), strict=False) if a != b), ""
        )
        return f"print -> parse -> print differs, first at: {line.strip()[:120]}"
    return None


LEVELS = {
    "import": "onnx",
    "annotate-precision": "annotated",
    "insert-precision-casts": "quantized",
    "lower-onnx-to-kernel": "kernel",
    "plan-memory": "planned",
    "lower-kernel-to-aic": "aic",
}
"""The pass after which each level of IR is complete, and the level's name."""


def verify_problem(module: ModuleOp) -> str | None:
    try:
        module.verify()
    except Exception as e:  # the verifier's exceptions: the finding is that it fails
        return f"does not verify: {str(e).strip().splitlines()[0] if str(e).strip() else e}"
    return None


class RoundTrips:
    """The `after_pass` hook of oracle 2: the verifier after every pass of every compile;
    the print -> parse -> print fixpoint once per level (parsing costs most of the time)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.levels: set[str] = set()

    def __call__(self, pass_name: str, module: ModuleOp) -> None:
        level = LEVELS.get(pass_name)
        if level is not None and level not in self.levels:
            self.levels.add(level)
            problem = round_trip_problem(module)
        else:
            problem = verify_problem(module)
        if problem is not None:
            self.problems.append(f"after {pass_name}: {problem}")


def check_round_trips(trial: Trial) -> Outcome:
    hook = trial.after_pass
    if not isinstance(hook, RoundTrips):
        raise ValueError("oracle 2 needs a trial created with a RoundTrips hook")
    # The mixed compile reaches every level; the others are verified where they run.
    flavours: list[Flavour] = ["mixed", "int8", "fp32"]
    for flavour in flavours:
        try:
            trial.executable(flavour)
        except Refused:
            continue  # the levels before the refusal were checked all the same
        if hook.levels >= set(LEVELS.values()):
            break
    if hook.problems:
        return Outcome.finding(hook.problems[0])
    missing = [level for level in LEVELS.values() if level not in hook.levels]
    if missing and trial.refusals:
        first = trial.refusals[0]
        return Outcome.refused(f"{first.stage.split()[0]}: {reason_of(first.message)}")
    if missing:
        return Outcome.refused(f"levels not reached: {', '.join(missing)}")
    return Outcome.passed()


# -- 4, 5, 6: the simulator against the reference -------------------------------------


def device_pairs(trial: Trial, flavour: Flavour) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(device, reference, the output's scale) over the trial's outputs and test inputs."""
    pairs = []
    for inputs in trial.test_inputs:
        device = trial.device(flavour, inputs)
        reference = trial.reference(flavour, inputs)
        pairs.extend(zip(device, reference, trial.output_scales, strict=True))
    return pairs


def check_fp32_device(trial: Trial) -> Outcome:
    for index, (got, want, scale) in enumerate(device_pairs(trial, "fp32")):
        problem = fp32_problem(got, want, scale)
        if problem is not None:
            return Outcome.finding(f"FP32 device vs reference, output {index}: {problem}")
    return Outcome.passed()


def quantized_steps(trial: Trial, flavour: Flavour) -> list[float | None]:
    """Each output's quantization step on the device (None: a float output)."""
    steps: list[float | None] = []
    for edge in trial.executable(flavour).output_edges:
        scale = None if edge.quant is None else edge.quant["scale"]
        steps.append(None if scale is None else float(np.max(scale)))
    return steps


def check_int8_device(trial: Trial) -> Outcome:
    exact = trial.precisions("int8") == {"i8"}
    steps = quantized_steps(trial, "int8")
    pairs = device_pairs(trial, "int8")
    for index, (got, want, scale) in enumerate(pairs):
        if exact and not np.array_equal(got, want):
            differing = int(np.sum(got != want))
            return Outcome.finding(
                f"INT8 device vs reference, output {index % len(steps)}: {differing} of "
                f"{got.size} elements differ in an all-i8 graph"
            )
        step = steps[index % len(steps)]
        problem = None if exact else within_mixed_bound(got, want, scale, step, False)
        if problem is not None:
            return Outcome.finding(
                f"INT8 (with float nodes), output {index % len(steps)}: {problem}"
            )
    return Outcome.passed()


def check_fp16_device(trial: Trial) -> Outcome:
    flavours: list[Flavour] = ["fp16", "mixed"] if trial.case.fp16_names else ["fp16"]
    first_refusal: Outcome | None = None
    for flavour in flavours:
        outcome = judge(trial, lambda t, f=flavour: _check_fp16_flavour(t, f))
        if outcome.status == "finding":
            return outcome
        if outcome.status == "refused" and first_refusal is None:
            first_refusal = Outcome.refused(f"{flavour} {outcome.detail}")
    return first_refusal or Outcome.passed()


def _check_fp16_flavour(trial: Trial, flavour: Flavour) -> Outcome:
    steps = quantized_steps(trial, flavour)
    for index, (got, want, scale) in enumerate(device_pairs(trial, flavour)):
        problem = within_mixed_bound(got, want, scale, steps[index % len(steps)], True)
        if problem is not None:
            return Outcome.finding(f"{flavour} device vs reference, output {index}: {problem}")
    return Outcome.passed()


# -- 7: refusals -------------------------------------------------------------------------


def check_refusals(trial: Trial) -> Outcome:
    for flavour in ("fp32", "fp16", "int8", "mixed"):
        try:
            trial.executable(flavour)
        except Refused:
            continue
    for refused in trial.refusals:
        if "\n" in refused.message.strip():
            return Outcome.finding(f"a refusal of {refused.stage} is not one line: {refused}")
        if refused.stage.startswith(RUN_TIME):
            return Outcome.finding(f"refused at run time: {refused}")
    if trial.refusals:
        first = trial.refusals[0]
        return Outcome.refused(f"{first.stage.split()[0]}: {reason_of(first.message)}")
    return Outcome.passed()


ORACLES: dict[int, Oracle] = {
    o.number: o
    for o in (
        Oracle(1, "reference FP32 vs onnxruntime", check_reference_vs_onnxruntime, True),
        Oracle(2, "print/parse fixpoint + verifier", check_round_trips),
        Oracle(3, "ONNX export vs original", check_export, True),
        Oracle(4, "FP32 device vs reference", check_fp32_device),
        Oracle(5, "INT8 device vs reference", check_int8_device),
        Oracle(6, "FP16 and mixed device vs reference", check_fp16_device),
        Oracle(7, "refusals: one line, compile time", check_refusals),
    )
}
