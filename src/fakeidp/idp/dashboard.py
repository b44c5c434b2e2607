"""The dashboard at ``/_fakeidp/``: recent exchanges and findings, for people.

``?provider=``, ``?endpoint=`` and ``?severity=`` filter; ``?refresh=N``
reloads every N seconds. Each exchange has a page of its own,
``/_fakeidp/exchange/<id>``, with the whole redacted request, the answer and
the findings. The reset button POSTs JSON to ``/_fakeidp/reset`` with
``fetch`` from the same origin (the control plane accepts JSON writes only),
with ``Authorization: Bearer <token>`` when the dashboard was opened with
``?token=``. Everything shown is escaped by Jinja's autoescaping.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.parse
from typing import Any

from flask import Blueprint, Response, abort, render_template_string, request

from .context import store
from .pages import PAGE_HEADERS, STYLE
from .rules import Finding
from .store import Exchange

DASHBOARD_ROWS = 200
SEVERITIES = ("error", "warning")

_DASH_STYLE = """
header{background:#2b2170;color:#fff;padding:16px 28px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#cfd0ef;font-size:13px}
header a{color:#fff}
section{margin:20px 28px;background:#fff;border-radius:10px;padding:14px 18px;
 box-shadow:0 1px 6px rgba(20,30,60,.08);overflow-x:auto}
h2{font-size:17px;margin:4px 0 10px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e3e7ef;vertical-align:top}
th{background:#f4f5fa;font-weight:600}
.sev-error{color:#fff;background:#c0392b;border-radius:4px;padding:1px 6px}
.sev-warning{color:#1d2330;background:#f3c64f;border-radius:4px;padding:1px 6px}
.st-ok{color:#1e7b34;font-weight:600} .st-redirect{color:#2b5bb5;font-weight:600}
.st-bad{color:#c0392b;font-weight:600}
nav{margin:3px 0} nav a{margin-right:10px} nav strong{margin-right:10px}
code.rule{white-space:nowrap;word-break:normal}
pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:#f4f5fa;
 padding:8px 10px;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
button.reset{float:right;padding:6px 14px;border-radius:6px;border:1px solid #c0392b;
 background:#fff;color:#c0392b;font-weight:600;cursor:pointer}
"""

DASHBOARD_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if refresh %}<meta http-equiv="refresh" content="{{ refresh }}">{% endif %}
<title>fakeidp dashboard</title>
<style>{{ style }}</style></head>
<body>
<header><button type="button" class="reset" id="reset">Reset</button>
<h1>fakeidp dashboard</h1>
<p>{{ providers|length }} provider(s) · {{ "strict" if strict else "lenient" }}
{%- if interactive %} · interactive login{% endif %} · {{ exchange_count }} exchange(s),
{{ finding_count }} finding(s) shown · newest first ·
<a href="?{{ refresh_query }}">refresh</a> · <a href="/">providers</a> · JSON:
<a href="exchanges">exchanges</a>, <a href="findings">findings</a>
<span id="reset-status" role="status"></span></p></header>
<section id="filters">
<nav>Provider: {% for label, href, on in provider_links %}{% if on %}<strong>{{ label }}</strong>
{%- else %}<a href="{{ href }}">{{ label }}</a>{% endif %} {% endfor %}</nav>
<nav>Endpoint: {% for label, href, on in endpoint_links %}{% if on %}<strong>{{ label }}</strong>
{%- else %}<a href="{{ href }}">{{ label }}</a>{% endif %} {% endfor %}</nav>
<nav>Severity: {% for label, href, on in severity_links %}{% if on %}<strong>{{ label }}</strong>
{%- else %}<a href="{{ href }}">{{ label }}</a>{% endif %} {% endfor %}</nav>
{% if filtered %}<p class="muted" id="filter">showing {{ filtered }}</p>{% endif %}
</section>
<section id="findings"><h2>Findings</h2>
{% if findings %}<table><thead><tr><th>#</th><th>severity</th><th>provider</th>
<th>endpoint</th><th>rule</th><th>message</th><th>expected</th><th>actual</th></tr></thead>
<tbody>{% for f in findings %}<tr class="finding">
<td><a href="exchange/{{ f.exchange }}{{ keep }}">{{ f.exchange }}</a></td>
<td><span class="sev-{{ f.severity }}">{{ f.severity }}</span></td><td>{{ f.provider }}</td>
<td>{{ f.endpoint }}</td><td><code class="rule" title="{{ f.source }}">{{ f.rule }}</code></td>
<td>{{ f.message }}</td><td><code>{{ f.expected }}</code></td><td><code>{{ f.actual }}</code></td>
</tr>{% endfor %}</tbody></table>
{% else %}<p class="muted">No findings{% if filtered %} here{% else %}: every request so far
followed the rules{% endif %}.</p>{% endif %}
</section>
<section id="exchanges"><h2>Exchanges</h2>
{% if exchanges %}<table><thead><tr><th>#</th><th>time (UTC)</th><th>provider</th>
<th>endpoint</th><th>request</th><th>status</th><th>answer</th><th>findings</th></tr></thead>
<tbody>{% for e in exchanges %}<tr class="exchange" id="x{{ e.id }}">
<td><a href="exchange/{{ e.id }}{{ keep }}">{{ e.id }}</a></td>
<td>{{ e.time }}</td><td>{{ e.provider }}</td><td>{{ e.endpoint }}</td>
<td><code>{{ e.method }} {{ e.path }}</code></td>
<td class="{{ e.status_class }}">{{ e.status }}</td><td><code>{{ e.answer }}</code></td>
<td>{% for rule in e.rules %}<code class="rule">{{ rule }}</code> {% endfor %}</td>
</tr>{% endfor %}</tbody></table>
{% else %}<p class="muted">No requests{% if filtered %} here{% else %} yet. Point a connector
at one of the providers{% endif %}.</p>
{% endif %}</section>
<script nonce="{{ nonce }}">
document.getElementById("reset").addEventListener("click", function () {
  if (!window.confirm("Forget every exchange, finding and fault, back to the start state?")) {
    return;
  }
  var headers = {"Content-Type": "application/json"};
  var token = {{ token|tojson }};
  if (token) headers["Authorization"] = "Bearer " + token;
  var status = document.getElementById("reset-status");
  fetch({{ reset_url|tojson }}, {method: "POST", headers: headers, body: "{}",
         credentials: "same-origin"})
    .then(function (answer) {
      if (answer.ok) { window.location.reload(); return; }
      return answer.json().then(function (body) {
        status.textContent = " · reset refused: " + (body.error_description || answer.status);
      });
    })
    .catch(function (error) { status.textContent = " · reset failed: " + error; });
});
</script>
</body></html>
"""

EXCHANGE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fakeidp exchange #{{ e.id }}</title>
<style>{{ style }}</style></head>
<body>
<header><h1>Exchange #{{ e.id }}: {{ e.provider }} {{ e.endpoint }}</h1>
<p>{{ time }} UTC · <a href="../{{ keep }}">dashboard</a>
{%- if previous %} · <a id="previous" href="{{ previous }}{{ keep }}">#{{ previous }}</a>{% endif %}
{%- if next %} · <a id="next" href="{{ next }}{{ keep }}">#{{ next }}</a>{% endif %}
· secrets redacted</p></header>
<section id="request"><h2>Request</h2>
<pre id="request-line">{{ e.method }} {{ e.url }}</pre>
<h3>Headers</h3><pre id="headers">{{ headers }}</pre>
{% if query %}<h3>Query</h3><pre id="query">{{ query }}</pre>{% endif %}
{% if form %}<h3>Body</h3><pre id="form">{{ form }}</pre>{% endif %}
</section>
<section id="answer"><h2>Answer: <span class="{{ status_class }}">{{ e.status }}</span></h2>
<pre id="response">{{ response }}</pre>
{% if fault %}<h3>Injected fault</h3><pre id="fault">{{ fault }}</pre>{% endif %}
</section>
<section id="findings"><h2>Findings</h2>
{% if findings %}<table><thead><tr><th>severity</th><th>rule</th><th>message</th>
<th>expected</th><th>actual</th><th>source</th></tr></thead><tbody>
{% for f in findings %}<tr class="finding">
<td><span class="sev-{{ f.severity }}">{{ f.severity }}</span></td>
<td><code class="rule">{{ f.rule }}</code></td><td>{{ f.message }}</td>
<td><pre>{{ f.expected }}</pre></td><td><pre>{{ f.actual }}</pre></td><td>{{ f.source }}</td>
</tr>{% endfor %}</tbody></table>
{% else %}<p class="muted">This request broke no rule.</p>{% endif %}
</section>
</body></html>
"""


def _short(value: Any, limit: int = 240) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, indent=2, ensure_ascii=False)


def _answer(response: Any) -> str:
    if isinstance(response, dict) and set(response) == {"redirect"}:
        return "→ " + _short(response["redirect"], 160)
    return "" if response is None else _short(response, 160)


def _status_class(status: int) -> str:
    if 300 <= status < 400:
        return "st-redirect"
    return "st-ok" if 200 <= status < 300 else "st-bad"


def _page(template: str, nonce: str | None = None, **context: Any) -> Response:
    html = render_template_string(template, style=STYLE + _DASH_STYLE, nonce=nonce, **context)
    headers = dict(PAGE_HEADERS)
    if nonce:  # the reset button's script, and the fetch it makes to this origin
        headers["Content-Security-Policy"] += f"; script-src 'nonce-{nonce}'; connect-src 'self'"
    return Response(html, 200, content_type="text/html; charset=utf-8", headers=headers)


def _links(
    name: str, values: list[str], current: str | None, args: dict[str, str]
) -> list[tuple[str, str, bool]]:
    """(label, href, chosen) for "all" and each value of one filter, keeping the others."""
    out = []
    for value in [None, *values]:
        query = {k: v for k, v in args.items() if k != name and k != "refresh"}
        if value is not None:
            query[name] = value
        href = "?" + urllib.parse.urlencode(query) if query else "./"
        out.append((value or "all", href, value == current))
    return out


def _keep_token(args: dict[str, str]) -> str:
    return "?" + urllib.parse.urlencode({"token": args["token"]}) if args.get("token") else ""


def dashboard() -> Response:
    """Recent exchanges and findings, newest first, filtered as the query says."""
    s = store()
    args = request.args.to_dict()
    provider = args.get("provider") or None
    endpoint = args.get("endpoint") or None
    severity = args.get("severity") if args.get("severity") in SEVERITIES else None
    refresh = args.get("refresh", "")
    with s.lock:
        all_findings = list(s.findings)
        dropped = s.findings_dropped  # a finding's index counts the dropped ones too
        recorded = list(s.exchanges)

    def of(e: Exchange) -> list[Finding]:
        return [
            all_findings[i - dropped] for i in e.findings if 0 <= i - dropped < len(all_findings)
        ]

    endpoints = sorted({e.endpoint for e in recorded if provider in (None, e.provider)})

    def finding_shown(f: Finding) -> bool:
        return (
            provider in (None, f.provider)
            and endpoint in (None, f.endpoint)
            and severity in (None, f.severity)
        )

    def severities(e: Exchange) -> set[str]:
        return {f.severity for f in of(e)}

    exchanges = [
        e
        for e in recorded
        if provider in (None, e.provider)
        and endpoint in (None, e.endpoint)
        and (severity is None or severity in severities(e))
    ]
    findings = [f for f in all_findings if finding_shown(f)]
    rows = [
        {
            "id": e.id,
            "time": time.strftime("%H:%M:%S", time.gmtime(e.time)),
            "provider": e.provider,
            "endpoint": e.endpoint,
            "method": e.method,
            "path": "/" + e.url.split("://", 1)[-1].partition("/")[2],
            "status": e.status,
            "status_class": _status_class(e.status),
            "answer": _answer(e.response),
            "rules": [f.rule for f in of(e)],
        }
        for e in reversed(exchanges[-DASHBOARD_ROWS:])
    ]
    shown = [
        {
            "exchange": f.exchange,
            "severity": f.severity,
            "provider": f.provider,
            "endpoint": f.endpoint,
            "rule": f.rule,
            "source": f.source,
            "message": f.message,
            "expected": _short(f.expected),
            "actual": _short(f.actual),
        }
        for f in reversed(findings[-DASHBOARD_ROWS:])
    ]
    chosen = {"provider": provider, "endpoint": endpoint, "severity": severity}
    return _page(
        DASHBOARD_TEMPLATE,
        nonce=secrets.token_urlsafe(16),
        providers=sorted(s.providers),
        strict=s.strict,
        interactive=s.interactive,
        exchange_count=len(exchanges),
        finding_count=len(findings),
        findings=shown,
        exchanges=rows,
        provider_links=_links("provider", sorted(s.providers), provider, args),
        endpoint_links=_links("endpoint", endpoints, endpoint, args),
        severity_links=_links("severity", list(SEVERITIES), severity, args),
        filtered=", ".join(f"{k} {v}" for k, v in chosen.items() if v),
        keep=_keep_token(args),
        token=args.get("token") or "",
        reset_url=request.script_root + "/_fakeidp/reset",
        refresh=int(refresh)
        if refresh.isascii() and refresh.isdigit() and 0 < int(refresh) <= 3600
        else None,
        refresh_query=request.query_string.decode("latin-1"),
    )


def exchange_page(exchange_id: int) -> Response:
    """One exchange: the whole redacted request, the answer, and its findings."""
    s = store()
    with s.lock:
        recorded = {e.id: e for e in s.exchanges}
        exchange = recorded.get(exchange_id)
        if exchange is None:
            abort(404, f"no exchange #{exchange_id} (it may have been reset or pruned)")
        data = exchange.to_dict()
        findings = [f for f in map(s.finding, exchange.findings) if f is not None]
    ids = sorted(recorded)
    at = ids.index(exchange_id)
    return _page(
        EXCHANGE_TEMPLATE,
        e=exchange,
        time=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(exchange.time)),
        headers="\n".join(f"{k}: {v}" for k, v in data["headers"].items()),
        query=_pretty(data["query"]) if data["query"] else "",
        form=_pretty(data["form"]) if data["form"] else "",
        response=_pretty(data["response"]),
        status_class=_status_class(exchange.status),
        fault=_pretty(data["fault"]) if data["fault"] else "",
        findings=[
            {
                "severity": f.severity,
                "rule": f.rule,
                "message": f.message,
                "expected": _pretty(f.expected),
                "actual": _pretty(f.actual),
                "source": f.source,
            }
            for f in findings
        ],
        previous=ids[at - 1] if at > 0 else None,
        next=ids[at + 1] if at + 1 < len(ids) else None,
        keep=_keep_token(request.args.to_dict()),
    )


def dashboard_blueprint() -> Blueprint:
    """The dashboard at exactly ``/_fakeidp/`` and its exchange pages; the JSON control API
    owns the other paths below ``/_fakeidp/``."""
    bp = Blueprint("dashboard", __name__)
    bp.add_url_rule("/_fakeidp/", endpoint="dashboard", view_func=dashboard, methods=["GET"])
    bp.add_url_rule(
        "/_fakeidp/exchange/<int:exchange_id>",
        endpoint="exchange",
        view_func=exchange_page,
        methods=["GET"],
    )
    return bp
