"""The `aic.program` being built: DDR buffers, new constants, layers and per-core streams.

Every memref of the planned kernel function has a DDR address (plan-memory's
offsets); `tensor(value)` gives it as a `DdrTensor`. Constants the device needs
beyond the kernel IR (requantization multipliers and shifts, biases in accumulator
units, pooling divisors) are appended after the planned DDR bytes, each aligned
like every other buffer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import Attribute, Operation, SSAValue

from aicc.base.target import Target
from aicc.dialects.aic import BarrierOp, BufferOp, CoreOp, LayerOp, ProgramOp
from aicc.dialects.aicc import DenseResourceAttr
from aicc.dialects.elements import element_type, resource_key
from aicc.dialects.kernel import buffer_dtype
from aicc.lowering.kernel_to_aic.streams import (
    CoreStream,
    DdrTensor,
    Scratchpad,
    drain,
    int_attr,
    node_attr,
)


class ProgramBuilder:
    """Collects the program's buffers, layers and core streams, layer by layer."""

    def __init__(self, target: Target, cores: int, ddr_bytes: int) -> None:
        self.target = target
        self.cores = cores
        self.ddr_bytes = ddr_bytes
        self.addresses: dict[SSAValue, int] = {}
        self.header: list[Operation] = []
        self.layers: list[Operation] = []
        self.streams: list[list[Operation]] = [[] for _ in range(cores)]
        self.barriers = 0
        self.keys: set[str] = set()

    # -- buffers --------------------------------------------------------------

    def bind(self, value: SSAValue, addr: int) -> None:
        self.addresses[value] = addr

    def tensor(self, value: SSAValue) -> DdrTensor:
        memref = value.type
        assert isinstance(memref, MemRefType)
        return DdrTensor.contiguous(
            self.addresses[value], tuple(memref.get_shape()), buffer_dtype(memref)
        )

    def buffer(
        self, name: str, kind: str, addr: int, memref: MemRefType, value: Attribute | None
    ) -> None:
        resource = value if isinstance(value, DenseResourceAttr) else None
        self.header.append(BufferOp(name, kind, addr, memref, resource))

    def constant(self, name: str, array: np.ndarray) -> DdrTensor:
        """A new constant buffer holding `array` (int32 / float32 / float16 data)."""
        array = np.ascontiguousarray(array)
        key = self._unique_key(resource_key(name))
        alignment = self.target.alignment.ddr_bytes
        addr = -(-self.ddr_bytes // alignment) * alignment
        memref = MemRefType(element_type(array.dtype), array.shape or (1,))
        self.header.append(
            BufferOp(key, "constant", addr, memref, DenseResourceAttr.from_array(key, array))
        )
        self.ddr_bytes = addr + array.nbytes
        return DdrTensor.contiguous(addr, array.shape or (1,), array.dtype)

    def _unique_key(self, key: str) -> str:
        candidate, index = key, 1
        while candidate in self.keys:
            candidate, index = f"{key}_{index}", index + 1
        self.keys.add(candidate)
        return candidate

    # -- layers ---------------------------------------------------------------

    def layer(self, node: str, kind: str, precision: str, macs: int, nbytes: int) -> None:
        self.layers.append(LayerOp(node, kind, precision, macs, nbytes))

    def streams_for(self, node: str) -> list[CoreStream]:
        return [CoreStream(node) for _ in range(self.cores)]

    def scratchpad(self, node: str) -> Scratchpad:
        return Scratchpad(
            self.target.scratchpad_bytes_per_core, self.target.alignment.scratchpad_bytes, node
        )

    def append_layer(self, streams: Sequence[CoreStream]) -> None:
        """Append the layer's streams, each drained (its stores done before the next
        layer reuses the scratchpad)."""
        for core, stream in enumerate(streams):
            drain(stream)
            self.streams[core].extend(stream.ops)

    def barrier(self, node: str) -> None:
        """A barrier on every core: what the layers so far wrote is in DDR for all."""
        properties = {"node": node_attr(node), "id": int_attr(self.barriers)}
        for ops in self.streams:
            ops.append(BarrierOp.create(properties=dict(properties)))
        self.barriers += 1

    def build(self) -> ProgramOp:
        cores = [CoreOp(index, ops) for index, ops in enumerate(self.streams)]
        alignment = self.target.alignment.ddr_bytes
        ddr_bytes = -(-self.ddr_bytes // alignment) * alignment
        body = [*self.header, *self.layers, *cores]
        return ProgramOp.for_target(self.target, ddr_bytes, body, self.cores)
