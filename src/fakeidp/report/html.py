"""One self-contained HTML file: a provider-by-check matrix.

Each cell is a ``<details>``: it opens, without JavaScript, to the message,
the expected and actual values, the findings and the redacted requests. No
external resources: the file can be attached to a CI run as it is.
"""

from __future__ import annotations

import html
import json
from typing import Any

from ..conformance.results import STATUS_LABELS, Report, Result
from .terminal import group_lines, headline

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:.25em .4em;text-align:center;vertical-align:top}
th.check{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal}
th.provider{text-align:left;white-space:nowrap}
td{position:relative}summary{cursor:pointer;list-style:none;font-weight:bold;padding:0 .2em}
summary::-webkit-details-marker{display:none}
.pass{background:#dff3e0}.fail{background:#f9d6d5}.warning{background:#fdf0c4}
.not_applicable{background:#eee;color:#777}
details[open]>.detail{position:absolute;z-index:10;left:0;top:1.6em;width:46em;max-height:34em;
overflow:auto;text-align:left;background:#fff;border:1px solid #888;padding:.6em;
box-shadow:0 4px 14px rgba(0,0,0,.25);font-weight:normal}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.4em;margin:.3em 0}
.legend span{display:inline-block;padding:0 .5em;margin-right:.4em}
dt{font-weight:bold}dd{margin:0 0 .4em 0}
"""
MARKS = {"pass": "✔", "fail": "✘", "warning": "!", "not_applicable": "-"}


def _e(value: Any) -> str:
    return html.escape(str(value))


def _pretty(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    return f"<pre>{_e(text)}</pre>"


def _request(exchange: dict[str, Any]) -> str:
    lines = [f"{exchange.get('method')} {exchange.get('url')}"]
    lines += [f"{k}: {v}" for k, v in (exchange.get("headers") or {}).items()]
    for label in ("query", "form"):
        if exchange.get(label):
            lines.append(f"{label}: {json.dumps(exchange[label], ensure_ascii=False)}")
    lines.append(f"→ {exchange.get('status')}")
    response = exchange.get("response")
    if response is not None:
        text = response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)
        lines.append(text[:1500])
    if exchange.get("fault"):
        lines.append(f"(injected fault: {json.dumps(exchange['fault'])})")
    return _pretty("\n".join(lines))


def _detail(r: Result, title: str) -> str:
    parts = [f"<p><b>{_e(title)}</b> at <b>{_e(r.provider)}</b>: {_e(r.message)}</p><dl>"]
    parts.append(f"<dt>expected</dt><dd>{_pretty(r.expected)}</dd>")
    parts.append(f"<dt>actual</dt><dd>{_pretty(r.actual)}</dd>")
    if r.source:
        parts.append(f"<dt>source</dt><dd>{_e(r.source)}</dd>")
    for f in r.findings:
        parts.append(
            f"<dt>finding [{_e(f.get('severity'))}] {_e(f.get('rule'))}</dt>"
            f"<dd>{_e(f.get('message'))}; expected {_e(json.dumps(f.get('expected')))}, "
            f"got {_e(json.dumps(f.get('actual')))} ({_e(f.get('source'))})</dd>"
        )
    if r.evidence:
        parts.append("<dt>requests (secrets redacted)</dt><dd>")
        parts += [_request(e) for e in r.evidence]
        parts.append("</dd>")
    parts.append("</dl>")
    return "".join(parts)


def _cell(r: Result | None, title: str) -> str:
    if r is None:
        return '<td title="not a check for this protocol"></td>'
    label = STATUS_LABELS[r.status]
    return (
        f'<td class="{r.status}"><details><summary title="{_e(label)}: {_e(r.message)}">'
        f'{MARKS[r.status]}</summary><div class="detail">{_detail(r, title)}</div></details></td>'
    )


def to_html(report: Report) -> str:
    titles = {c.id: c.title for c in report.checks}
    head = "".join(
        f'<th class="check" title="{_e(c.title)}">{_e(c.id)}</th>' for c in report.checks
    )
    rows = []
    for p in report.providers:
        cells = "".join(_cell(report.result(p.id, c.id), titles[c.id]) for c in report.checks)
        rows.append(
            f'<tr><th class="provider">{_e(p.name)}<br><small>{_e(p.id)} · {_e(p.protocol)}</small>'
            f"</th>{cells}</tr>"
        )
    checks = "".join(
        f"<dt>{_e(c.id)}</dt><dd>{_e(c.title)} <small>({_e(c.source)})</small></dd>"
        for c in report.checks
    )
    legend = "".join(f'<span class="{s}">{MARKS[s]} {_e(STATUS_LABELS[s])}</span>' for s in MARKS)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>fakeidp conformance: {_e(report.target)}</title><style>{CSS}</style></head><body>"
        f"<h1>fakeidp conformance: {_e(report.target)}</h1>"
        f"<p>{_e(headline(report))}. fakeidp {_e(report.fakeidp_version)}, {_e(report.started)}; "
        f"capabilities: {_e(', '.join(report.capabilities))}.</p>"
        + "".join(f'<p class="note"><strong>Note:</strong> {_e(n)}</p>' for n in report.notes)
        + "".join(f'<p class="group">{_e(line)}</p>' for line in group_lines(report))
        + f'<p class="legend">{legend} Click a cell for what was expected, what arrived, and the '
        "requests.</p>"
        f'<table><thead><tr><th class="provider">provider</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table><h2>Checks</h2><dl>{checks}</dl></body></html>\n"
    )
