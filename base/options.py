"""Compile options, each declared once: a config dataclass field carrying an `Option`.

    schema: str = option("asymmetric", Option("quantization-schema", choices=Schema))

From that one field `aicc-compile` adds the flag in both spellings and fills the
field from it (`aicc.tools.cli.add_option_flags`, `option_values`), and the bundle
writer records the value in the manifest's `options` under the flag's name in snake
case (`manifest_options`), a file by its name alone. A pass configured by such
fields inherits the dataclass that declares them, so its pass options are the same
fields, checked by `check_choices`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import Field, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aicc.base.errors import UserError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")

_KEY = "aicc.option"
"""The field metadata key holding the field's `Option`."""


@dataclass(frozen=True)
class Option:
    """How one config field is set on the command line and recorded in a bundle."""

    flag: str
    """The `aicc-compile` flag, without dashes: `-flag=value` or `--flag value`."""
    help: str | None = None
    metavar: str | None = None
    parse: Callable[[str], object] | None = None
    """The flag's text to the field's value; None: the type of a non-None default, or str."""
    choices: type[enum.Enum] | None = None
    """The enum whose values are the field's only valid values."""
    manifest: bool = True
    """Whether the bundle manifest records the value (under `manifest_key`)."""
    manifest_default: bool = True
    """Whether the manifest records the value when it is the default. False: a compile
    that does not use the option writes the manifest it would without the option."""
    excludes: str | None = None
    """A flag of the tool that may not be given together with this one."""

    @property
    def manifest_key(self) -> str:
        return self.flag.replace("-", "_")

    @property
    def choice_names(self) -> tuple[str, ...] | None:
        if self.choices is None:
            return None
        return tuple(str(member.value) for member in self.choices)


def option(default: T, spec: Option) -> T:
    """A dataclass field with this default, declared as the compile option `spec`."""
    return field(default=default, metadata={_KEY: spec})


def declared(config_type: type[DataclassInstance]) -> Iterator[tuple[Field[Any], Option]]:
    """The fields of `config_type` declared as options, in field order, with their specs."""
    for f in fields(config_type):
        spec = f.metadata.get(_KEY)
        if isinstance(spec, Option):
            yield f, spec


def names(text: str) -> tuple[str, ...]:
    """`A,B` as ("A", "B"): comma-separated names, blanks dropped."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _json(value: object) -> object:
    if isinstance(value, Path):
        # The file's name only, as the manifest records the model and profile: a bundle
        # must not depend on the folder it was compiled from, and hashes pin the contents.
        return value.name
    if isinstance(value, tuple):
        return list(value)  # pyright: ignore[reportUnknownArgumentType]
    return value


def manifest_options(config: DataclassInstance) -> dict[str, object]:
    """The manifest's entries for the options of `config` and of the configs it holds."""
    entries: dict[str, object] = {}
    for f in fields(config):
        value = getattr(config, f.name)
        spec = f.metadata.get(_KEY)
        if isinstance(spec, Option):
            if spec.manifest and (spec.manifest_default or value != f.default):
                entries[spec.manifest_key] = _json(value)
        elif is_dataclass(value) and not isinstance(value, type):
            entries.update(manifest_options(value))
    return entries


def check_choices(config: DataclassInstance, owner: str) -> None:
    """Refuse a field whose value is not one of its choices, naming it as `owner`'s option."""
    for f, spec in declared(type(config)):
        allowed = spec.choice_names
        value = getattr(config, f.name)
        if allowed is not None and value not in allowed:
            name = f.name.replace("_", "-")
            raise UserError(f"{owner}: {name} '{value}' is not one of {', '.join(allowed)}")
