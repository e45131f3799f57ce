"""aicc's public Python API: compile ONNX models in mixed FP32/FP16/INT8.

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
    write_bundle(compiled, Path("model-bundle"))

`QuantizationConfig` mirrors `QAicGraphConfig.quantizationConfig`
(`nodePrecisionInfo`, ...). The command-line tool `aicc-compile` is a thin layer
over these functions.
"""

from aicc.bundle import read_bundle, write_bundle
from aicc.compiler import (
    CompileConfig,
    CompiledModel,
    ProfileResult,
    QuantizationConfig,
    dump_profile,
    merge_profile_files,
)
from aicc.compiler import compile_model as compile  # noqa: A001 (qaic's verb)

__all__ = [
    "CompileConfig",
    "CompiledModel",
    "ProfileResult",
    "QuantizationConfig",
    "compile",
    "dump_profile",
    "merge_profile_files",
    "read_bundle",
    "write_bundle",
]
