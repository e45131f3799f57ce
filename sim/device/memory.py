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
from aicc.dialects.aic import Limits, ViewAttr, view_problem, where


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
