"""aicc's own passes, one `ModulePass` per module.

`AICC_PASSES` maps each pass name to its class, for `aicc-opt` and the API.
"""

from collections.abc import Callable

from xdsl.passes import ModulePass

from aicc.lowering.kernel_to_aic import LowerKernelToAicPass
from aicc.lowering.onnx_to_kernel import LowerOnnxToKernelPass
from aicc.passes.annotate_precision import AnnotatePrecision
from aicc.passes.fuse_conv_bn import FuseConvBnPass
from aicc.passes.insert_precision_casts import InsertPrecisionCastsPass
from aicc.passes.plan_memory import PlanMemoryPass
from aicc.passes.quantize import QuantizePass

AICC_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    AnnotatePrecision.name: lambda: AnnotatePrecision,
    FuseConvBnPass.name: lambda: FuseConvBnPass,
    InsertPrecisionCastsPass.name: lambda: InsertPrecisionCastsPass,
    QuantizePass.name: lambda: QuantizePass,
    LowerOnnxToKernelPass.name: lambda: LowerOnnxToKernelPass,
    PlanMemoryPass.name: lambda: PlanMemoryPass,
    LowerKernelToAicPass.name: lambda: LowerKernelToAicPass,
}
