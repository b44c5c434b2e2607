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


def _loaded_after(code: str, watched: tuple[str, ...]) -> list[str]:
    probe = f"import sys; {code}; print(sorted(m for m in sys.modules if m in {watched!r}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout.strip())  # type: ignore[no-any-return]


CLIENT_SIDE = ("requests", "urllib3", "fakeidp.client", "fakeidp.browser", "fakeidp.transport")


def test_import_fakeidp_loads_no_client_side_until_asked() -> None:
    """The pytest plugin is loaded in every pytest run of anyone who installs fakeidp: a
    bare ``import fakeidp`` stays cheap, and a name brings its module when first used."""
    assert _loaded_after("import fakeidp, fakeidp.pytest_plugin", CLIENT_SIDE) == []
    loaded = _loaded_after("import fakeidp; fakeidp.OAuth2Client", CLIENT_SIDE)
    assert {"fakeidp.client", "requests"} <= set(loaded)
    assert "fakeidp.browser" not in loaded


def test_serve_builds_its_app_without_the_client_side() -> None:
    code = (
        "import fakeidp.cli, fakeidp.serving, fakeidp.config; "
        "from fakeidp.idp.app import create_app; create_app()"
    )
    assert _loaded_after(code, CLIENT_SIDE) == []
