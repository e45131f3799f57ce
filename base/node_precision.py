"""The `-node-precision-info` file: which op instances run in FP16.

The file is YAML, `FP16NodeInstanceNames: [conv0, bn0, relu0]`; an op instance
is named by its first output. PyTorch exports name tensors with numbers, and
YAML 1.1 reads `[010, 12:30, yes]` as `[8, 750, True]`, so the reader never
trusts a constructed value: it composes the node graph (keeping every item's
line) and refuses any item YAML resolved to something other than a string,
suggesting the quoting that keeps the name.

The file is read through `aicc.base.yaml_file.YamlFile`, as profiles and targets are.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from aicc.base.errors import UserError, warn
from aicc.base.yaml_file import STR_TAG, YamlFile, describe_node, line_of

FP16_KEY = "FP16NodeInstanceNames"
FP32_KEY = "FP32NodeInstanceNames"
FP32_REFUSAL = (
    "Setting node instances to FP32 is not supported with -node-precision-info; "
    "use -keep-original-precision-for-nodes=<op kinds> to keep nodes in original precision"
)


@dataclass(frozen=True)
class NodePrecisionInfo:
    """The FP16 op instances (first output names, file order, no repeats) of one file."""

    fp16_names: tuple[str, ...]
    path: Path
    lines: tuple[int, ...] = field(default=(), compare=False)
    """The line of each name in `fp16_names`, for messages."""


def load_node_precision_info(path: Path) -> NodePrecisionInfo:
    """Read a `-node-precision-info` file; every mistake is a one-line `UserError`."""
    doc = YamlFile(path)
    if doc.root is None:
        raise UserError(f"{path}: empty file; expected '{FP16_KEY}: [<first output names>]'")
    entries = doc.mapping(doc.root, "the node precision info")
    for key, (key_node, _) in entries.items():
        if key == FP32_KEY:
            raise doc.error(key_node, FP32_REFUSAL)
        if key != FP16_KEY:
            raise doc.error(key_node, f"unknown key '{key}'; the only key is {FP16_KEY}")
    if FP16_KEY not in entries:
        raise doc.error(doc.root, f"missing key {FP16_KEY}")
    items = entries[FP16_KEY][1]
    if not isinstance(items, yaml.SequenceNode):
        raise doc.error(
            items,
            f"{FP16_KEY} must be a list of first output names, "
            f"e.g. [conv0, bn0], not {_described_value(doc, items)}",
        )
    names: dict[str, int] = {}
    for item in items.value:
        name = _name_of(doc, item)
        if name in names:
            warn(
                f"{path}:{line_of(item)}: {FP16_KEY} lists '{name}' again "
                f"(first at line {names[name]}); using it once"
            )
            continue
        names[name] = line_of(item)
    return NodePrecisionInfo(tuple(names), path, tuple(names.values()))


def _name_of(doc: YamlFile, item: yaml.Node) -> str:
    if not isinstance(item, yaml.ScalarNode):
        raise doc.error(item, f"{FP16_KEY} item is {describe_node(item)}, not a name")
    if item.tag != STR_TAG:
        quoted = "'" + item.value.replace("'", "''") + "'"
        raise doc.error(
            item,
            f"{FP16_KEY} item {item.value} is read by YAML as {_described_value(doc, item)}, "
            f"not a name; quote it: {quoted}",
        )
    if not item.value:
        raise doc.error(item, f"{FP16_KEY} has an empty name")
    return item.value


def _described_value(doc: YamlFile, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        return describe_node(node)
    value = doc.value(node)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the float {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, date):
        return f"the timestamp {value.isoformat()}"
    return f"the {type(value).__name__} {value!r}"


def check_names(info: NodePrecisionInfo, known_names: Collection[str]) -> None:
    """Refuse names that are no op's first output, suggesting the nearest real ones."""
    known = known_names if isinstance(known_names, (set, frozenset)) else set(known_names)
    lines = info.lines or (0,) * len(info.fp16_names)
    unknown = [(n, line) for n, line in zip(info.fp16_names, lines, strict=True) if n not in known]
    if not unknown:
        return
    choices = sorted(known)
    parts = []
    for name, line in unknown:
        near = difflib.get_close_matches(name, choices, n=3)
        hint = f"did you mean {', '.join(repr(n) for n in near)}?" if near else "no similar name"
        where = f"line {line} " if line else ""
        parts.append(f"{where}'{name}' ({hint})")
    raise UserError(
        f"{info.path}: {FP16_KEY} names no op's first output in the model: {'; '.join(parts)}"
    )


def fp16_set_hash(names: Iterable[str]) -> str:
    """sha256 of the SET of names: equal sets hash equal whatever the file's order or layout."""
    canonical = json.dumps(sorted(set(names)), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
