"""The graph of a module: `func.func @main` and its named inputs and outputs.

The importer names each argument and result of `@main` by its ONNX tensor name
(`{onnx.name = ...}`); tools, the interpreter and profiles use these names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp, StringAttr
from xdsl.dialects.func import FuncOp
from xdsl.ir import Attribute

from aicc.base.errors import UserError
from aicc.dialects.elements import dtype_of, shape_of


@dataclass(frozen=True)
class Port:
    """A graph input or output: its ONNX name and tensor type."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def type_text(self) -> str:
        return f"{self.dtype}[{','.join(map(str, self.shape))}]"

    def describe(self) -> str:
        return f"'{self.name}' ({self.type_text})"

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


def main_func(module: ModuleOp) -> FuncOp:
    for op in module.ops:
        if isinstance(op, FuncOp) and op.sym_name.data == "main":
            return op
    raise UserError("the module has no func.func @main")


def _names(count: int, attrs: ArrayAttr[DictionaryAttr] | None) -> list[str]:
    """`onnx.name` of each argument or result, else `#<index>`."""
    labels: list[str] = []
    for index in range(count):
        name = attrs.data[index].data.get("onnx.name") if attrs is not None else None
        labels.append(name.data if isinstance(name, StringAttr) else f"#{index}")
    return labels


def _ports(types: Sequence[Attribute], attrs: ArrayAttr[DictionaryAttr] | None) -> list[Port]:
    labels = _names(len(types), attrs)
    return [Port(label, shape_of(t), dtype_of(t)) for label, t in zip(labels, types, strict=True)]


def port_names(main: FuncOp) -> tuple[list[str], list[str]]:
    """The names of `@main`'s inputs and outputs at any level (tensors or memrefs)."""
    return _names(len(main.args), main.arg_attrs), _names(
        len(main.function_type.outputs.data), main.res_attrs
    )


def input_ports(main: FuncOp) -> list[Port]:
    return _ports([arg.type for arg in main.args], main.arg_attrs)


def output_ports(main: FuncOp) -> list[Port]:
    return _ports(main.function_type.outputs.data, main.res_attrs)
