"""The -node-precision-info reader: names, YAML pitfalls, one-line errors with lines, set hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from yaml_errors import one_line_error, write

from aicc.base.errors import UserError
from aicc.base.node_precision import (
    FP32_REFUSAL,
    NodePrecisionInfo,
    check_names,
    fp16_set_hash,
    load_node_precision_info,
)


def _file(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "node_precision.yaml", text)


def _error(tmp_path: Path, text: str) -> str:
    return one_line_error(tmp_path / "node_precision.yaml", text, load_node_precision_info)


def test_flow_list_in_file_order(tmp_path: Path) -> None:
    info = load_node_precision_info(_file(tmp_path, "FP16NodeInstanceNames: [conv0, bn0, relu0]\n"))
    assert info.fp16_names == ("conv0", "bn0", "relu0")
    assert info.path == tmp_path / "node_precision.yaml"


def test_block_list_keeps_lines(tmp_path: Path) -> None:
    text = "# mixed precision\nFP16NodeInstanceNames:\n  - b\n  - a\n"
    info = load_node_precision_info(_file(tmp_path, text))
    assert info.fp16_names == ("b", "a")
    assert info.lines == (3, 4)


@pytest.mark.parametrize(
    ("item", "read_as"),
    [
        ("010", "the integer 8"),
        ("12:30", "the integer 750"),
        ("yes", "the boolean true"),
        ("1.5", "the float 1.5"),
        ("~", "null"),
        ("2001-12-14", "the timestamp 2001-12-14"),
        ("0x1F", "the integer 31"),
    ],
)
def test_item_yaml_reads_as_non_string(tmp_path: Path, item: str, read_as: str) -> None:
    message = _error(tmp_path, f"FP16NodeInstanceNames:\n  - conv0\n  - {item}\n")
    assert message == (
        f":3: FP16NodeInstanceNames item {item} is read by YAML as {read_as}, "
        f"not a name; quote it: '{item}'"
    )


def test_pytorch_numeric_names_first_offender_reported(tmp_path: Path) -> None:
    message = _error(tmp_path, "\nFP16NodeInstanceNames: [010, 12:30, yes]\n")
    assert message.startswith(":2: FP16NodeInstanceNames item 010 is read by YAML as the integer 8")


def test_quoted_names_are_names(tmp_path: Path) -> None:
    info = load_node_precision_info(
        _file(tmp_path, "FP16NodeInstanceNames: ['010', \"12:30\", 'yes', '~']\n")
    )
    assert info.fp16_names == ("010", "12:30", "yes", "~")


def test_duplicate_key(tmp_path: Path) -> None:
    message = _error(tmp_path, "FP16NodeInstanceNames: [a]\nFP16NodeInstanceNames: [b]\n")
    assert message == ":2: duplicate key 'FP16NodeInstanceNames' (first at line 1)"


def test_fp32_key_refused_with_seed_rule(tmp_path: Path) -> None:
    message = _error(tmp_path, "FP16NodeInstanceNames: [a]\nFP32NodeInstanceNames: [b]\n")
    assert message == f":2: {FP32_REFUSAL}"
    assert "-keep-original-precision-for-nodes" in message


def test_unknown_key(tmp_path: Path) -> None:
    message = _error(tmp_path, "FP16NodeInstanceNames: [a]\n\nFp16Names: [b]\n")
    assert message.startswith(":3: unknown key 'Fp16Names'")


def test_yaml_that_does_not_parse(tmp_path: Path) -> None:
    message = _error(tmp_path, "FP16NodeInstanceNames: [a,\n  b\nother: [\n")
    assert message == ":3: YAML does not parse: expected ',' or ']', but got ':'"


def test_tab_indentation_does_not_parse(tmp_path: Path) -> None:
    assert _error(tmp_path, "FP16NodeInstanceNames:\n\t- a\n").startswith(":2: YAML does not parse")


def test_empty_file(tmp_path: Path) -> None:
    assert _error(tmp_path, "# nothing\n").startswith(": empty file")


def test_missing_key(tmp_path: Path) -> None:
    assert _error(tmp_path, "{}\n") == ":1: missing key FP16NodeInstanceNames"


@pytest.mark.parametrize(
    ("value", "shown"), [("conv0", "the string 'conv0'"), ("", "null"), ("{a: 1}", "a mapping")]
)
def test_value_not_a_list(tmp_path: Path, value: str, shown: str) -> None:
    message = _error(tmp_path, f"FP16NodeInstanceNames: {value}\n")
    assert message.startswith(":1: FP16NodeInstanceNames must be a list")
    assert message.endswith(f"not {shown}")


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    assert _error(tmp_path, "- conv0\n").startswith(":1: the node precision info must be a mapping")


def test_nested_item(tmp_path: Path) -> None:
    message = _error(tmp_path, "FP16NodeInstanceNames:\n  - a\n  - [b, c]\n")
    assert message == ":3: FP16NodeInstanceNames item is a list, not a name"


def test_duplicate_name_warns_and_is_used_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "FP16NodeInstanceNames:\n  - a\n  - b\n  - a\n")
    info = load_node_precision_info(path)
    assert info.fp16_names == ("a", "b")
    err = capsys.readouterr().err
    assert err == (
        f"warning: {path}:4: FP16NodeInstanceNames lists 'a' again (first at line 2); "
        "using it once\n"
    )


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="missing.yaml: cannot read"):
        load_node_precision_info(tmp_path / "missing.yaml")


def test_check_names_suggests_nearest(tmp_path: Path) -> None:
    info = load_node_precision_info(
        _file(tmp_path, "FP16NodeInstanceNames:\n- conv0\n- bn_0\n- zzz\n")
    )
    check_names(NodePrecisionInfo(("conv0",), info.path), ["conv0", "bn0"])
    with pytest.raises(UserError) as e:
        check_names(info, ["conv0", "bn0", "relu0", "conv1"])
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(f"{info.path}: FP16NodeInstanceNames names no op's first output")
    assert "line 3 'bn_0' (did you mean 'bn0'?)" in message
    assert "line 4 'zzz' (no similar name)" in message
    assert "conv0" not in message


def test_hash_is_of_the_set(tmp_path: Path) -> None:
    a = load_node_precision_info(_file(tmp_path, "FP16NodeInstanceNames: [conv0, bn0, relu0]\n"))
    b_path = tmp_path / "b.yaml"
    b_path.write_text("FP16NodeInstanceNames:\n  - relu0\n  - conv0\n  - bn0\n  - conv0\n")
    b = load_node_precision_info(b_path)
    assert fp16_set_hash(a.fp16_names) == fp16_set_hash(b.fp16_names)
    assert fp16_set_hash(["conv0", "bn0"]) != fp16_set_hash(a.fp16_names)
    # Names are joined unambiguously: ["a,b"] is not ["a", "b"].
    assert fp16_set_hash(["a,b"]) != fp16_set_hash(["a", "b"])
    assert len(fp16_set_hash([])) == 64
