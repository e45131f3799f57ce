"""`-batchsize=N`: the model's batch dimension set to N before shape inference.

The batch dimension is dim 0 of every graph input. An input whose dim 0 is symbolic
or 1 takes N; one already of size N stays; any other fixed size is refused, naming
the input. The shapes the model stores for intermediate values and outputs were
inferred for its own batch, so they are dropped (outputs keep their rank and element
type) and inferred again. After inference every output must have N in dim 0: a graph
that folds its batch away (a Reshape to a fixed leading 1, say) is refused, naming
the output, rather than compiled to a different computation.
"""

from __future__ import annotations

from pathlib import Path

import onnx

from aicc.base.errors import UserError


def set_batch_size(model: onnx.ModelProto, batch: int, path: Path) -> None:
    """Give dim 0 of every graph input the size `batch`; forget the inferred shapes."""
    if batch < 1:
        raise UserError(f"{path}: -batchsize={batch}: give a batch size of at least 1")
    initializers = {i.name for i in model.graph.initializer}
    for info in model.graph.input:
        if info.name in initializers:
            continue
        dims = info.type.tensor_type.shape.dim
        if not dims:
            raise UserError(
                f"{path}: input '{info.name}' has no batch dimension (it is a scalar); "
                f"-batchsize={batch} needs dim 0 of every input"
            )
        first = dims[0]
        if first.HasField("dim_value") and first.dim_value not in (1, batch):
            raise UserError(
                f"{path}: input '{info.name}' has a fixed batch dimension of "
                f"{first.dim_value}; -batchsize={batch} needs dim 0 symbolic or 1"
            )
        first.dim_value = batch
    model.graph.ClearField("value_info")
    for info in model.graph.output:
        for dim in info.type.tensor_type.shape.dim:
            dim.ClearField("dim_value")
            dim.ClearField("dim_param")


def check_batched_outputs(model: onnx.ModelProto, batch: int, path: Path) -> None:
    """Refuse an inferred model whose outputs do not all carry the batch in dim 0."""
    for info in model.graph.output:
        dims = info.type.tensor_type.shape.dim
        size = dims[0].dim_value if dims and dims[0].HasField("dim_value") else None
        if size != batch:
            found = "no batch dimension" if size is None else f"dim 0 of size {size}"
            raise UserError(
                f"{path}: output '{info.name}' has {found} at -batchsize={batch}; "
                "the graph does not keep the batch in dim 0 (a Reshape to a fixed shape?)"
            )
