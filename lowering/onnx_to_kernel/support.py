"""Which precisions each onnx op kind runs in, and whether the device runs it.

This is the one statement of op support: `annotate-precision` (which kinds may
run in f16 and i8), `-operators-supported` and the compile-time refusals of
`lower-onnx-to-kernel` all read it. A device-lowered op declares its precisions
where its lowering registers (`@lowers(..., precisions=...)` in `activation`,
`linear` and `tensor`); the `interpreted` ops below are accepted by the compiler
and run by the reference interpreter, but the device does not lower them; the
`folded` ones the device pipeline turns into constants before the lowering.

The reference interpreter has a kernel for every claim (FP32 and FP16 in
`KERNELS`, INT8 in `QUANTIZED_KERNELS`), which its tests check; a kernel alone
claims nothing.
"""

from __future__ import annotations

# The op lowerings declare their support when imported.
import aicc.lowering.onnx_to_kernel.activation  # noqa: F401
import aicc.lowering.onnx_to_kernel.conv_transpose  # noqa: F401
import aicc.lowering.onnx_to_kernel.linear  # noqa: F401
import aicc.lowering.onnx_to_kernel.reduce  # noqa: F401
import aicc.lowering.onnx_to_kernel.regions  # noqa: F401
import aicc.lowering.onnx_to_kernel.tensor  # noqa: F401
from aicc.base.precision import Precision
from aicc.dialects.onnx import OPS_BY_TYPE
from aicc.lowering.onnx_to_kernel.registry import (
    ANY,
    FLOAT,
    SUPPORT,
    OpSupport,
    folded,
    interpreted,
)

interpreted("onnx.Cast", precisions=FLOAT)
folded("onnx.Shape", "onnx.ConstantOfShape", precisions=FLOAT)
interpreted("onnx.Gather", precisions=ANY)


def op_support(kind: str) -> OpSupport | None:
    """What is claimed for op kind `kind` (e.g. `Conv`); None if nothing."""
    op = OPS_BY_TYPE.get(kind)
    return None if op is None else SUPPORT.get(op.name)


def claimed_precisions(kind: str) -> frozenset[Precision]:
    """The precisions op kind `kind` runs in; empty if it runs in none."""
    support = op_support(kind)
    return frozenset() if support is None else support.precisions


def device_precisions(kind: str) -> frozenset[Precision]:
    """The precisions the device runs op kind `kind` in; empty if it cannot."""
    support = op_support(kind)
    return support.precisions if support is not None and support.device else frozenset()


def kinds_in(precision: Precision) -> tuple[str, ...]:
    """The op kinds that run in `precision`, sorted."""
    return tuple(sorted(k for k in OPS_BY_TYPE if precision in claimed_precisions(k)))
