"""The binary `aic` program: the codec round-trips every kind of property, constants
are shared with a model's arrays (transposed, bit for bit), and a damaged file is
refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import IntegerAttr, MemRefType, ModuleOp, StringAttr, i32

from aicc.base.errors import UserError
from aicc.base.target import load_target
from aicc.dialects.aic import (
    BufferOp,
    ConvOp,
    CoreOp,
    DmaOp,
    LayerOp,
    MatmulOp,
    ProgramOp,
    VectorOp,
    ViewAttr,
    WaitOp,
)
from aicc.dialects.aic_tables import (
    TableReader,
    encode,
    program_bytes,
    program_constants,
    read_program,
    share_constants,
    tables_module,
)
from aicc.dialects.aicc import DenseResourceAttr
from aicc.dialects.elements import element_type
from aicc.dialects.ir_io import module_text


def _sp(addr: int, shape: list[int], dtype: type, strides: list[int] | None = None) -> ViewAttr:
    return ViewAttr.get("sp", addr, shape, strides, np.dtype(dtype))


def _program() -> ModuleOp:
    weights = np.arange(24, dtype=np.int8).reshape(2, 3, 4)
    constant = DenseResourceAttr.from_array("w", weights)
    memref = MemRefType(element_type(np.dtype(np.int8)), [2, 3, 4])
    x = _sp(0, [4, 4, 2], np.int8)
    instructions = [
        DmaOp(ViewAttr.get("ddr", 64, [24], None, np.int8), _sp(256, [24], np.int8), 3, "w"),
        WaitOp(3, "w"),
        ConvOp(x, _sp(512, [1, 1, 2, 2], np.int8), _sp(1024, [4, 4, 2], np.int32), "i8", "c0",
               zero_points=(3, 0), accumulate=True),
        MatmulOp(_sp(0, [2, 4], np.float32), _sp(128, [4, 2], np.float32),
                 _sp(256, [2, 2], np.float32), "f32", "m0"),
        VectorOp("clip", [_sp(0, [8], np.float32, [2])], [_sp(128, [8], np.float32)], "v0",
                 {"min": -1.5, "max": 6.0, "act": "relu", "axes": (0, 1), "n": 7}),
        VectorOp("add", [_sp(0, [8], np.float32), _sp(0, [8], np.float32)],
                 [_sp(128, [8], np.float32)], "v1"),
    ]  # fmt: skip
    body = [
        BufferOp("x", "input", 0, MemRefType(element_type(np.dtype(np.float32)), [1, 8])),
        BufferOp("w", "constant", 64, memref, constant),
        LayerOp("c0", "conv", "i8", 64, 100),
        CoreOp(0, instructions),
        CoreOp(1, []),
    ]
    module = ModuleOp([ProgramOp.for_target(load_target(), 4096, body, cores=2)])
    module.attributes["aicc.peak_activation_bytes"] = IntegerAttr(256, 64)
    module.attributes["note"] = StringAttr("kept")
    module.attributes["i32"] = IntegerAttr(5, i32)  # not i64: kept as MLIR text
    return module


def test_text_binary_text_is_the_identity(tmp_path: Path) -> None:
    module = _program()
    tables, constants = encode(module)
    path = tmp_path / "p.aicb"
    path.write_bytes(program_bytes(tables))
    again = tables_module(read_program(path), constants.get)
    assert module_text(again, elide_over=None) == module_text(module, elide_over=None)
    reader = TableReader(read_program(path))
    assert reader.names[:2] == ["builtin.module", "aic.program"]
    assert len(reader.views) < 13  # of 13 operand views, equal ones share a row


def test_constants_are_shared_with_transposed_model_arrays() -> None:
    model = np.arange(24, dtype=np.float16).reshape(4, 3, 1, 2)
    device = np.ascontiguousarray(np.transpose(model, (2, 3, 1, 0)))
    zeros = np.zeros(4, np.float32)
    negative_zeros = -zeros
    refs, store = share_constants(
        {"w": device, "b": zeros.copy(), "n": negative_zeros}, {"m": model, "z": zeros}
    )
    by_key = {ref.key: ref for ref in refs}
    assert by_key["w"].store == "m" and by_key["w"].perm is not None
    assert by_key["b"].store == "z" and by_key["b"].perm is None
    assert by_key["n"].store == "n"  # -0.0 is not 0.0 bit for bit
    assert sorted(store) == ["m", "n", "z"]
    tables, _ = encode(_program())
    reader = TableReader(tables)
    loaded = program_constants(reader, lambda key: {"w": device}[key])
    np.testing.assert_array_equal(loaded["w"], device)


def _damaged(tmp_path: Path, edit: object) -> str:
    data = bytearray(program_bytes(encode(_program())[0]))
    assert callable(edit)
    edit(data)
    path = tmp_path / "p.aicb"
    path.write_bytes(bytes(data))
    with pytest.raises(UserError) as info:
        read_program(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def _header(data: bytearray) -> tuple[dict, int]:
    size = int.from_bytes(data[8:16], "little")
    return json.loads(data[16 : 16 + size]), size


def _retype(data: bytearray) -> None:
    header, size = _header(data)
    text = json.dumps(header).replace('"<i4"', '"<i8"', 1).encode()
    data[16 : 16 + size] = text[:size].ljust(size)


def test_a_damaged_file_is_refused_in_one_line(tmp_path: Path) -> None:
    assert "no AICB magic" in _damaged(tmp_path, lambda d: d.__setitem__(slice(0, 4), b"XXXX"))
    version = (7).to_bytes(4, "little")
    assert "version 7 is not 1" in _damaged(tmp_path, lambda d: d.__setitem__(slice(4, 8), version))
    assert "header is not valid" in _damaged(tmp_path, lambda d: d.__setitem__(20, ord("{")))
    assert "is not 1-D <i4" in _damaged(tmp_path, _retype)
