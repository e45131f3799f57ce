"""The `onnx` dialect: one op per ONNX operator type, at the latest opset's semantics.

The op classes are generated from the ONNX schemas (`onnx_ops.py`), share their
printed form and naming through `OnnxOp` (`onnx_base.py`), and get their shape
and attribute checks from `onnx_verifiers.py`, their folders and canonicalization
patterns from `onnx_canonicalize.py`.
"""

from xdsl.ir import Dialect

from aicc.dialects import onnx_verifiers as _verifiers  # noqa: F401  (registers verifiers)
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_canonicalize import OnnxConstantMaterialization
from aicc.dialects.onnx_ops import ONNX_OPS

OPS_BY_TYPE: dict[str, type[OnnxOp]] = {op.ONNX_TYPE: op for op in ONNX_OPS}

Onnx = Dialect("onnx", list(ONNX_OPS), [], [OnnxConstantMaterialization()])
