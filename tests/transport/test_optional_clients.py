"""httpx and httpx2 are optional: fakeidp works with either, both (even aliased into one by
``httpx2.alias_httpx()``) or neither, and asking for what a missing one would give names the
``pip install``. Each case runs in a fresh interpreter, the missing library hidden from it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fakeidp

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None


def run(script: str, *args: str) -> list[str]:
    """Run ``script`` in a fresh interpreter on this checkout; its output lines."""
    src = Path(fakeidp.__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


ASKS = {
    "idp.httpx_client()": "httpx",
    "idp.async_httpx_client()": "httpx",
    "idp.httpx2_client()": "httpx2",
    "idp.async_httpx2_client()": "httpx2",
    "fakeidp.WSGITransport": None,  # either will do
}


@pytest.mark.parametrize("hidden", [("httpx",), ("httpx2",), ("httpx", "httpx2")])
def test_without_a_library_fakeidp_works_and_says_what_it_lacks(hidden: tuple[str, ...]) -> None:
    script = """
        import importlib, sys
        hidden, present = sys.argv[1].split(","), sys.argv[2].split(",")
        for name in hidden:
            sys.modules[name] = None  # as if it were not installed
        import requests
        import fakeidp
        from fakeidp import *  # noqa: F403  (nothing in __all__ needs httpx or httpx2)

        with fakeidp.intercept(["uber"]) as idp:
            print("requests", requests.get("https://api.uber.com/v1/me").status_code)
            for name in filter(None, present):  # what is left is still intercepted
                print(name, importlib.import_module(name).get("https://api.uber.com/v1/me").status_code)
        asks = {
            "idp.httpx_client()": lambda: idp.httpx_client(),
            "idp.async_httpx_client()": lambda: idp.async_httpx_client(),
            "idp.httpx2_client()": lambda: idp.httpx2_client(),
            "idp.async_httpx2_client()": lambda: idp.async_httpx2_client(),
            "fakeidp.WSGITransport": lambda: fakeidp.WSGITransport,
        }
        for what, ask in asks.items():
            try:
                ask()
            except ImportError as err:
                print(err)
            else:
                print(what, "works")
    """
    installed = [n for n in ("httpx", "httpx2") if importlib.util.find_spec(n) is not None]
    present = [n for n in installed if n not in hidden]
    lines = run(script, ",".join(hidden), ",".join(present))
    expected = ["requests 401", *(f"{name} 401" for name in present)]
    for what, needs in ASKS.items():
        if needs is None:
            expected.append(
                f"{what} works"
                if present
                else f"fakeidp: {what} needs httpx or httpx2, and neither is installed: "
                "pip install httpx2 (or httpx, or pip install 'fakeidp[httpx2]')"
            )
        elif needs in present:
            expected.append(f"{what} works")
        else:
            expected.append(
                f"fakeidp: {what} needs {needs}, which is not installed: pip install {needs} "
                f"(or pip install 'fakeidp[{needs}]')"
            )
    assert lines == expected


@pytest.mark.skipif(not HAS_HTTPX2, reason="needs httpx2")
def test_httpx_aliased_to_httpx2_is_one_library_patched_once() -> None:
    """``httpx2.alias_httpx()`` makes ``import httpx`` give httpx2: served and restored once
    (patched twice, leaving would put back the first patch, not httpx2's own method)."""
    script = """
        import httpx2
        httpx2.alias_httpx()
        import httpx
        import fakeidp

        assert httpx is httpx2
        before = httpx.HTTPTransport.handle_request
        with fakeidp.intercept(["uber"]) as idp:
            response = httpx.get("https://api.uber.com/v1/me")
            print(type(response).__module__, response.status_code, len(idp.exchanges()))
            idp.acknowledge()
        print(httpx.HTTPTransport.handle_request is before)
    """
    assert run(script) == ["httpx2 401 1", "True"]
