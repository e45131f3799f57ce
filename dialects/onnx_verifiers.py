"""Semantic verifiers of the `onnx` dialect ops: ranks, shapes, attribute consistency.

Each verifier is registered by op name in `onnx_base.VERIFIERS` and raises
`VerifyException`; the base class prefixes the op kind and first output name.
"""
