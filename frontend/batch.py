"""`-batchsize=N`: the model's batch dimension set to N before shape inference.

The batch dimension is dim 0 of every graph input. An input whose dim 0 is symbolic
or 1 takes N; one already of size N stays; any other fixed size is refused, naming
the input. The shapes the model stores for intermediate values and outputs were
inferred for its own batch, so they are dropped (outputs keep their rank and element
type) and inferred again. A Reshape whose constant shape fixes a batch of 1 (the
flatten before a classifier, as exporters write it) is given the batch, with a
remark naming it. After that every output must have N in dim 0: a graph that folds
its batch away otherwise is refused, naming the output, rather than compiled to a
different computation.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx import numpy_helper

from aicc.base.errors import UserError, remark


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
    forget_shapes(model)


def forget_shapes(model: onnx.ModelProto) -> None:
    """Drop the inferred shapes: intermediate values entirely, outputs' dimensions."""
    model.graph.ClearField("value_info")
    for info in model.graph.output:
        for dim in info.type.tensor_type.shape.dim:
            dim.ClearField("dim_value")
            dim.ClearField("dim_param")


def rebatch_reshapes(model: onnx.ModelProto, batch: int, path: Path) -> bool:
    """Give a Reshape that fixes a batch of 1 (a constant shape with dim 0 of 1, applied
    to a value whose dim 0 is the batch) the batch instead, with a remark naming it.

    Exporters write the flatten before a classifier as such a Reshape; left alone it
    would fold the batch into the features. True if any Reshape was changed.
    """
    if batch == 1:
        return False
    leading = {
        info.name: info.type.tensor_type.shape.dim[0].dim_value
        for info in [*model.graph.input, *model.graph.value_info]
        if info.type.tensor_type.shape.dim
    }
    constants = {tensor.name: tensor for tensor in model.graph.initializer}
    changed = False
    for node in model.graph.node:
        if node.op_type != "Reshape" or len(node.input) < 2 or node.input[1] not in constants:
            continue
        shape = numpy_helper.to_array(constants[node.input[1]])
        if leading.get(node.input[0]) != batch or shape.ndim != 1 or shape[:1].tolist() != [1]:
            continue
        batched = shape.copy()
        batched[0] = batch
        name = f"{node.input[1]}.batch{batch}"
        if name not in constants:
            constants[name] = numpy_helper.from_array(batched, name)
            model.graph.initializer.append(constants[name])
        node.input[1] = name
        remark(
            f"{path}: Reshape '{node.name}': shape {shape.tolist()} fixes a batch of 1; "
            f"at -batchsize={batch} it reshapes to {batched.tolist()}"
        )
        changed = True
    return changed


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
