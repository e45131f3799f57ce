"""aicc's own passes, one `ModulePass` per module.

`AICC_PASSES` maps each pass name to its class, for `aicc-opt` and the API.
"""

from collections.abc import Callable

from xdsl.passes import ModulePass

AICC_PASSES: dict[str, Callable[[], type[ModulePass]]] = {}
