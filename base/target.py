"""The target description: the one place every device cost figure comes from.

A target is a YAML file (the shipped default is `targets/cloud_ai_100.yaml` in
the package). The tiling pass, the `aic` verifier and the simulator's cost
model read sizes, rates and alignments from a `Target`; no cost figure is
written anywhere else in code. Every figure is a positive integer in the unit
its key names, so cycle arithmetic stays exact.

`-aic-num-cores=N` may only use fewer cores than the file describes (1..cores):
the file is the hardware, and a program for cores the device lacks could not
run on it. Describe a bigger device with `-target=FILE` instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from aicc.base.errors import UserError
from aicc.base.precision import Precision
from aicc.base.yaml_file import STR_TAG, YamlFile, describe_node

DEFAULT_TARGET = "cloud_ai_100.yaml"


@dataclass(frozen=True)
class PerPrecision:
    """One rate for each precision (per core, per cycle)."""

    i8: int
    f16: int
    f32: int

    def __getitem__(self, precision: Precision) -> int:
        return getattr(self, precision)


@dataclass(frozen=True)
class Alignment:
    """Address alignments in bytes, and matrix-unit tile dimension multiples in elements."""

    ddr_bytes: int
    scratchpad_bytes: int
    tile_m_multiple: int
    tile_n_multiple: int
    tile_k_multiple: int


@dataclass(frozen=True)
class Target:
    """A device: its cores, memories, rates and alignment rules."""

    name: str
    path: Path
    cores: int
    clock_hz: int
    scratchpad_bytes_per_core: int
    ddr_bytes_per_second: int
    dma_setup_cycles: int
    """Cycles every DDR<->scratchpad transfer pays before its first byte moves."""
    matrix_macs_per_cycle: PerPrecision
    """One core's matrix unit."""
    vector_lanes_per_cycle: PerPrecision
    """One core's vector unit."""
    alignment: Alignment

    def macs_per_second(self, precision: Precision) -> int:
        """The peak matrix-unit rate of all cores together."""
        return self.matrix_macs_per_cycle[precision] * self.clock_hz * self.cores

    def dma_cycles(self, nbytes: int) -> int:
        """Cycles of one transfer at the full DDR bandwidth: setup, then whole cycles of bytes."""
        # ceil(nbytes / (bandwidth / clock)) in integers, so no rounding drifts a timeline.
        transfer = -(-nbytes * self.clock_hz // self.ddr_bytes_per_second)
        return self.dma_setup_cycles + transfer

    def roofline_seconds(self, macs: int, nbytes: int, precision: Precision) -> float:
        """The lower bound on time: peak compute or DDR traffic, whichever is slower."""
        compute = macs / self.macs_per_second(precision)
        memory = nbytes / self.ddr_bytes_per_second
        return max(compute, memory)

    def memory_bound(self, macs: int, nbytes: int, precision: Precision) -> bool:
        """Whether DDR traffic, not peak compute, sets the roofline bound."""
        return nbytes * self.macs_per_second(precision) >= macs * self.ddr_bytes_per_second


_PER_PRECISION_KEYS = tuple(f.name for f in dataclasses.fields(PerPrecision))
_ALIGNMENT_KEYS = tuple(f.name for f in dataclasses.fields(Alignment))
# In Target's field order, so messages list them as the shipped file does.
_TOP_KEYS = tuple(f.name for f in dataclasses.fields(Target) if f.name != "path")


def load_target(path: Path | None = None, *, num_cores: int | None = None) -> Target:
    """Read a target file (None: the shipped default); every mistake is a one-line `UserError`.

    `num_cores` (`-aic-num-cores`) uses only that many of the file's cores.
    """
    if path is None:
        resource = resources.files("aicc.base") / "targets" / DEFAULT_TARGET
        with resources.as_file(resource) as default:
            target = _read(default)
    else:
        target = _read(path)
    if num_cores is None:
        return target
    if not 1 <= num_cores <= target.cores:
        raise UserError(
            f"-aic-num-cores={num_cores}: must be 1..{target.cores}, "
            f"the cores of the target {target.name if path is None else path}"
        )
    return dataclasses.replace(target, cores=num_cores)


def _read(path: Path) -> Target:
    doc = YamlFile(path)
    if doc.root is None:
        raise UserError(f"{path}: empty target file; expected keys {', '.join(_TOP_KEYS)}")
    top = _entries(doc, doc.root, "the target", _TOP_KEYS)

    def number(key: str) -> int:
        return _positive_int(doc, top[key], key)

    def rates(key: str) -> PerPrecision:
        return PerPrecision(**_group(doc, top[key], key, _PER_PRECISION_KEYS))

    return Target(
        name=_name(doc, top["name"]),
        path=path,
        cores=number("cores"),
        clock_hz=number("clock_hz"),
        scratchpad_bytes_per_core=number("scratchpad_bytes_per_core"),
        ddr_bytes_per_second=number("ddr_bytes_per_second"),
        dma_setup_cycles=number("dma_setup_cycles"),
        matrix_macs_per_cycle=rates("matrix_macs_per_cycle"),
        vector_lanes_per_cycle=rates("vector_lanes_per_cycle"),
        alignment=Alignment(**_group(doc, top["alignment"], "alignment", _ALIGNMENT_KEYS)),
    )


def _entries(
    doc: YamlFile, node: yaml.Node, what: str, keys: tuple[str, ...]
) -> dict[str, yaml.Node]:
    """A mapping's values by key, refusing unknown and missing keys."""
    entries = doc.mapping(node, what)
    for key, (key_node, _) in entries.items():
        if key not in keys:
            raise doc.error(key_node, f"{what}: unknown key '{key}'; expected {', '.join(keys)}")
    missing = [key for key in keys if key not in entries]
    if missing:
        raise doc.error(node, f"{what}: missing key {', '.join(repr(k) for k in missing)}")
    return {key: value for key, (_, value) in entries.items()}


def _group(doc: YamlFile, node: yaml.Node, what: str, keys: tuple[str, ...]) -> dict[str, int]:
    values = _entries(doc, node, what, keys)
    return {key: _positive_int(doc, values[key], f"{what}.{key}") for key in keys}


def _positive_int(doc: YamlFile, node: yaml.Node, what: str) -> int:
    value = doc.value(node) if isinstance(node, yaml.ScalarNode) else None
    # bool is an int subclass; `yes` must not read as 1.
    if type(value) is not int or value <= 0:
        raise doc.error(node, f"{what} must be a positive integer, not {describe_node(node)}")
    return value


def _name(doc: YamlFile, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != STR_TAG or not node.value:
        raise doc.error(node, f"name must be a non-empty string, not {describe_node(node)}")
    return node.value
