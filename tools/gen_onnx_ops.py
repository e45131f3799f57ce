"""Generate `dialects/onnx_ops.py` from the ONNX operator schemas.

Like onnx-mlir's `gen_onnx_mlir.py`, the op definitions are derived from the
schemas of the installed `onnx` package at its latest opset, so every ONNX
attribute becomes a property with ONNX's default. The importer upgrades nodes of
older opsets to these forms.

    python -m aicc.tools.gen_onnx_ops > dialects/onnx_ops.py
    ruff check --fix dialects/onnx_ops.py && ruff format dialects/onnx_ops.py
"""

from __future__ import annotations

import sys

import onnx
from onnx import defs, helper

SUPPORTED_OPS = [
    "Abs",
    "Add",
    "AveragePool",
    "BatchNormalization",
    "Cast",
    "Clip",
    "Concat",
    "Constant",
    "ConstantOfShape",
    "Conv",
    "ConvTranspose",
    "Div",
    "Dropout",
    "Elu",
    "Exp",
    "Flatten",
    "Gather",
    "Gemm",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "HardSigmoid",
    "HardSwish",
    "Identity",
    "LRN",
    "LeakyRelu",
    "Log",
    "LogSoftmax",
    "MatMul",
    "Max",
    "MaxPool",
    "Min",
    "Mul",
    "Neg",
    "PRelu",
    "Pad",
    "Pow",
    "Reciprocal",
    "ReduceMax",
    "ReduceMean",
    "ReduceSum",
    "Relu",
    "Reshape",
    "Resize",
    "Selu",
    "Shape",
    "Sigmoid",
    "Slice",
    "Softmax",
    "Softplus",
    "Softsign",
    "Split",
    "Sqrt",
    "Squeeze",
    "Sub",
    "Sum",
    "Tanh",
    "Transpose",
    "Unsqueeze",
]

# Constant's value_* and sparse_value forms are normalized to `value` at import.
_SKIPPED_ATTRS = {
    "Constant": {
        "value_float",
        "value_floats",
        "value_int",
        "value_ints",
        "value_string",
        "value_strings",
        "sparse_value",
    }
}

_OPERAND_DEF = {
    defs.OpSchema.FormalParameterOption.Single: "operand_def",
    defs.OpSchema.FormalParameterOption.Optional: "opt_operand_def",
    defs.OpSchema.FormalParameterOption.Variadic: "var_operand_def",
}
_RESULT_DEF = {
    defs.OpSchema.FormalParameterOption.Single: "result_def",
    defs.OpSchema.FormalParameterOption.Optional: "opt_result_def",
    defs.OpSchema.FormalParameterOption.Variadic: "var_result_def",
}
_ATTR_CONSTRAINT = {
    defs.OpSchema.AttrType.INT: "IntegerAttr[I64]",
    defs.OpSchema.AttrType.FLOAT: "FloatAttr[Float32Type]",
    defs.OpSchema.AttrType.STRING: "StringAttr",
    defs.OpSchema.AttrType.INTS: "DenseArrayBase",
    defs.OpSchema.AttrType.FLOATS: "DenseArrayBase",
    defs.OpSchema.AttrType.STRINGS: "ArrayAttr[StringAttr]",
    defs.OpSchema.AttrType.TENSOR: "ElementsAttr",
}


def _default_expr(attr: defs.OpSchema.Attribute) -> str | None:
    if not attr.default_value.name:
        return None
    value = helper.get_attribute_value(attr.default_value)
    match attr.type:
        case defs.OpSchema.AttrType.INT:
            return f"IntegerAttr({value}, 64)"
        case defs.OpSchema.AttrType.FLOAT:
            return f"FloatAttr({float(value)!r}, Float32Type())"
        case defs.OpSchema.AttrType.STRING:
            return f"StringAttr({value.decode()!r})"
        case defs.OpSchema.AttrType.INTS:
            return f"DenseArrayBase.from_list(i64, {list(value)!r})"
        case defs.OpSchema.AttrType.FLOATS:
            return f"DenseArrayBase.from_list(f32, {[float(v) for v in value]!r})"
        case defs.OpSchema.AttrType.TENSOR:
            array = onnx.numpy_helper.to_array(value)
            return f"SplatAttr(FloatAttr({float(array.reshape(-1)[0])!r}, Float32Type()))"
    raise ValueError(f"no default form for attribute type {attr.type}")


