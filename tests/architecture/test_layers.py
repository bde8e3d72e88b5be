"""The house's one-way layers (issue 16, ARCHITECTURE.md): the import-linter contract in
pyproject.toml holds with no import ignored, covers every module of the project package,
and nothing imports inside a function to hide a cycle."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("credentials", "cec", "payments", "renewal_portal")


def _contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    return contract


def test_imports_point_one_way_through_the_layers():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "0 broken" in result.stdout


def test_no_import_is_ignored():
    assert not _contract().get("ignore_imports")


def test_every_module_of_the_project_package_is_in_a_layer():
    named = {
        module.strip()
        for layer in _contract()["layers"]
        for group in layer.replace("|", ":").split(":")
        for module in [group]
    }
    package = ROOT / "renewal_portal"
    modules = {
        f"renewal_portal.{path.stem if path.is_file() else path.name}"
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert modules - named == set(), "add the new module to a layer in pyproject.toml"


def _imports_inside_functions(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready":
            continue  # AppConfig.ready: Django's place to wire signals once apps are loaded
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in APPS:
                    yield f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"


def test_nothing_imports_the_project_inside_a_function():
    """An import inside a function hides a cycle from the reader and from the linter's
    report; the fix is a signal, a registry, or the module in its proper layer."""
    found = [
        hit
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for hit in _imports_inside_functions(path)
    ]
    assert found == []
