"""Write an `onnx`-dialect module back as an ONNX model.

The dialect holds latest-schema semantics; the model is written at
`EXPORT_OPSET`, the lowest opset that onnxruntime 1.32 runs and whose schemas
express every op of the dialect the same way for the element types aicc holds
(later versions only add element types, and Cast's `round_mode`, whose default
is the opset-21 behaviour). Attributes at their default are not written; a
non-default attribute the export opset lacks is refused.

`onnx.Constant` ops become initializers (splats materialized); graph inputs and
outputs take their names from the `onnx.name` argument and result attributes;
node names and output names are kept.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from xdsl.dialects.builtin import (
    ArrayAttr,
    BFloat16Type,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, SSAValue

from aicc.base.errors import UserError
from aicc.dialects.elements import dtype_of, elements_array, shape_of
from aicc.dialects.onnx_base import NAME_PROPS, OnnxOp
from aicc.dialects.onnx_ops import ConstantOp
from aicc.frontend.names import fresh_name

EXPORT_OPSET = 21
EXPORT_IR_VERSION = 10
_SEGMENT_PROPS = ("operandSegmentSizes", "resultSegmentSizes")


def onnx_elem_type(t: Attribute) -> int:
    if isinstance(t, TensorType) and isinstance(t.get_element_type(), BFloat16Type):
        return TensorProto.BFLOAT16
    return helper.np_dtype_to_tensor_dtype(dtype_of(t))


def tensor_proto(array: np.ndarray, t: Attribute, name: str) -> TensorProto:
    """The tensor of a value of type `t`; bfloat16 arrays hold uint16 bit patterns."""
    if onnx_elem_type(t) != TensorProto.BFLOAT16:
        return numpy_helper.from_array(np.asarray(array, order="C"), name)
    tensor = helper.make_tensor(name, TensorProto.BFLOAT16, array.shape, [], raw=False)
    tensor.raw_data = np.asarray(array, dtype=np.uint16, order="C").tobytes()
    return tensor


def constant_array(attr: Attribute, t: Attribute) -> np.ndarray:
    """The materialized value of a constant attribute of type `t`, rank 0 included."""
    if isinstance(t, TensorType) and not t.get_shape():
        # elements_array broadcasts a one-element dense, which fails at rank 0.
        one = TensorType(t.get_element_type(), [1])
        return elements_array(attr, one).reshape(())
    return elements_array(attr, t)


class _Exporter:
    """Walks `func.func @main` and collects the graph's nodes and initializers."""

    def __init__(self, func: FuncOp) -> None:
        self.func = func
        self.names: dict[SSAValue, str] = {}
        self.taken: set[str] = set()
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[TensorProto] = []

    def fresh(self, wanted: str) -> str:
        return fresh_name(wanted or "v", self.taken)

    def name_of(self, value: SSAValue, wanted: str) -> str:
        if value not in self.names:
            self.names[value] = self.fresh(wanted)
        return self.names[value]

    def build(self) -> onnx.GraphProto:
        arg_names = _names_from(self.func.arg_attrs, len(self.func.args))
        inputs = [
            _value_info(self.name_of(arg, wanted), arg.type)
            for arg, wanted in zip(self.func.args, arg_names, strict=True)
        ]
        for op in self.func.body.block.ops:
            if isinstance(op, ReturnOp):
                return self.finish(op, inputs)
            if not isinstance(op, OnnxOp):
                raise UserError(f"cannot export '{op.name}': only onnx dialect ops are ONNX")
            self.add_op(op)
        raise UserError("cannot export: @main has no return")

    def finish(self, ret: ReturnOp, inputs: list[onnx.ValueInfoProto]) -> onnx.GraphProto:
        wanted = _names_from(self.func.res_attrs, len(ret.arguments))
        outputs: list[onnx.ValueInfoProto] = []
        for value, name in zip(ret.arguments, wanted, strict=True):
            produced = self.names[value]
            if name and name != produced:
                # The value carries another name (a graph input, or a value returned twice).
                final = self.fresh(name)
                self.nodes.append(helper.make_node("Identity", [produced], [final], name=final))
                produced = final
            outputs.append(_value_info(produced, value.type))
        return helper.make_graph(self.nodes, "main", inputs, outputs, self.initializers)

    def add_op(self, op: OnnxOp) -> None:
        out_names = _string_list(op.properties.get("output_names"))
        outputs = [
            self.name_of(r, out_names[i] if i < len(out_names) else "")
            for i, r in enumerate(op.results)
        ]
        if isinstance(op, ConstantOp):
            array = constant_array(op.value, op.output.type)
            self.initializers.append(tensor_proto(array, op.output.type, outputs[0]))
            return
        inputs = ["" if v is None else self.names[v] for v in op.operand_slots()]
        node_name = op.properties.get("node_name")
        name = node_name.data if isinstance(node_name, StringAttr) else ""
        node = helper.make_node(op.ONNX_TYPE, inputs, outputs, name=name or outputs[0])
        node.attribute.extend(_attributes(op))
        self.nodes.append(node)


