"""Markdown for CI summaries (``$GITHUB_STEP_SUMMARY``): a provider-by-check matrix,
then every failure and warning with what was expected and what arrived."""

from __future__ import annotations

import json
from typing import Any

from ..conformance.results import Report, Result
from .terminal import group_lines, headline

SYMBOLS = {"pass": "✅", "fail": "❌", "warning": "⚠️", "not_applicable": "n/a"}
MAX_VALUE = 300


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > MAX_VALUE:
        text = text[:MAX_VALUE] + "…"
    return "`" + text.replace("`", "'") + "`"


def _item(r: Result) -> str:
    line = f"- **{r.provider}** · `{r.check}`: {_cell(r.message)}"
    if r.expected is not None or r.actual is not None:
        line += f"\n  - expected {_value(r.expected)}, got {_value(r.actual)}"
    if r.source:
        line += f"\n  - source: {_cell(r.source)}"
    return line


def to_markdown(report: Report) -> str:
    out = [f"## fakeidp conformance: {_cell(report.target)}", "", f"**{headline(report)}**", ""]
    out += [f"> **Note:** {_cell(note)}\n" for note in report.notes]
    groups = group_lines(report)
    if groups:
        out += [f"- {_cell(line)}" for line in groups] + [""]
    checks = report.checks
    out.append("| provider | " + " | ".join(f"`{c.id}`" for c in checks) + " |")
    out.append("|---|" + "|".join(":-:" for _ in checks) + "|")
    for p in report.providers:
        cells = []
        for c in checks:
            r = report.result(p.id, c.id)
            cells.append(SYMBOLS[r.status] if r else "")
        out.append(f"| {_cell(p.name)} (`{p.id}`) | " + " | ".join(cells) + " |")
    out += [
        "",
        "✅ pass · ❌ fail · ⚠️ warning · n/a not applicable · blank: not a check for that protocol",
    ]
    for status, title in (("fail", "Failures"), ("warning", "Warnings")):
        items = report.by_status(status)  # type: ignore[arg-type]
        if items:
            out += ["", f"### {title}", ""] + [_item(r) for r in items]
    na = report.by_status("not_applicable")
    if na:
        out += ["", "<details><summary>Not applicable</summary>", ""]
        out += [f"- {r.provider} · `{r.check}`: {_cell(r.message)}" for r in na]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"
