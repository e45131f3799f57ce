"""aicc's public Python API: compile ONNX models in mixed FP32/FP16/INT8 and run them
on the simulated device.

    from aicc.api import CompileConfig, QuantizationConfig, dump_profile, compile

    config = CompileConfig(
        Path("model.onnx"),
        QuantizationConfig(node_precision_info=Path("node_precision.yaml")),
        input_list=Path("list.txt"),
    )
    dump_profile(config, Path("pgq.yaml"))
    quantized = replace(config.quantization, profile=Path("pgq.yaml"))
    compiled = compile(replace(config, quantization=quantized))
    compiled.accuracy            # cosine / SQNR per output against FP32
    write_bundle(compiled, Path("model-bundle"))   # lowers to the device first

    executable = read_bundle(Path("model-bundle")).executable()
    outputs, report = executable.run([x])   # float in, float out; quantized at the edges
    print(report.format())

`lower_to_device(compiled.module, target)` gives the `aic` program in memory (a
module) and `load_program(program, target)` loads it into the simulator, whose
`run` takes and returns the device's own dtypes.

`CompileConfig(..., batch_size=N)` is `-batchsize=N`: the model compiled for batch N
(dim 0 of every input), its input list read as N lines of one sample per inference,
and `executable.run` taking and returning whole batches; the report's
`inferences_per_second` counts N per run.

`tune(config, AccuracyTarget(sqnr_db=40.0))` searches the FP16 node sets for the
cheapest that meets the target (a `Frontier`; see aicc.tune).

`QuantizationConfig` mirrors `QAicGraphConfig.quantizationConfig`
(`nodePrecisionInfo`, ...). The command-line tool `aicc-compile` is a thin layer
over these functions.
"""

from aicc.base.target import Target, load_target
from aicc.pipeline.bundle import write_bundle
from aicc.pipeline.compiler import (
    CompileConfig,
    CompiledModel,
    ProfileResult,
    QuantizationConfig,
    dump_profile,
    merge_profile_files,
)
from aicc.pipeline.compiler import compile_model as compile  # noqa: A001 (qaic's verb)
from aicc.pipeline.device import lower_to_device
from aicc.runtime.bundle import Bundle, DeviceExecutable, read_bundle
from aicc.sim.device import CostReport, DeviceFault, DeviceProgram, load_program
from aicc.tune import AccuracyTarget, Frontier, Point, tune

__all__ = [
    "AccuracyTarget",
    "Bundle",
    "CompileConfig",
    "CompiledModel",
    "CostReport",
    "DeviceExecutable",
    "DeviceFault",
    "DeviceProgram",
    "Frontier",
    "Point",
    "ProfileResult",
    "QuantizationConfig",
    "Target",
    "compile",
    "dump_profile",
    "load_program",
    "load_target",
    "lower_to_device",
    "merge_profile_files",
    "tune",
    "read_bundle",
    "write_bundle",
]
