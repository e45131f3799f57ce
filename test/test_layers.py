"""The layering holds at run time: every module imports on its own, and the tools load
only the layers they need (`lint-imports` checks the static rule in `pyproject.toml`)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest

from aicc.api import CompileConfig, compile, dump_profile, write_bundle
from aicc.frontend.models import tiny_cnn

COMPILER = ("onnx", "aicc.frontend", "aicc.passes", "aicc.lowering", "aicc.pipeline")

# Forks a child per module from a parent that has loaded the third-party packages but
# no aicc module, so each child imports its module into an interpreter fresh for aicc.
_IMPORT_EACH = textwrap.dedent(
    """
    import importlib, json, os, pkgutil, sys, traceback
    import numpy, xdsl.ir, xdsl.dialects.builtin  # noqa: F401  (shared by every child)

    def modules():
        import aicc
        names = ["aicc"]
        for info in pkgutil.walk_packages(aicc.__path__, "aicc."):
            names.append(info.name)
        for name in [n for n in sys.modules if n == "aicc" or n.startswith("aicc.")]:
            del sys.modules[name]
        return names

    failures = {}
    for name in modules():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                importlib.import_module(name)
                message = ""
            except BaseException:
                message = traceback.format_exc(limit=3)
            os.write(write, message.encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            message = pipe.read()
        os.waitpid(pid, 0)
        if message:
            failures[name] = message
    print(json.dumps(failures))
    """
)


def loaded_after(code: str, cwd: Path) -> set[str]:
    """The modules loaded once `code` (which may call a tool's main) has run."""
    script = f"import sys\n{code}\nprint('\\nMODULES', ' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.rsplit("MODULES ", 1)[1].split())


def of(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.mark.skipif(sys.platform == "win32", reason="needs fork")
def test_every_module_imports_on_its_own() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH], capture_output=True, text=True, check=True
    )
    failures = json.loads(result.stdout)
    assert failures == {}, "\n".join(f"{name}:\n{text}" for name, text in failures.items())


def test_running_a_bundle_loads_no_compiler(tmp_path: Path) -> None:
    onnx.save(tiny_cnn(), tmp_path / "model.onnx")
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "list.txt").write_text(f"{tmp_path / 'x.npy'}\n")
    config = CompileConfig(tmp_path / "model.onnx", input_list=tmp_path / "list.txt")
    dump_profile(config, tmp_path / "pgq.yaml")
    quantized = replace(config.quantization, profile=tmp_path / "pgq.yaml")
    write_bundle(compile(replace(config, quantization=quantized)), tmp_path / "bundle")
    run = (
        "from aicc.tools.aicc_run import main\n"
        "main(['-t', 'bundle', '-i', 'x.npy', '--write-output-dir=out'])"
    )
    loaded = loaded_after(run, tmp_path)
    assert "aicc.runtime.bundle" in loaded and "aicc.sim.device" in loaded
    assert of(loaded, COMPILER) == []
    assert (tmp_path / "out").is_dir()


def test_aicc_opt_on_mlir_loads_no_onnx(tmp_path: Path) -> None:
    (tmp_path / "m.mlir").write_text(
        "func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
        '  %y = onnx.Relu(%x) <{node_name = "r", output_names = ["y"]}> '
        ": (tensor<2xf32>) -> tensor<2xf32>\n"
        "  func.return %y : tensor<2xf32>\n}\n"
    )
    run = "from aicc.tools.aicc_opt import main\nmain(['m.mlir', '-o', 'out.mlir'])"
    loaded = loaded_after(run, tmp_path)
    assert "onnx.Relu" in (tmp_path / "out.mlir").read_text()
    assert of(loaded, ("onnx", "aicc.frontend")) == []
    assert "aicc.dialects.onnx" in loaded
