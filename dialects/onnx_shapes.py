"""Output-shape rules of ONNX ops, on plain tuples of ints.

Written once and shared by the verifiers and the interpreter. A dimension of -1
is dynamic (`?` in a tensor type) and agrees with any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

DYNAMIC = -1

AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")


class ShapeError(ValueError):
    """Shapes or attributes that no ONNX op accepts."""


def dims_agree(a: int, b: int) -> bool:
    return a == b or DYNAMIC in (a, b)


def shapes_agree(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return len(a) == len(b) and all(dims_agree(x, y) for x, y in zip(a, b, strict=True))


def element_count(shape: tuple[int, ...]) -> int | None:
    """The number of elements, or None when a dimension is dynamic."""
    return None if DYNAMIC in shape else prod(shape)


def broadcast(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The multidirectional (numpy) broadcast of `shapes`."""
    rank = max((len(s) for s in shapes), default=0)
    out: list[int] = []
    for axis in range(rank):
        dims = {s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0} - {1}
        if len(dims - {DYNAMIC}) > 1:
            raise ShapeError(f"shapes {', '.join(str(list(s)) for s in shapes)} do not broadcast")
        known = dims - {DYNAMIC}
        out.append(known.pop() if known else (DYNAMIC if dims else 1))
    return tuple(out)


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether `shape` broadcasts unidirectionally to `target`."""
    if len(shape) > len(target):
        return False
    tail = target[len(target) - len(shape) :]
    return all(d == 1 or dims_agree(d, t) for d, t in zip(shape, tail, strict=True))


def normalize_axis(axis: int, rank: int, *, inclusive: bool = False) -> int:
    """`axis` in [0, rank) (or [0, rank] if `inclusive`, as Flatten's), counting negative
    axes from the end: -1 is always rank - 1."""
    upper = rank + 1 if inclusive else rank
    if not -rank <= axis < upper:
        raise ShapeError(f"axis {axis} is out of range for rank {rank}")
    return axis + rank if axis < 0 else axis


def matmul_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The result shape of numpy.matmul (ONNX MatMul)."""
    if not a or not b:
        raise ShapeError("MatMul operands must have rank >= 1")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if not dims_agree(a2[-1], b2[-2]):
        raise ShapeError(f"inner dimensions differ: {list(a)} @ {list(b)}")
    out = (*broadcast(a2[:-2], b2[:-2]), a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


@dataclass(frozen=True)
class Window:
    """Per spatial axis of a Conv or pool: the kernel, strides, dilations and pads."""

    kernel: tuple[int, ...]
    strides: tuple[int, ...]
    dilations: tuple[int, ...]
    pads: tuple[int, ...]
    """Begin pads of every axis, then end pads (the ONNX layout)."""
    auto_pad: str = "NOTSET"
    ceil_mode: bool = False

    def check(self) -> None:
        rank = len(self.kernel)
        for name, values in (("strides", self.strides), ("dilations", self.dilations)):
            if len(values) != rank:
                raise ShapeError(f"{name} has {len(values)} values, expected {rank}")
            if min(values, default=1) < 1:
                raise ShapeError(f"{name} must be positive, got {list(values)}")
        if min(self.kernel, default=1) < 1:
            raise ShapeError(f"kernel_shape must be positive, got {list(self.kernel)}")
        if len(self.pads) != 2 * rank:
            raise ShapeError(f"pads has {len(self.pads)} values, expected {2 * rank}")
        if min(self.pads, default=0) < 0:
            raise ShapeError(f"pads must not be negative, got {list(self.pads)}")
        if self.auto_pad not in AUTO_PADS:
            raise ShapeError(f"auto_pad '{self.auto_pad}' is not one of {', '.join(AUTO_PADS)}")

    def out_dims(self, spatial: tuple[int, ...]) -> tuple[int, ...]:
        """The output spatial dims for an input of spatial dims `spatial`."""
        rank = len(spatial)
        return tuple(
            _out_dim(n, k, s, d, self.pads[i], self.pads[rank + i], self.auto_pad, self.ceil_mode)
            for i, (n, k, s, d) in enumerate(
                zip(spatial, self.kernel, self.strides, self.dilations, strict=True)
            )
        )


def _out_dim(
    n: int, k: int, s: int, d: int, begin: int, end: int, auto_pad: str, ceil_mode: bool
) -> int:
    if n == DYNAMIC:
        return DYNAMIC
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        return -(-n // s)
    extent = (k - 1) * d + 1
    padded = n if auto_pad == "VALID" else n + begin + end
    if padded < extent:
        raise ShapeError(f"window extent {extent} exceeds the padded input size {padded}")
    if not ceil_mode:
        return (padded - extent) // s + 1
    out = -(-(padded - extent) // s) + 1
    # A window that would start inside the end padding is dropped.
    return out - 1 if (out - 1) * s >= n + begin else out


def conv_transpose_out_dim(
    n: int, k: int, s: int, d: int, begin: int, end: int, output_padding: int
) -> int:
    """One spatial output dim of ConvTranspose with explicit pads."""
    if n == DYNAMIC:
        return DYNAMIC
    return s * (n - 1) + output_padding + (k - 1) * d + 1 - begin - end