def _segments(options: list[defs.OpSchema.FormalParameterOption]) -> bool:
    return sum(o != defs.OpSchema.FormalParameterOption.Single for o in options) > 1


def generate_op(op_type: str) -> str:
    schema = defs.get_schema(op_type)
    lines = [
        "@irdl_op_definition",
        f"class {op_type}Op(OnnxOp):",
        f'    """ONNX `{op_type}`, opset {schema.since_version} semantics."""',
        "",
        f'    name = "onnx.{op_type}"',
        f'    ONNX_TYPE: ClassVar[str] = "{op_type}"',
        "",
    ]
    for param in schema.inputs:
        lines.append(f"    {param.name} = {_OPERAND_DEF[param.option]}(TensorType)")
    for param in schema.outputs:
        lines.append(f"    {param.name} = {_RESULT_DEF[param.option]}(TensorType)")
    skipped = _SKIPPED_ATTRS.get(op_type, set())
    for name, attr in sorted(schema.attributes.items()):
        if name in skipped:
            continue
        constraint = _ATTR_CONSTRAINT[attr.type]
        default = _default_expr(attr)
        if default is not None:
            lines.append(f"    {name} = prop_def({constraint}, default_value={default})")
        elif attr.required or op_type == "Constant":
            lines.append(f"    {name} = prop_def({constraint})")
        else:
            lines.append(f"    {name} = opt_prop_def({constraint})")
    lines.append('    node_name = prop_def(StringAttr, default_value=StringAttr(""))')
    lines.append("    output_names = prop_def(ArrayAttr[StringAttr], default_value=ArrayAttr([]))")
    options: list[str] = []
    if _segments([p.option for p in schema.inputs]):
        options.append("AttrSizedOperandSegments(as_property=True)")
    if _segments([p.option for p in schema.outputs]):
        options.append("AttrSizedResultSegments(as_property=True)")
    if options:
        lines.append(f"    irdl_options = ({', '.join(options)},)")
    common = "Pure(), OnnxFolder(), OnnxCanonicalization()"
    trait = f"ConstantLike(), {common}" if op_type == "Constant" else common
    lines.append(f"    traits = traits_def({trait})")
    return "\n".join(lines)


HEADER = '''"""ONNX operator definitions of the `onnx` dialect.

GENERATED by `python -m aicc.tools.gen_onnx_ops` from the schemas of onnx {version}
(opset {opset}); do not edit. Semantic verifiers live in `onnx_verifiers.py`.
"""

# ruff: noqa: E501

from typing import ClassVar

from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    f32,
    i64,
)
from xdsl.irdl import (
    AttrSizedOperandSegments,
    AttrSizedResultSegments,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    opt_result_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import ConstantLike, Pure

from aicc.dialects.aicc import SplatAttr
from aicc.dialects.elements import ElementsAttr
from aicc.dialects.onnx_base import OnnxCanonicalization, OnnxFolder, OnnxOp
'''


def generate() -> str:
    header = HEADER.format(version=onnx.__version__, opset=defs.onnx_opset_version())
    ops = "\n\n\n".join(generate_op(op) for op in SUPPORTED_OPS)
    names = "".join(f"    {op}Op,\n" for op in SUPPORTED_OPS)
    return f"{header}\n\n{ops}\n\n\nONNX_OPS = (\n{names})\n"


def main() -> None:
    sys.stdout.write(generate())


if __name__ == "__main__":
    main()
