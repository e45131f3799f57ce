"""aicc: an MLIR-style multi-level compiler for ONNX models on a simulated AI accelerator."""

__version__ = "0.1.0"
