"""One fuzz case on its way through aicc: its files, compiles, programs and runs.

Every step runs in process and happens at most once per case, whichever oracles
ask for it. A step's failure is kept and re-raised to each oracle that needs it:
a `UserError` is a refusal, anything else a crash.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import onnx
from xdsl.dialects.builtin import ModuleOp

from aicc.base.errors import UserError
from aicc.dialects.onnx_precision import precision_report
from aicc.frontend.onnx_load import load_module
from aicc.fuzz.generator import FuzzCase
from aicc.pipeline.bundle import manifest
from aicc.pipeline.compiler import (
    AfterPass,
    CompileConfig,
    CompiledModel,
    QuantizationConfig,
    dump_profile,
)
from aicc.pipeline.compiler import compile_model as compile_config
from aicc.runtime.bundle import DeviceExecutable, Edge
from aicc.sim.device import load_program
from aicc.sim.reference.interpreter import run_module

Flavour = Literal["fp32", "fp16", "int8", "mixed"]
"""The compiles of a case: FP32; all FP16 (-convert-to-fp16); INT8 from a profile with
no FP16 nodes; INT8 with the case's FP16NodeInstanceNames."""
CALIBRATION_INPUTS = 4
TEST_INPUTS = 2


class Refused(Exception):
    """A step was refused with a `UserError`; `message` is its text."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")
        self.stage = stage
        self.message = message


class Crashed(Exception):
    """A step raised something other than a `UserError` (a bug in aicc)."""

    def __init__(self, stage: str, error: BaseException) -> None:
        frames = traceback.extract_tb(error.__traceback__)
        where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
        super().__init__(f"{stage}: {type(error).__name__}: {first_line(error)}{where}")
        self.stage = stage


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else ""


@dataclass
class Step:
    """What one step gave, or how it failed."""

    value: object = None
    failure: Refused | Crashed | None = None


@dataclass
class Trial:
    """A case with its working directory; `after_pass` sees every compile's passes."""

    case: FuzzCase
    directory: Path
    after_pass: AfterPass | None = None
    steps: dict[str, Step] = field(default_factory=dict[str, Step])
    refusals: list[Refused] = field(default_factory=list[Refused])
    """Every refusal met, with its stage: oracle 7 checks each is one line at compile time."""

    @staticmethod
    def create(case: FuzzCase, after_pass: AfterPass | None = None) -> Trial:
        directory = Path(tempfile.mkdtemp(prefix="aicc-fuzz-"))
        return Trial(case, directory, after_pass)

    def step(self, stage: str, run: Callable[[], object]) -> object:
        """`run()`'s value, computed once; its failure, kept and raised each time."""
        done = self.steps.get(stage)
        if done is None:
            done = Step()
            try:
                done.value = run()
            except (Refused, Crashed) as e:  # a step it needed failed
                done.failure = e
            except UserError as e:
                done.failure = Refused(stage, str(e))
                self.refusals.append(done.failure)
            except Exception as e:  # a crash is a finding, whatever it is
                done.failure = Crashed(stage, e)
            self.steps[stage] = done
        if done.failure is not None:
            raise done.failure
        return done.value

    # -- files -----------------------------------------------------------------------

    @cached_property
    def model_path(self) -> Path:
        path = self.directory / "model.onnx"
        onnx.save(self.case.model, path)
        return path

    def arrays(self, salt: int, count: int) -> list[list[np.ndarray]]:
        """`count` seeded input sets, at the case's input scale."""
        rng = np.random.default_rng([self.case.seed, salt])
        shapes = [
            tuple(d.dim_value for d in i.type.tensor_type.shape.dim)
            for i in self.case.model.graph.input
        ]
        return [
            [(rng.standard_normal(s) * self.case.input_scale).astype(np.float32) for s in shapes]
            for _ in range(count)
        ]

    @cached_property
    def test_inputs(self) -> list[list[np.ndarray]]:
        return self.arrays(1, TEST_INPUTS)

    @cached_property
    def input_list(self) -> Path:
        lines = []
        for index, arrays in enumerate(self.arrays(2, CALIBRATION_INPUTS)):
            names = []
            for slot, array in enumerate(arrays):
                path = self.directory / f"calib{index}_{slot}.npy"
                np.save(path, array)
                names.append(str(path))
            lines.append(" ".join(names))
        path = self.directory / "list.txt"
        path.write_text("\n".join(lines) + "\n")
        return path

    def node_precision_info(self, fp16: tuple[str, ...]) -> Path:
        path = self.directory / f"np{len(fp16)}.yaml"
        path.write_text(f"FP16NodeInstanceNames: [{', '.join(fp16)}]\n")
        return path

    # -- steps -----------------------------------------------------------------------

    def imported(self) -> ModuleOp:
        """The model as imported (FP32, canonical), with no pass run."""
        module = self.step("import", lambda: load_module(self.model_path))
        assert isinstance(module, ModuleOp)
        return module

    @cached_property
    def output_scales(self) -> list[float]:
        """Per graph output, the largest finite magnitude of any tensor its computation
        passes through, over the test inputs: float rounding errors scale with it, not with
        the output (a sum of terms near 0.3 that cancels to 1e-4 is off by 0.3-sized ulps)."""
        module = self.imported()
        largest: dict[str, float] = {}

        def observe(name: str, array: np.ndarray) -> None:
            finite = np.abs(array[np.isfinite(array)]) if array.dtype.kind == "f" else array
            peak = float(np.max(finite, initial=0.0))
            largest[name] = max(largest.get(name, 0.0), peak)

        for inputs in self.test_inputs:
            self.run_checked(
                "reference fp32", lambda i=inputs: run_module(module, i, observer=observe)
            )
        graph = self.case.model.graph
        producers = {o: node for node in graph.node for o in node.output}
        scales = []
        for output in graph.output:
            seen, todo = set(), [output.name]
            while todo:
                name = todo.pop()
                if name in seen:
                    continue
                seen.add(name)
                if name in producers:
                    todo.extend(i for i in producers[name].input if i)
            scales.append(max((largest.get(n, 0.0) for n in seen), default=0.0))
        return scales

    def config(self, flavour: Flavour) -> CompileConfig:
        keep = self.case.keep_kinds
        if flavour == "fp32":
            return CompileConfig(self.model_path)
        if flavour == "fp16":
            quantization = QuantizationConfig(keep_original_precision_for_nodes=keep)
            return CompileConfig(self.model_path, quantization, convert_to_fp16=True)
        fp16 = self.case.fp16_names if flavour == "mixed" else ()
        quantization = QuantizationConfig(
            self.node_precision_info(fp16), keep_original_precision_for_nodes=keep
        )
        config = CompileConfig(self.model_path, quantization, input_list=self.input_list)
        profile = self.directory / f"{flavour}.yaml"
        self.step(f"profile {flavour}", lambda: dump_profile(config, profile))
        return replace(
            config,
            quantization=replace(config.quantization, profile=profile),
            input_list=None,
        )

    def compiled(self, flavour: Flavour) -> CompiledModel:
        compiled = self.step(
            f"compile {flavour}", lambda: compile_config(self.config(flavour), self.after_pass)
        )
        assert isinstance(compiled, CompiledModel)
        return compiled

    def executable(self, flavour: Flavour) -> DeviceExecutable:
        """The compile's `aic` program loaded into the simulator, with the bundle's edges."""
        compiled = self.compiled(flavour)

        def load() -> DeviceExecutable:
            data = manifest(compiled)  # lowers to the device
            program = load_program(compiled.program, compiled.target)
            ins = [Edge.from_manifest(entry) for entry in data["inputs"]]
            outs = [Edge.from_manifest(entry) for entry in data["outputs"]]
            return DeviceExecutable(program, compiled.target, ins, outs)

        executable = self.step(f"lower {flavour}", load)
        assert isinstance(executable, DeviceExecutable)
        return executable

    def precisions(self, flavour: Flavour) -> set[str]:
        return {entry["precision"] for entry in precision_report(self.compiled(flavour).module)}

    def reference(self, flavour: Flavour, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """The compiled module on the reference interpreter (its own precisions)."""
        module = self.compiled(flavour).module
        return list(self.run_checked(f"reference {flavour}", lambda: run_module(module, inputs)))

    def device(self, flavour: Flavour, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """The program on the simulator: a failure here is a run-time failure."""
        executable = self.executable(flavour)
        return list(self.run_checked(f"run {flavour}", lambda: executable.run(inputs)[0]))

    def run_checked(self, stage: str, run: Callable[[], list[np.ndarray]]) -> list[np.ndarray]:
        """Like `step`, uncached (each input set runs once anyway)."""
        try:
            return run()
        except UserError as e:
            refused = Refused(stage, str(e))
            self.refusals.append(refused)
            raise refused from None
        except Exception as e:  # a crash is a finding, whatever it is
            raise Crashed(stage, e) from None