def _string_list(attr: Attribute | None) -> list[str]:
    # Read the property itself: the generated ops' `output_names` property
    # definitions shadow OnnxOp's accessor of the same name.
    if not isinstance(attr, ArrayAttr):
        return []
    return [cast(StringAttr, s).data for s in attr.data]


def _describe(op: OnnxOp) -> str:
    names = _string_list(op.properties.get("output_names"))
    return f"{op.ONNX_TYPE} '{names[0] if names else ''}'"


def _names_from(attrs: ArrayAttr[DictionaryAttr] | None, count: int) -> list[str]:
    if attrs is None:
        return [""] * count
    names: list[str] = []
    for entry in attrs.data:
        name = entry.data.get("onnx.name")
        names.append(name.data if isinstance(name, StringAttr) else "")
    return names


def _value_info(name: str, t: Attribute) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, onnx_elem_type(t), list(shape_of(t)))


def _attributes(op: OnnxOp) -> list[onnx.AttributeProto]:
    definition = type(op).get_irdl_definition().properties
    schema = onnx.defs.get_schema(op.ONNX_TYPE, EXPORT_OPSET, "")
    attributes: list[onnx.AttributeProto] = []
    for name, value in op.properties.items():
        if name in NAME_PROPS or name in _SEGMENT_PROPS:
            continue
        prop = definition.get(name)
        if prop is not None and prop.default_value == value:
            continue
        if name not in schema.attributes:
            raise UserError(
                f"{_describe(op)}: attribute '{name}' cannot be written at opset {EXPORT_OPSET}"
            )
        attributes.append(helper.make_attribute(name, _attribute_value(op, name, value)))
    return attributes


def _attribute_value(op: OnnxOp, name: str, value: Attribute) -> object:
    if isinstance(value, IntegerAttr):
        return value.value.data
    if isinstance(value, FloatAttr):
        return value.value.data
    if isinstance(value, StringAttr):
        return value.data
    if isinstance(value, DenseArrayBase):
        return list(value.get_values())
    if isinstance(value, ArrayAttr):
        return _string_list(value)
    if isinstance(value, DenseIntOrFPElementsAttr):
        return tensor_proto(constant_array(value, value.type), value.type, name)
    raise UserError(f"{_describe(op)}: attribute '{name}' ({value}) cannot be written to ONNX")


def export_module(module: ModuleOp) -> onnx.ModelProto:
    """The ONNX model of the `func.func @main` of an `onnx`-dialect module."""
    main = next(
        (op for op in module.ops if isinstance(op, FuncOp) and op.sym_name.data == "main"), None
    )
    if main is None:
        raise UserError("cannot export: the module has no func.func @main")
    graph = _Exporter(main).build()
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", EXPORT_OPSET)],
        ir_version=EXPORT_IR_VERSION,
        producer_name="aicc",
    )
    return model
