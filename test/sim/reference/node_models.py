"""One-node ONNX models for kernel tests: build, import, run on aicc and onnxruntime."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

from aicc.frontend.onnx_import import import_model
from aicc.sim.reference.interpreter import run_module

OPSET = 22


def node_model(
    op_type: str,
    inputs: Mapping[str, np.ndarray],
    weights: Mapping[str, np.ndarray],
    n_outputs: int = 1,
    **attributes: Any,
) -> onnx.ModelProto:
    """A model of one node: `inputs` are graph inputs, `weights` initializers.

    Input order is that of `inputs` then `weights`; an empty-string key in
    `weights` marks an absent optional input.
    """
    names = [*inputs, *weights]
    outputs = [f"y{i}" for i in range(n_outputs)]
    node = helper.make_node(op_type, names, outputs, name="node", **attributes)
    graph = helper.make_graph(
        [node],
        "g",
        [
            helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
            for k, v in inputs.items()
        ],
        [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None) for o in outputs],
        [numpy_helper.from_array(v, k) for k, v in weights.items() if k],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 10
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def run_both(
    model: onnx.ModelProto,
    inputs: Mapping[str, np.ndarray],
    fp16: Collection[str] = (),
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Outputs of aicc's reference interpreter and of onnxruntime (one thread)."""
    ours = run_module(import_model(model), list(inputs.values()), fp16=fp16)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    theirs: Sequence[np.ndarray] = session.run(None, dict(inputs))  # pyright: ignore[reportAssignmentType]
    return ours, list(theirs)


def random(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
