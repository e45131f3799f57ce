"""The common base of every `onnx` dialect op: names, printed form, verifier hook.

Every op keeps its ONNX node name and the names of its outputs. The first output
name identifies the op instance: node-precision-info files and quantization
profiles refer to it, so every pass must preserve it.

Printed form (one for all ops, because ONNX optional inputs may be absent in the
middle of the list, which the declarative format cannot express):

    %y = onnx.Clip(%x, none, %hi) <{output_names = ["y"]}>
        : (tensor<4xf32>, none, tensor<f32>) -> tensor<4xf32>

Absent optional inputs print as `none`, trailing ones may be dropped. Properties
equal to their ONNX default are not printed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, cast

from xdsl.dialects.builtin import ArrayAttr, NoneType, StringAttr
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    OptOperandDef,
    OptResultDef,
    VarOperandDef,
    VarResultDef,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.pattern_rewriter import RewritePattern
from xdsl.printer import Printer
from xdsl.traits import HasCanonicalizationPatternsTrait, HasFolder
from xdsl.utils.exceptions import VerifyException

NAME_PROPS = ("node_name", "output_names")
_SEGMENT_PROPS = ("operandSegmentSizes", "resultSegmentSizes")

Verifier = Callable[["OnnxOp"], None]
VERIFIERS: dict[str, Verifier] = {}
"""Per-op semantic verifiers, by op name; filled by `onnx_verifiers`."""

Folder = Callable[["OnnxOp"], Sequence[SSAValue | Attribute] | None]
FOLDERS: dict[str, Folder] = {}
"""Per-op folders, by op name; filled by `onnx_canonicalize`."""

CANONICALIZATION_PATTERNS: dict[str, tuple[RewritePattern, ...]] = {}
"""Per-op canonicalization patterns, by op name; filled by `onnx_canonicalize`."""


class OnnxFolder(HasFolder):
    """Folds an onnx op with the folder registered for its name, if any."""

    @classmethod
    def fold(cls, op: Operation) -> Sequence[SSAValue | Attribute] | None:
        folder = FOLDERS.get(op.name)
        return None if folder is None else folder(cast(OnnxOp, op))


class OnnxCanonicalization(HasCanonicalizationPatternsTrait):
    """Canonicalizes an onnx op with the patterns registered for its name."""

    def get_patterns(self, op: type[Operation]) -> tuple[RewritePattern, ...]:
        return CANONICALIZATION_PATTERNS.get(op.name, ())

    @classmethod
    def get_canonicalization_patterns(cls) -> tuple[RewritePattern, ...]:
        return ()


class OnnxOp(IRDLOperation):
    """Base class of the ops of the `onnx` dialect."""

    ONNX_TYPE: ClassVar[str]

    # -- names ---------------------------------------------------------------

    # The generated ops define `node_name` and `output_names` as property
    # accessors returning attributes; these read them as Python strings.

    @property
    def onnx_node_name(self) -> str:
        attr = self.properties.get("node_name")
        return attr.data if isinstance(attr, StringAttr) else ""

    @property
    def onnx_output_names(self) -> tuple[str, ...]:
        attr = self.properties.get("output_names")
        if not isinstance(attr, ArrayAttr):
            return ()
        return tuple(a.data for a in attr.data if isinstance(a, StringAttr))

    @property
    def first_output_name(self) -> str:
        names = self.onnx_output_names
        return names[0] if names else ""

    def set_names(self, node_name: str, output_names: Sequence[str]) -> None:
        self.properties["node_name"] = StringAttr(node_name)
        self.properties["output_names"] = ArrayAttr([StringAttr(n) for n in output_names])

    def describe(self) -> str:
        """How messages name this op: its kind and first output name."""
        return f"{self.ONNX_TYPE} '{self.first_output_name or self.onnx_node_name}'"

    # -- verification --------------------------------------------------------

    def verify_(self) -> None:
        verifier = VERIFIERS.get(self.name)
        if verifier is None:
            return
        try:
            verifier(self)
        except VerifyException as e:
            raise VerifyException(f"{self.describe()}: {e}") from None

    # -- printing ------------------------------------------------------------

    def operand_slots(self) -> list[SSAValue | None]:
        """Operands in ONNX input order, with None for absent optional inputs."""
        slots: list[SSAValue | None] = []
        for name, _ in type(self).get_irdl_definition().operands:
            value = getattr(self, name)
            if value is None or isinstance(value, SSAValue):
                slots.append(value)
            else:
                slots.extend(value)
        while slots and slots[-1] is None:
            slots.pop()
        return slots

    def print(self, printer: Printer) -> None:
        slots = self.operand_slots()
        printer.print_string("(")
        printer.print_list(slots, lambda v: _print_slot(printer, v))
        printer.print_string(")")
        shown = {
            name: value
            for name, value in self.properties.items()
            if name not in _SEGMENT_PROPS and not self._is_default(name, value)
        }
        if shown:
            printer.print_string(" <")
            printer.print_attr_dict(shown)
            printer.print_string(">")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : (")
        printer.print_list(
            slots, lambda v: printer.print_attribute(NoneType() if v is None else v.type)
        )
        printer.print_string(") -> ")
        types = [r.type for r in self.results]
        if len(types) == 1:
            printer.print_attribute(types[0])
        else:
            printer.print_string("(")
            printer.print_list(types, printer.print_attribute)
            printer.print_string(")")

    def _is_default(self, name: str, value: Attribute) -> bool:
        prop = type(self).get_irdl_definition().properties.get(name)
        return prop is not None and prop.default_value == value

    @classmethod
    def parse(cls, parser: Parser) -> OnnxOp:
        slots = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, lambda: _parse_slot(parser)
        )
        properties = parser.parse_optional_properties_dict()
        attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        input_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        parser.parse_punctuation("->")
        if parser.parse_optional_punctuation("(") is not None:
            result_types = parser.parse_comma_separated_list(
                parser.Delimiter.NONE, parser.parse_type
            )
            parser.parse_punctuation(")")
        else:
            result_types = [parser.parse_type()]
        if len(input_types) != len(slots):
            parser.raise_error(f"{len(slots)} operands but {len(input_types)} operand types")
        values = [
            None if slot is None else parser.resolve_operand(slot, ty)
            for slot, ty in zip(slots, input_types, strict=True)
        ]
        op = cls.build(
            operands=cls._group_operands(values),
            result_types=cls._group_results(result_types),
            properties=properties,
            attributes=attributes,
        )
        return op

    @classmethod
    def _group_operands(
        cls, values: Sequence[SSAValue | None]
    ) -> list[SSAValue | list[SSAValue] | None]:
        groups: list[SSAValue | list[SSAValue] | None] = []
        rest = list(values)
        for _, odef in cls.get_irdl_definition().operands:
            if isinstance(odef, VarOperandDef) and not isinstance(odef, OptOperandDef):
                groups.append([v for v in rest if v is not None])
                rest = []
            else:
                groups.append(rest.pop(0) if rest else None)
        return groups

    @classmethod
    def _group_results(cls, types: Sequence[Attribute]) -> list[Attribute | list[Attribute] | None]:
        groups: list[Attribute | list[Attribute] | None] = []
        rest = list(types)
        for _, rdef in cls.get_irdl_definition().results:
            if isinstance(rdef, VarResultDef) and not isinstance(rdef, OptResultDef):
                groups.append(rest)
                rest = []
            else:
                groups.append(rest.pop(0) if rest else None)
        return groups


def _print_slot(printer: Printer, value: SSAValue | None) -> None:
    if value is None:
        printer.print_string("none")
    else:
        printer.print_operand(value)


def _parse_slot(parser: Parser) -> UnresolvedOperand | None:
    if parser.parse_optional_keyword("none") is not None:
        return None
    return parser.parse_unresolved_operand()
