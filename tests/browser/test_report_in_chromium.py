"""The HTML conformance report in a real headless Chromium: what to fix comes first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakeidp.conformance import Engine
from fakeidp.report import to_html
from tests.conformance.broken import BasicEverywhere

from .png import decode, pixel

FAIL_BACKGROUND = (0xF9, 0xD6, 0xD5)  # #problems li.fail in report/html.py
WARN_BACKGROUND = (0xFD, 0xF0, 0xC4)


def test_failures_list_first_and_links_to_the_cell(page: Any, tmp_path: Path) -> None:
    with Engine(BasicEverywhere(), ["twitch", "uber"]) as engine:
        report = engine.run_all()
    path = tmp_path / "report.html"
    path.write_text(to_html(report), encoding="utf-8")
    page.goto(path.as_uri())
    items = page.locator("#problems li")
    assert items.count() == 2
    # Above the matrix, on the first screen.
    problems_box = page.locator("#problems").bounding_box()
    table_box = page.locator("table").bounding_box()
    assert problems_box["y"] + problems_box["height"] <= table_box["y"]
    assert problems_box["y"] < 720
    # Drawn in the status colours: a red failure, then a yellow warning.
    for item, colour in ((items.nth(0), FAIL_BACKGROUND), (items.nth(1), WARN_BACKGROUND)):
        width, height, rows = decode(item.screenshot())
        assert pixel(rows, width - 3, height // 2) == colour
    assert items.nth(0).inner_text().endswith('\nFix: Connection(client_auth="body")')
    # The link leads to the failed cell, outlined as the target; the cell opens to the details.
    items.nth(0).locator("a").click()
    assert page.url.endswith("#r-twitch-token-client_auth")
    cell = page.locator("#r-twitch-token-client_auth")
    assert cell.evaluate("c => getComputedStyle(c).outlineStyle") == "solid"
    cell.locator("summary").click()
    assert "Authorization: Basic [redacted]" in cell.locator(".detail").inner_text()
    shot = page.screenshot()
    assert len(shot) > 5000
