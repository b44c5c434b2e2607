"""A real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Never Playwright's own browser download: ``executable_path`` points at the
system Chromium, with the flags this machine needs (no sandbox as root, no
background networking on a closed network). Playwright starts each browser
with a new, empty profile directory (``--user-data-dir``). One browser per
test module; a fresh context (cookies, storage) per test.

Outside CI the tests skip, with the reason, when Chromium or Playwright is
missing; in CI (``CI=true``) they must run, so a missing browser fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs Chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 720, "height": 720})
    context.set_default_timeout(5000)
    try:
        yield context.new_page()
    finally:
        context.close()
