"""The op lowerings of `lower-onnx-to-kernel` and the op support they declare.

`@lowers(...)` registers an op's lowering and, for an onnx op, the precisions the
compiler claims for it; `interpreted(...)` declares the precisions of an onnx op
the compiler accepts and the reference interpreter runs, but the device does not
lower; `folded(...)` declares an onnx op the device runs because the device
pipeline folds it to a constant before this lowering (static shapes settle it).
Each onnx op is declared once: `SUPPORT` is the only statement of what the compiler
claims (see `aicc.lowering.onnx_to_kernel.support`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.ir import Operation

from aicc.base.precision import PRECISIONS, Precision
from aicc.lowering.onnx_to_kernel.builder import Lowering

FLOAT: frozenset[Precision] = frozenset(("f32", "f16"))
"""FP32 and FP16: an FP16 kernel is the FP32 one run with FP16 rounding."""
ANY: frozenset[Precision] = frozenset(PRECISIONS)
"""FP32, FP16 and INT8."""

Lowerer = Callable[[Lowering, Operation], None]


@dataclass(frozen=True)
class OpSupport:
    """What the compiler claims for one onnx op."""

    precisions: frozenset[Precision]
    """The precisions it runs in (the reference interpreter has a kernel for each)."""
    device: bool
    """Whether the device lowering runs it; otherwise a compile refuses it."""


LOWERINGS: dict[str, Lowerer] = {}
"""Op name ("onnx.Conv", "quant.quantize") -> its lowering."""
FOLDED: set[str] = set()
"""Onnx ops the device runs as constants folded before the lowering ("onnx.Shape")."""
SUPPORT: dict[str, OpSupport] = {}
"""Onnx op name ("onnx.Conv") -> what the compiler claims for it."""


def _declare(names: tuple[str, ...], precisions: frozenset[Precision], device: bool) -> None:
    for name in names:
        onnx_op = name.startswith("onnx.")
        if onnx_op != bool(precisions):
            raise ValueError(f"{name}: onnx ops, and only they, are declared with precisions")
        if not onnx_op:
            continue
        if name in SUPPORT:
            raise ValueError(f"{name}: its support is declared twice")
        SUPPORT[name] = OpSupport(precisions, device)


def lowers(
    *names: str, precisions: frozenset[Precision] = frozenset()
) -> Callable[[Lowerer], Lowerer]:
    """Registers the device lowering of the ops `names` ("onnx.Conv", ...); each
    onnx op among them is claimed in `precisions` (quant ops run in none)."""
    _declare(names, precisions, device=True)

    def register(fn: Lowerer) -> Lowerer:
        for name in names:
            LOWERINGS[name] = fn
        return fn

    return register


def interpreted(*names: str, precisions: frozenset[Precision]) -> None:
    """Claims the onnx ops `names` in `precisions`, run by the reference interpreter
    only: the device lowering refuses them."""
    _declare(names, precisions, device=False)


def folded(*names: str, precisions: frozenset[Precision]) -> None:
    """Claims the onnx ops `names` on the device in `precisions`: with static shapes
    the device pipeline folds them to constants, so they need no lowering (one that
    is left unfolded is refused by the lowering)."""
    _declare(names, precisions, device=True)
    FOLDED.update(names)
