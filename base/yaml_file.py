"""YAML input files read safely and reported by line.

Every YAML file aicc reads (node-precision-info, profiles, targets) is composed
into nodes by a `yaml.SafeLoader` subclass, so each value keeps its line for a
one-line `file:line: message` error, and no caller can add resolvers to
SafeLoader itself.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from aicc.base.errors import UserError

STR_TAG = "tag:yaml.org,2002:str"


class _Loader(yaml.SafeLoader):
    """The safe loader, subclassed so that no caller adds resolvers to SafeLoader itself."""


class YamlFile:
    """A YAML file composed into nodes, so every value keeps its line for errors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UserError(f"{path}: cannot read: {_reason(e)}") from None
        self._loader = _Loader(text)
        try:
            self.root: yaml.Node | None = self._loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = e.problem or e.context or "invalid YAML"
            raise UserError(f"{path}{line}: YAML does not parse: {problem}") from None
        except yaml.YAMLError as e:
            raise UserError(f"{path}: YAML does not parse: {' '.join(str(e).split())}") from None

    def error(self, node: yaml.Node, message: str) -> UserError:
        return UserError(f"{self.path}:{line_of(node)}: {message}")

    def value(self, node: yaml.Node) -> object:
        """The Python value YAML gives a node (safe constructors only)."""
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as e:
            raise self.error(node, f"bad value: {e.problem}") from None

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's entries by key (as written), refusing non-string and duplicate keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping, not {describe_node(node)}")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag != STR_TAG:
                raise self.error(key, f"{what}: key {describe_node(key)} is not a name")
            seen = entries.get(key.value)
            if seen is not None:
                raise self.error(
                    key, f"duplicate key '{key.value}' (first at line {line_of(seen[0])})"
                )
            entries[key.value] = (key, value)
        return entries


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def describe_node(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return repr(node.value)


def _reason(e: OSError | UnicodeDecodeError) -> str:
    if isinstance(e, UnicodeDecodeError):
        return "not UTF-8 text"
    return e.strerror or str(e)
