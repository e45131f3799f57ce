"""`lower-onnx-to-kernel`: the `onnx` + `quant` graph on tensors becomes `kernel` ops
on buffers (`lower`), one op family per module (`activation`, `linear`, `tensor`)
on a shared builder (`builder`); `support` states which op kinds run in which
precisions, and which of them the device runs."""

from aicc.lowering.onnx_to_kernel.lower import LowerOnnxToKernelPass

__all__ = ["LowerOnnxToKernelPass"]
