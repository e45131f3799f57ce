"""Import an ONNX model into the `onnx` dialect.

The graph becomes `func.func @main`: graph inputs without an initializer are its
arguments, initializers and Constant nodes become `onnx.Constant` ops whose data
goes to blobs (never to Python lists), and every node becomes the op of its type
at the latest opset's semantics (`opset_upgrade` rewrites older forms first).
Every value gets a static ranked tensor type from ONNX shape inference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import onnx
from onnx import AttributeProto, numpy_helper
from xdsl.dialects.builtin import (
    ArrayAttr,
    BFloat16Type,
    DenseArrayBase,
    DictionaryAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    f32,
    i64,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Block, Region, SSAValue

from aicc.base.errors import UserError
from aicc.dialects.elements import element_type, make_elements
from aicc.dialects.ir_io import first_invalid_op
from aicc.dialects.onnx import OPS_BY_TYPE
from aicc.dialects.onnx_ops import ConstantOp


def onnx_element_type(elem_type: int, where: str) -> Attribute:
    if elem_type == onnx.TensorProto.BFLOAT16:
        return BFloat16Type()
    try:
        return element_type(np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type)))
    except (KeyError, ValueError, TypeError):
        name = onnx.TensorProto.DataType.Name(elem_type)
        raise UserError(f"{where}: element type {name} is not supported") from None


def tensor_value(tensor: onnx.TensorProto, base_dir: str | None = None) -> np.ndarray:
    """The numpy value of a tensor; bfloat16 is kept as its uint16 bit patterns."""
    if tensor.data_type == onnx.TensorProto.BFLOAT16 and not tensor.raw_data:
        return np.asarray(tensor.int32_data, dtype=np.uint16).reshape(tuple(tensor.dims))
    array = numpy_helper.to_array(tensor, base_dir or "")
    if tensor.data_type == onnx.TensorProto.BFLOAT16:
        return array.view(np.uint16)
    return array


class _GraphImporter:
    def __init__(self, graph: onnx.GraphProto, value_types: Mapping[str, Attribute]) -> None:
        self.graph = graph
        self.value_types = value_types
        self.values: dict[str, SSAValue] = {}
        # Attributes repeat (pads, strides, epsilon, ...): build each distinct one once.
        self.attribute_cache: dict[bytes, Attribute] = {}

    def type_of(self, name: str, node: onnx.NodeProto | None) -> Attribute:
        t = self.value_types.get(name)
        if t is None:
            where = f"node '{node.name or node.op_type}' ({node.op_type})" if node else "graph"
            raise UserError(
                f"tensor '{name}' of {where} has no static shape after shape inference; "
                "fix symbolic dimensions with -onnx-define-symbol=NAME,VALUE"
            )
        return t

    def build(self) -> ModuleOp:
        initializers = {init.name for init in self.graph.initializer}
        inputs = [i for i in self.graph.input if i.name not in initializers]
        arg_types = [self.type_of(i.name, None) for i in inputs]
        block = Block(arg_types=arg_types)
        for arg, info in zip(block.args, inputs, strict=True):
            arg.name_hint = _hint(info.name)
            self.values[info.name] = arg
        for init in self.graph.initializer:
            self.add_constant(block, init.name, tensor_value(init), "")
        for node in self.graph.node:
            self.add_node(block, node)
        outputs = [self.values[o.name] for o in self.graph.output]
        block.add_op(ReturnOp(*outputs))
        func = FuncOp(
            "main",
            (arg_types, [v.type for v in outputs]),
            Region(block),
            arg_attrs=ArrayAttr([_dict_attr({"onnx.name": StringAttr(i.name)}) for i in inputs]),
            res_attrs=ArrayAttr(
                [_dict_attr({"onnx.name": StringAttr(o.name)}) for o in self.graph.output]
            ),
        )
        return ModuleOp([func])

    def add_constant(self, block: Block, name: str, array: np.ndarray, node_name: str) -> None:
        t = self.value_types.get(name) or TensorType(element_type(array.dtype), array.shape)
        op = ConstantOp.build(
            result_types=[t],
            properties={"value": make_elements(array, name)},
        )
        op.set_names(node_name, [name])
        block.add_op(op)
        op.results[0].name_hint = _hint(name)
        self.values[name] = op.results[0]

    def add_node(self, block: Block, node: onnx.NodeProto) -> None:
        op_class = OPS_BY_TYPE.get(node.op_type)
        where = f"node '{node.name or node.output[0]}'"
        if op_class is None or node.domain not in ("", "ai.onnx"):
            raise UserError(
                f"{where}: operator {node.domain or 'ai.onnx'}.{node.op_type} is not supported"
            )
        if node.op_type == "Constant":
            self.add_constant(block, node.output[0], constant_node_value(node), node.name)
            return
        operands: list[SSAValue | None] = []
        for name in node.input:
            if not name:
                operands.append(None)
                continue
            if name not in self.values:
                raise UserError(f"{where}: input '{name}' is not defined before use")
            operands.append(self.values[name])
        result_types: list[Attribute] = [self.type_of(o, node) for o in node.output if o]
        properties = self.node_properties(node, op_class)
        op = op_class.build(
            operands=op_class._group_operands(operands),
            result_types=op_class._group_results(result_types),
            properties=properties,
        )
        op.set_names(node.name, [o for o in node.output if o])
        block.add_op(op)
        for result, name in zip(op.results, [o for o in node.output if o], strict=True):
            result.name_hint = _hint(name)
            self.values[name] = result

    def node_properties(self, node: onnx.NodeProto, op_class: type) -> dict[str, Attribute]:
        known = op_class.get_irdl_definition().properties
        properties: dict[str, Attribute] = {}
        for attr in node.attribute:
            if attr.name not in known:
                raise UserError(
                    f"node '{node.name or node.output[0]}': attribute '{attr.name}' is not "
                    f"part of {node.op_type} at the latest opset"
                )
            properties[attr.name] = self.attribute(attr, node)
        return properties

    def attribute(self, attr: onnx.AttributeProto, node: onnx.NodeProto) -> Attribute:
        if attr.type == AttributeProto.TENSOR:
            return convert_attribute(attr, f"{node.output[0]}.{attr.name}")
        key = attr.SerializeToString()
        cached = self.attribute_cache.get(key)
        if cached is None:
            cached = self.attribute_cache[key] = convert_attribute(attr, attr.name)
        return cached


def convert_attribute(attr: onnx.AttributeProto, key: str) -> Attribute:
    match attr.type:
        case AttributeProto.INT:
            return IntegerAttr(attr.i, 64)
        case AttributeProto.FLOAT:
            return FloatAttr(attr.f, Float32Type())
        case AttributeProto.STRING:
            return StringAttr(attr.s.decode())
        case AttributeProto.INTS:
            return DenseArrayBase.from_list(i64, list(attr.ints))
        case AttributeProto.FLOATS:
            return DenseArrayBase.from_list(f32, list(attr.floats))
        case AttributeProto.STRINGS:
            return ArrayAttr([StringAttr(s.decode()) for s in attr.strings])
        case AttributeProto.TENSOR:
            return make_elements(tensor_value(attr.t), key)
    kind = AttributeProto.AttributeType.Name(attr.type)
    raise UserError(f"attribute '{attr.name}' of kind {kind} is not supported")


def constant_node_value(node: onnx.NodeProto) -> np.ndarray:
    """The value of a Constant node, whichever of its value attributes it uses."""
    for attr in node.attribute:
        match attr.name:
            case "value":
                return tensor_value(attr.t)
            case "value_float":
                return np.array(attr.f, dtype=np.float32)
            case "value_floats":
                return np.array(list(attr.floats), dtype=np.float32)
            case "value_int":
                return np.array(attr.i, dtype=np.int64)
            case "value_ints":
                return np.array(list(attr.ints), dtype=np.int64)
            case "sparse_value":
                return _densify(attr.sparse_tensor)
    raise UserError(
        f"node '{node.name or node.output[0]}': Constant of strings or without a value "
        "is not supported"
    )


def _densify(sparse: onnx.SparseTensorProto) -> np.ndarray:
    values = tensor_value(sparse.values)
    indices = numpy_helper.to_array(sparse.indices)
    dense = np.zeros(tuple(sparse.dims), dtype=values.dtype)
    if indices.ndim == 1:
        dense.reshape(-1)[indices] = values
    else:
        dense[tuple(indices.T)] = values
    return dense


def _dict_attr(entries: dict[str, Attribute]) -> DictionaryAttr:
    return DictionaryAttr(entries)


def _hint(name: str) -> str | None:
    hint = "".join(c if c.isalnum() or c in "_$." else "_" for c in name)
    if not hint or hint[0].isdigit() or hint.startswith("$"):
        return None
    return hint


def value_types(model: onnx.ModelProto) -> dict[str, Attribute]:
    """Static ranked tensor types of every typed value of the main graph."""
    graph = model.graph
    types: dict[str, Attribute] = {}
    # Shapes repeat along a network: build each distinct tensor type once.
    cache: dict[tuple[int, tuple[int, ...]], Attribute] = {}

    def tensor_type(elem_type: int, dims: tuple[int, ...], name: str) -> Attribute:
        key = (elem_type, dims)
        if key not in cache:
            cache[key] = TensorType(onnx_element_type(elem_type, name), dims)
        return cache[key]

    infos: Sequence[onnx.ValueInfoProto] = [
        *graph.input,
        *graph.value_info,
        *graph.output,
    ]
    for info in infos:
        tensor = info.type.tensor_type
        if not info.type.HasField("tensor_type") or not tensor.HasField("shape"):
            continue
        dims = tuple(d.dim_value if d.HasField("dim_value") else -1 for d in tensor.shape.dim)
        if any(d < 0 for d in dims):
            continue
        types[info.name] = tensor_type(tensor.elem_type, dims, info.name)
    for init in graph.initializer:
        types[init.name] = tensor_type(init.data_type, tuple(init.dims), init.name)
    return types


def import_model(model: onnx.ModelProto) -> ModuleOp:
    """The `onnx`-dialect module of a checked, shape-inferred, upgraded model.

    An op that onnx's checker and shape inference let through but aicc's verifier
    refuses (a pooling window larger than its padded input, ...) is a `UserError`
    here, at import, rather than when the module is first run.
    """
    module = _GraphImporter(model.graph, value_types(model)).build()
    invalid = first_invalid_op(module)
    if invalid is not None:
        raise UserError(invalid)
    return module
