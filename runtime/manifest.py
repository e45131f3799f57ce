"""Checking a bundle's `manifest.json` before any of it is used.

A manifest can be edited by hand, so every field the runner reads is checked for
its type and range here, and each problem is one `UserError` naming the manifest
and the field (`inputs[0].device.quant.scale`). File names must be plain names of
regular files inside the bundle, and their hashes must match.
"""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from aicc.base.errors import UserError

_SHA256 = re.compile(r"[0-9a-f]{64}")
_HOST_DTYPES = frozenset({"float32", "float16", "float64", "int8", "uint8", "int32", "int64"})
_QUANT_DTYPES = frozenset({"int8", "uint8", "int16", "uint16", "int32"})
_FLOAT_DTYPES = frozenset({"float32", "float16", "float64"})


class Manifest:
    """Typed access to a parsed manifest; every failure names the file and the field."""

    def __init__(self, path: Path, data: object) -> None:
        self.path = path
        self.data = self.mapping(data, "the manifest")

    def error(self, where: str, problem: str) -> UserError:
        return UserError(f"{self.path}: {where}: {problem}")

    def mapping(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(where, f"expected an object, got {_describe(value)}")
        return value

    def get(self, parent: dict[str, Any], key: str, where: str) -> Any:
        if key not in parent:
            raise self.error(where, f"missing key '{key}'")
        return parent[key]

    def section(self, key: str) -> dict[str, Any]:
        return self.mapping(self.get(self.data, key, "the manifest"), key)

    def integer(self, value: object, where: str, low: int | None = None) -> int:
        # bool is an int subclass; `true` must not read as 1.
        if type(value) is not int or (low is not None and value < low):
            bound = "" if low is None else f" >= {low}"
            raise self.error(where, f"expected an integer{bound}, got {_describe(value)}")
        return value

    def string(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.error(where, f"expected a non-empty string, got {_describe(value)}")
        return value

    def dtype(self, value: object, where: str, allowed: frozenset[str]) -> str:
        text = self.string(value, where)
        if text not in allowed:
            raise self.error(where, f"dtype '{text}' is not one of {', '.join(sorted(allowed))}")
        return text

    def shape(self, value: object, where: str) -> list[int]:
        if not isinstance(value, list):
            raise self.error(where, f"expected a list of dimensions, got {_describe(value)}")
        return [self.integer(d, f"{where}[{i}]", low=1) for i, d in enumerate(value)]

    def sha256(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not _SHA256.fullmatch(value):
            raise self.error(where, f"expected a sha256 in hex, got {_describe(value)}")
        return value

    def file(self, directory: Path, name: object, where: str) -> Path:
        """`directory/name` for a plain file name; never a path outside the bundle."""
        text = self.string(name, where)
        if Path(text).name != text or text in (".", "..") or "\\" in text:
            raise self.error(where, f"'{text}' is not a plain file name inside the bundle")
        return regular_file(directory / text)

    def edges(self, key: str, device: bool) -> list[dict[str, Any]]:
        """The `inputs` or `outputs`, every field the runner reads checked."""
        entries = self.get(self.data, key, "the manifest")
        if not isinstance(entries, list) or not entries:
            raise self.error(key, f"expected a non-empty list, got {_describe(entries)}")
        for index, entry in enumerate(entries):
            where = f"{key}[{index}]"
            entry = self.mapping(entry, where)
            self.string(self.get(entry, "name", where), f"{where}.name")
            shape = self.shape(self.get(entry, "shape", where), f"{where}.shape")
            self.dtype(self.get(entry, "dtype", where), f"{where}.dtype", _HOST_DTYPES)
            if device:
                self._device(self.get(entry, "device", where), shape, f"{where}.device")
        return entries

    def _device(self, value: object, shape: list[int], where: str) -> None:
        device = self.mapping(value, where)
        device_shape = self.shape(self.get(device, "shape", where), f"{where}.shape")
        if math.prod(device_shape) != math.prod(shape):
            raise self.error(
                f"{where}.shape", f"{device_shape} does not hold the edge's shape {shape}"
            )
        quant = self.get(device, "quant", where)
        allowed = _HOST_DTYPES if quant is None else _QUANT_DTYPES
        dtype = self.dtype(self.get(device, "dtype", where), f"{where}.dtype", allowed)
        if quant is not None:
            self._quant(quant, np.dtype(dtype), device_shape, f"{where}.quant")

    def _quant(self, value: object, dtype: np.dtype, shape: list[int], where: str) -> None:
        quant = self.mapping(value, where)
        info = np.iinfo(dtype)
        qmin = self.integer(self.get(quant, "qmin", where), f"{where}.qmin", low=int(info.min))
        qmax = self.integer(self.get(quant, "qmax", where), f"{where}.qmax", low=qmin + 1)
        if qmax > info.max:
            raise self.error(f"{where}.qmax", f"{qmax} is above the {dtype} maximum {info.max}")
        axis = self.get(quant, "axis", where)
        scales = self.get(quant, "scale", where)
        points = self.get(quant, "zero_point", where)
        if axis is None:
            scales, points = [scales], [points]
        else:
            self.integer(axis, f"{where}.axis", low=0)
            if axis >= len(shape):
                raise self.error(f"{where}.axis", f"{axis} is not an axis of shape {shape}")
            for key, values in (("scale", scales), ("zero_point", points)):
                if not isinstance(values, list) or len(values) != shape[axis]:
                    raise self.error(
                        f"{where}.{key}", f"expected a list of {shape[axis]} (axis {axis})"
                    )
        for scale in scales:
            if type(scale) not in (int, float) or not math.isfinite(scale) or scale <= 0:
                raise self.error(
                    f"{where}.scale", f"expected a positive finite number, got {_describe(scale)}"
                )
        for point in points:
            self.integer(point, f"{where}.zero_point", low=qmin)
            if point > qmax:
                raise self.error(f"{where}.zero_point", f"{point} is above qmax {qmax}")
        self.dtype(self.get(quant, "expressed", where), f"{where}.expressed", _FLOAT_DTYPES)


def regular_file(path: Path) -> Path:
    """`path` if it is a regular file (a symlink could point outside the bundle)."""
    if path.is_symlink():
        raise UserError(f"{path}: is a symlink; a bundle holds only regular files")
    if not path.exists():
        raise UserError(f"{path}: missing from the bundle; recompile it")
    if not path.is_file():
        raise UserError(f"{path}: is not a regular file; recompile the bundle")
    return path


def check_hash(path: Path, expected: str, manifest: Path) -> None:
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    if digest != expected:
        raise UserError(
            f"{path}: sha256 {digest[:12]}... does not match {manifest.name}'s {expected[:12]}...; "
            "the file changed after compiling: recompile the bundle"
        )


def _describe(value: object) -> str:
    if value is None:
        return "null"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{type(value).__name__} {text}"
