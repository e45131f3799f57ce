"""Every aicc pass and lowering by name, each module imported on first use (as xDSL's
`get_all_passes`), so a tool pays only for the passes it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from xdsl.passes import ModulePass


def _constant_fold_reference() -> type[ModulePass]:
    from aicc.passes.constant_fold_reference import ConstantFoldReferencePass

    return ConstantFoldReferencePass


@cache
def _annotate_precision() -> type[ModulePass]:
    """annotate-precision whose fp16-kinds and int8-kinds default to the op-support
    declaration, for `aicc-opt` as for the compile driver."""
    from aicc.lowering.onnx_to_kernel.support import kinds_in
    from aicc.passes.annotate_precision import AnnotatePrecision

    @dataclass(frozen=True)
    class DeclaredAnnotatePrecision(AnnotatePrecision):
        """Attach `aicc.precision` and `aicc.precision_reason` to every onnx op but
        Constant, knowing which op kinds the compiler runs in f16 and in i8."""

        fp16_kinds: tuple[str, ...] = field(default=kinds_in("f16"), kw_only=True)
        int8_kinds: tuple[str, ...] = field(default=kinds_in("i8"), kw_only=True)

    return DeclaredAnnotatePrecision


def _fuse_conv_bn() -> type[ModulePass]:
    from aicc.passes.fuse_conv_bn import FuseConvBnPass

    return FuseConvBnPass


def _correct_bias() -> type[ModulePass]:
    from aicc.passes.correct_bias import CorrectBiasPass

    return CorrectBiasPass


def _quantize() -> type[ModulePass]:
    from aicc.passes.quantize import QuantizePass

    return QuantizePass


def _insert_precision_casts() -> type[ModulePass]:
    from aicc.passes.insert_precision_casts import InsertPrecisionCastsPass

    return InsertPrecisionCastsPass


def _plan_memory() -> type[ModulePass]:
    from aicc.passes.plan_memory import PlanMemoryPass

    return PlanMemoryPass


def _lower_onnx_to_kernel() -> type[ModulePass]:
    from aicc.lowering.onnx_to_kernel import LowerOnnxToKernelPass

    return LowerOnnxToKernelPass


def _lower_kernel_to_aic() -> type[ModulePass]:
    from aicc.lowering.kernel_to_aic import LowerKernelToAicPass

    return LowerKernelToAicPass


def _view_op_graph() -> type[ModulePass]:
    from aicc.passes.view_op_graph import ViewOpGraphPass

    return ViewOpGraphPass


AICC_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "constant-fold-reference": _constant_fold_reference,
    "annotate-precision": _annotate_precision,
    "fuse-conv-bn": _fuse_conv_bn,
    "correct-bias": _correct_bias,
    "quantize": _quantize,
    "insert-precision-casts": _insert_precision_casts,
    "plan-memory": _plan_memory,
    "lower-onnx-to-kernel": _lower_onnx_to_kernel,
    "lower-kernel-to-aic": _lower_kernel_to_aic,
    "view-op-graph": _view_op_graph,
}
"""Pass name -> a function that imports and returns the pass class."""
