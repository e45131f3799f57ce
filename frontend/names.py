"""Fresh ONNX value and node names that cannot collide with the graph's names."""

from __future__ import annotations


def fresh_name(base: str, taken: set[str]) -> str:
    """`base`, or `base_1`, `base_2`, ... whichever is free first; marks it taken."""
    name, index = base, 0
    while name in taken:
        index += 1
        name = f"{base}_{index}"
    taken.add(name)
    return name
