"""The shape of the house (DESIGN.md): the library never imports its command line;
the IdP and the reference client never import each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fakeidp"


def _imports(package: str) -> dict[str, set[str]]:
    """Each module of ``fakeidp.<package>`` -> the fakeidp modules it imports."""
    out: dict[str, set[str]] = {}
    for path in sorted((SRC / package).glob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = [package] if node.level == 1 else []
                module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
                names.add(module if node.level else module.removeprefix("fakeidp."))
            elif isinstance(node, ast.Import):
                names.update(a.name.removeprefix("fakeidp.") for a in node.names)
        out[path.name] = names
    return out


@pytest.mark.parametrize(("package", "other"), [("client", "idp"), ("idp", "client")])
def test_the_two_sides_never_import_each_other(package: str, other: str) -> None:
    for module, names in _imports(package).items():
        assert not [n for n in names if n == other or n.startswith(other + ".")], module


def test_the_library_never_imports_the_command_line() -> None:
    code = (
        "import sys, fakeidp, fakeidp.conformance.http_app, fakeidp.conformance.engine, "
        "fakeidp.pytest_plugin; print(sorted(m for m in sys.modules if m in ('fakeidp.cli', 'fakeidp.cli_conformance')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
