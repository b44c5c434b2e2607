"""Conformance reports: JSON (versioned), JUnit XML, one self-contained HTML file,
Markdown for CI summaries, and the terminal summary."""

from __future__ import annotations

from pathlib import Path

from ..conformance.results import Report
from .html import to_html
from .json import read_json, to_json
from .junit import to_junit
from .markdown import to_markdown
from .terminal import summary_lines

__all__ = [
    "read_json",
    "summary_lines",
    "to_html",
    "to_json",
    "to_junit",
    "to_markdown",
    "write_reports",
]


def write_reports(
    report: Report,
    *,
    json: str | Path | None = None,
    junitxml: str | Path | None = None,
    html: str | Path | None = None,
    markdown: str | Path | None = None,
) -> list[Path]:
    """Write each report asked for; the paths written."""
    written = []
    for path, render in (
        (json, to_json),
        (junitxml, to_junit),
        (html, to_html),
        (markdown, to_markdown),
    ):
        if path is None:
            continue
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(report), encoding="utf-8")
        written.append(target)
    return written
