"""lit configuration: FileCheck tests that drive aicc-opt (and aicc-run)."""

import os
import shutil

import lit.formats

config.name = "aicc"  # noqa: F821
config.test_format = lit.formats.ShTest(execute_external=False)  # noqa: F821
config.suffixes = [".mlir", ".onnxtxt", ".test"]  # noqa: F821
config.excludes = ["Inputs", "lit.cfg.py"]  # noqa: F821
config.test_source_root = os.path.dirname(__file__)  # noqa: F821
config.environment["PYTHONWARNINGS"] = "ignore"  # noqa: F821
for tool in ("aicc-opt", "aicc-run", "filecheck"):
    path = shutil.which(tool)
    if path is None:
        raise RuntimeError(f"{tool} not found on PATH: pip install -e '.[test]'")
    config.substitutions.append((tool, path))  # noqa: F821
