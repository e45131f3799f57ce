"""The device's memories: one byte-addressed DDR and one scratchpad per core.

Each memory is a `np.uint8` array. An instruction operand becomes a numpy view of
the memory's bytes (`np.ndarray(buffer=..., offset=..., strides=...)`), made once when
the program is decoded; its bounds and alignment are checked before the view exists,
so a bad address is a `DeviceFault`, never a numpy error.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import Operation

from aicc.base.errors import UserError
from aicc.base.target import Target
from aicc.dialects.aic import Limits, ViewAttr, view_problem, where

DDR_BYTES_LIMIT = 16 * 2**30
"""The most DDR a program may declare: the 16 GiB of a Cloud AI 100 Standard card. The
target files give no DDR size, and the simulator holds a program's DDR in host memory,
so a larger (or absurd) declaration is refused before anything is allocated."""


class DeviceFault(UserError):
    """A program did something the device cannot do.

    "device fault: core 3, instruction 17 (aic.dma, node 'conv0'): ..."
    """

    @staticmethod
    def at(core: int, index: int, op: Operation, problem: str) -> DeviceFault:
        return DeviceFault(f"device fault: {where(core, index, op)}: {problem}")


class Memories:
    """DDR and the scratchpads, sized by the program's limits."""

    def __init__(self, limits: Limits, cores: int) -> None:
        """`limits` must have passed `limits_problem` (nothing is allocated before that)."""
        self.limits = limits
        # np.zeros maps untouched pages lazily, so idle scratchpad space costs nothing.
        self.ddr = np.zeros(limits.ddr_bytes, dtype=np.uint8)
        self.scratchpads = [np.zeros(limits.scratchpad_bytes, np.uint8) for _ in range(cores)]

    def view(self, core: int, view: ViewAttr, role: str, dma: bool = False) -> np.ndarray:
        """The numpy view of `view` in `core`'s address space; raises `ValueError(problem)`
        (which the decoder turns into a `DeviceFault` naming the instruction)."""
        layout = view.layout()
        problem = view_problem(layout, role, self.limits, dma)
        if problem is not None:
            raise ValueError(problem)
        memory = self.ddr if layout.space == "ddr" else self.scratchpads[core]
        return self.array(memory, layout.addr, layout.shape, layout.strides, layout.dtype)

    @staticmethod
    def limits_problem(limits: Limits, target: Target) -> str | None:
        """Why `limits` cannot be simulated for `target`, or None."""
        if not 1 <= limits.ddr_bytes <= DDR_BYTES_LIMIT:
            return f"ddr_bytes = {limits.ddr_bytes} is not in 1..{DDR_BYTES_LIMIT} (16 GiB)"
        if not 1 <= limits.scratchpad_bytes <= target.scratchpad_bytes_per_core:
            return (
                f"scratchpad_bytes = {limits.scratchpad_bytes} is not in "
                f"1..{target.scratchpad_bytes_per_core}, the scratchpad of {target.name}"
            )
        alignments = (
            ("ddr_alignment", limits.ddr_alignment, target.alignment.ddr_bytes),
            ("sp_alignment", limits.sp_alignment, target.alignment.scratchpad_bytes),
        )
        for key, value, unit in alignments:
            if value < unit or value % unit:
                return f"{key} = {value} is not a positive multiple of {target.name}'s {unit}"
        return None

    @staticmethod
    def array(
        memory: np.ndarray,
        addr: int,
        shape: tuple[int, ...],
        strides: tuple[int, ...] | None,
        dtype: np.dtype,
    ) -> np.ndarray:
        """A writable view of `memory`'s bytes (strides in elements; None = contiguous)."""
        byte_strides = None if strides is None else tuple(s * dtype.itemsize for s in strides)
        return np.ndarray(shape, dtype=dtype, buffer=memory, offset=addr, strides=byte_strides)
