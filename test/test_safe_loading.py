"""Loading is safe: no file aicc reads can run code.

Read from the source of every package folder and `bench/`, as syntax trees (so a
call split over lines is still seen):
- every `np.load` passes `allow_pickle=False`, and nothing passes `allow_pickle=True`;
- no module imports `pickle` or a relative of it;
- YAML is read only in `base/yaml_file.py`, through a `yaml.SafeLoader` subclass; no
  module names an unsafe loader.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from aicc.base import yaml_file

ROOT = Path(__file__).parent.parent
YAML_READER = ROOT / "base" / "yaml_file.py"
PICKLING_MODULES = {"pickle", "_pickle", "cPickle", "cloudpickle", "dill", "joblib", "shelve"}
UNSAFE_YAML = {"Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}
YAML_READING = {
    "load",
    "load_all",
    "safe_load",
    "safe_load_all",
    "full_load",
    "full_load_all",
    "unsafe_load",
    "unsafe_load_all",
    "compose",
    "compose_all",
    "parse",
    "scan",
}


def source_files() -> list[Path]:
    """Every `.py` file of the package folders (pyproject's package-dir) and bench/."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    folders = [*pyproject["tool"]["setuptools"]["package-dir"].values(), "bench"]
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in source_files():
        yield path, ast.parse(path.read_text(), filename=str(path))


def where(path: Path, node: ast.expr | ast.stmt) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def attribute_of(node: ast.expr, *modules: str) -> str | None:
    """`name` for the expression `module.name`, one of `modules`; else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id in modules else None
    return None


def test_the_scan_sees_the_tree() -> None:
    files = {path.relative_to(ROOT).as_posix() for path in source_files()}
    assert {"base/yaml_file.py", "dialects/ir_io.py", "runtime/inputs.py"} <= files
    assert any(name.startswith("bench/") for name in files)


def test_every_np_load_refuses_pickles() -> None:
    found: list[str] = []
    unsafe: list[str] = []
    for path, tree in trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            flag = keywords.get("allow_pickle")
            if flag is not None and not (isinstance(flag, ast.Constant) and flag.value is False):
                unsafe.append(where(path, node))
            if attribute_of(node.func, "np", "numpy") == "load":
                found.append(where(path, node))
                if flag is None:
                    unsafe.append(where(path, node))
    assert found, "no np.load seen: the scan is broken"
    assert unsafe == []


def test_nothing_imports_pickle() -> None:
    imports: list[str] = []
    for path, tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] in PICKLING_MODULES for name in names):
                imports.append(where(path, node))
    assert imports == []


def yaml_uses(tree: ast.Module) -> Iterator[tuple[ast.expr | ast.stmt, str]]:
    """Each `yaml.NAME` and `from yaml import NAME` in `tree`, with NAME."""
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            name = attribute_of(node, "yaml")
            if name is not None:
                yield node, name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "yaml":
            for alias in node.names:
                yield node, alias.name


@pytest.mark.parametrize("reading", [True, False], ids=["reads-only-in-yaml_file", "no-unsafe"])
def test_yaml_is_read_only_through_the_safe_loader(reading: bool) -> None:
    offending: list[str] = []
    for path, tree in trees():
        for node, name in yaml_uses(tree):
            if reading and path != YAML_READER and (name in YAML_READING or "Loader" in name):
                offending.append(f"{where(path, node)}: yaml.{name}")
            if not reading and name in UNSAFE_YAML:
                offending.append(f"{where(path, node)}: yaml.{name}")
    assert offending == []


def test_the_yaml_loader_is_safe() -> None:
    loaders = [
        value
        for value in vars(yaml_file).values()
        if isinstance(value, type) and issubclass(value, yaml.constructor.BaseConstructor)
    ]
    assert loaders
    assert all(issubclass(loader, yaml.SafeLoader) for loader in loaders)
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml_file._Loader("!!python/object/apply:os.system ['true']").get_single_data()  # pyright: ignore[reportPrivateUsage]
