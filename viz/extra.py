"""The optional extra `plot`: its modules are imported only when a picture is drawn."""

from __future__ import annotations

import importlib
from types import ModuleType

from aicc.base.errors import UserError

INSTALL_PLOT = "pip install 'aicc[plot]'"


def import_plot_module(name: str, purpose: str) -> ModuleType:
    """`name` (a module of the `plot` extra), or a one-line `UserError` saying what to install."""
    try:
        return importlib.import_module(name)
    except ImportError:
        package = name.split(".")[0]
        raise UserError(f"{purpose} needs the {package} package: {INSTALL_PLOT}") from None
