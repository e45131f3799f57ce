"""`VectorOpcode`: the one list of vector opcodes, printed as the same plain strings."""

from __future__ import annotations

import numpy as np

from aicc.dialects.aic import VectorOp, VectorOpcode, ViewAttr


def _relu(opcode: str) -> VectorOp:
    view = ViewAttr.get("sp", 0, (4,), None, np.float32)
    return VectorOp(opcode, [view], [view], "r")


def test_an_opcode_member_prints_as_its_string() -> None:
    op = _relu(VectorOpcode.RELU)
    assert type(op.opcode.data) is str
    assert str(op) == str(_relu("relu"))
    assert 'opcode = "relu"' in str(op)


def test_named_and_broadcasts() -> None:
    assert VectorOpcode.named("pool_avg") is VectorOpcode.POOL_AVG
    assert VectorOpcode.named("frobnicate") is None
    assert VectorOpcode.ADD.broadcasts and VectorOpcode.BIAS_ACT.broadcasts
    assert not VectorOpcode.REDUCE_MEAN.broadcasts
