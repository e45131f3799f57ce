"""Shared check for YAML readers: a bad file is one UserError line that names the file."""

from collections.abc import Callable
from pathlib import Path

import pytest

from aicc.base.errors import UserError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(path: Path, text: str, load: Callable[[Path], object]) -> str:
    """The message for `text` written to `path`, after the file name it starts with."""
    write(path, text)
    with pytest.raises(UserError) as e:
        load(path)
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message.removeprefix(str(path))
