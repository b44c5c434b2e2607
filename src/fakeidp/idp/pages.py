"""HTML pages for people: the login and consent page, and the dashboard at ``/_fakeidp/``.

The login page is shown in interactive mode instead of auto-approving. It is
reusable by any protocol: :func:`consent_page` renders it for a provider,
client, scopes and prefilled username, with the request's own parameters as
hidden fields, and remembers those parameters under a one-time consent id.
The POST back is read with :func:`take_decision`, which returns the remembered
parameters (not the posted copies), the user's answer and the entered name, so
the endpoint continues the same code path it would have taken without the page.

Everything shown is HTML-escaped by Jinja's autoescaping: state, scopes and
client ids come from whoever built the URL.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template_string, request

from ..providers.model import Provider
from .context import store
from .store import Store, User

DECISION_FIELD = "fakeidp_decision"  # "approve" or "deny": the button pressed
LOGIN_FIELD = "fakeidp_login"  # the username typed in
CONSENT_FIELD = "fakeidp_consent"  # one-time id binding the answer to the request shown
PAGE_FIELDS = frozenset({DECISION_FIELD, LOGIN_FIELD, CONSENT_FIELD})
MAX_PENDING = 1000  # consents waiting for an answer, per app
DASHBOARD_ROWS = 200

# Self-contained: inline CSS, no scripts, no external assets. Nothing may frame it.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
 background:#eef1f6;color:#1d2330}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef1f6;
 padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
.muted{color:#5d6678;font-size:13px}
.brand{margin:0 0 4px;color:#5d6678;font-size:12px;letter-spacing:.06em;text-transform:uppercase}
"""

LOGIN_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with {{ provider_name }} · fakeidp</title>
<style>{{ style }}
main{max-width:430px;margin:48px auto;background:#fff;border-radius:12px;padding:28px 32px;
 box-shadow:0 2px 14px rgba(20,30,60,.12);border-top:6px solid #5b4bd6}
h1{margin:0 0 14px;font-size:26px;color:#2b2170}
ul{padding-left:20px;margin:6px 0 16px}
label{display:block;font-weight:600;margin:14px 0 4px}
input[type=text]{width:100%;box-sizing:border-box;padding:9px 10px;font-size:15px;
 border:1px solid #b8c0d0;border-radius:6px}
.buttons{display:flex;gap:12px;margin-top:20px}
button{flex:1;padding:10px;font-size:15px;border-radius:6px;border:1px solid #b8c0d0;
 background:#f7f8fb;cursor:pointer}
button.primary{background:#5b4bd6;border-color:#5b4bd6;color:#fff;font-weight:600}
</style></head>
<body><main>
<p class="brand">fakeidp · a fake identity provider</p>
<h1 id="provider">{{ provider_name }}</h1>
<p>The application <code id="client">{{ client_id }}</code> wants to sign you in
{%- if scopes %} and asks for:{% else %}.{% endif %}</p>
{% if scopes %}<ul id="scopes">{% for scope in scopes %}<li><code>{{ scope }}</code></li>
{% endfor %}</ul>{% else %}<p id="scopes" class="muted">No scopes requested.</p>{% endif %}
<form method="post" action="{{ action }}">
{% for name, value in hidden %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}<label for="username">Username</label>
<input type="text" id="username" name="{{ login_field }}" value="{{ username }}"
 autocomplete="username" autofocus>
<p class="muted">No password: this is a fake. The login name you enter is the one the
application sees.</p>
<div class="buttons">
<button type="submit" id="approve" class="primary" name="{{ decision_field }}"
 value="approve">Approve</button>
<button type="submit" id="deny" name="{{ decision_field }}" value="deny">Deny</button>
</div></form>
{% if redirect_uri %}<p class="muted">You will be sent back to
<code id="redirect">{{ redirect_uri }}</code></p>{% endif %}
</main></body></html>
"""


def login_page(
    provider: Provider,
    client_id: str,
    scopes: Sequence[str],
    username: str,
    hidden: Mapping[str, str],
    action: str,
    redirect_uri: str | None = None,
) -> Response:
    """The login and consent page; its form posts ``hidden`` back to ``action``."""
    html = render_template_string(
        LOGIN_TEMPLATE,
        style=_STYLE,
        provider_name=provider.name,
        client_id=client_id,
        scopes=list(scopes),
        username=username,
        hidden=sorted(hidden.items()),
        action=action,
        redirect_uri=redirect_uri,
        login_field=LOGIN_FIELD,
        decision_field=DECISION_FIELD,
    )
    return Response(html, 200, content_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def consent_page(
    store: Store,
    provider: Provider,
    client_id: str,
    scopes: Sequence[str],
    username: str,
    params: Mapping[str, str],
    action: str,
    redirect_uri: str | None = None,
) -> Response:
    """Remember ``params`` under a new consent id and show the login page for them."""
    consent = store.new_secret(16)
    with store.lock:
        pending: dict[str, tuple[str, dict[str, str]]] = store.extra.setdefault("consents", {})
        while len(pending) >= MAX_PENDING:
            del pending[next(iter(pending))]  # the oldest first
        pending[consent] = (provider.id, dict(params))
    hidden = {**params, CONSENT_FIELD: consent}
    return login_page(provider, client_id, scopes, username, hidden, action, redirect_uri)


@dataclass(frozen=True)
class Decision:
    """The user's answer on the login page."""

    approved: bool
    login: str
    params: dict[str, str]  # the parameters of the request that showed the page


def take_decision(store: Store, provider_id: str, form: Mapping[str, str]) -> Decision | None:
    """The answer posted from a page :func:`consent_page` showed, once; else None.

    A missing, unknown or reused consent id, or one shown for another provider,
    gives None: the caller then treats the request as a new one.
    """
    consent, answer = form.get(CONSENT_FIELD), form.get(DECISION_FIELD)
    if not consent or answer not in ("approve", "deny"):
        return None
    with store.lock:
        pending = store.extra.get("consents", {})
        entry = pending.get(consent)
        if entry is None or entry[0] != provider_id:
            return None
        del pending[consent]
    return Decision(answer == "approve", (form.get(LOGIN_FIELD) or "").strip(), entry[1])


def strip_page_fields(params: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k not in PAGE_FIELDS}


def user_named(user: User, login: str) -> User:
    """``user`` logged in as ``login``: every profile string equal to the old login follows.

    Kept simple on purpose: the user id and every other field stay the same, so
    the application sees the same account under the name that was typed in.
    """
    if not login or login == user.login:
        return user

    def follow(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: follow(v) for k, v in value.items()}
        if isinstance(value, list):
            return [follow(v) for v in value]
        return login if value == user.login else value

    return User(login, follow(copy.deepcopy(user.profile)))


# -- the dashboard ------------------------------------------------------------------
DASHBOARD_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if refresh %}<meta http-equiv="refresh" content="{{ refresh }}">{% endif %}
<title>fakeidp dashboard</title>
<style>{{ style }}
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
nav a{margin-right:10px} code.rule{white-space:nowrap;word-break:normal}
</style></head>
<body>
<header><h1>fakeidp dashboard</h1>
<p>{{ providers|length }} provider(s) · {{ "strict" if strict else "lenient" }}
{%- if interactive %} · interactive login{% endif %} · {{ exchange_count }} exchange(s),
{{ finding_count }} finding(s) recorded · newest first ·
<a href="?{{ refresh_query }}">refresh</a> · JSON: <a href="exchanges">exchanges</a>,
<a href="findings">findings</a></p></header>
<section><nav>Provider:
<a href="./">all</a>{% for pid in providers %} <a href="?provider={{ pid }}">{{ pid }}</a>
{%- endfor %}{% if provider %} · showing <strong id="filter">{{ provider }}</strong>{% endif %}
</nav></section>
<section id="findings"><h2>Findings</h2>
{% if findings %}<table><thead><tr><th>#</th><th>severity</th><th>provider</th>
<th>endpoint</th><th>rule</th><th>message</th><th>expected</th><th>actual</th></tr></thead>
<tbody>{% for f in findings %}<tr class="finding">
<td><a href="#x{{ f.exchange }}">{{ f.exchange }}</a></td>
<td><span class="sev-{{ f.severity }}">{{ f.severity }}</span></td><td>{{ f.provider }}</td>
<td>{{ f.endpoint }}</td><td><code class="rule" title="{{ f.source }}">{{ f.rule }}</code></td>
<td>{{ f.message }}</td><td><code>{{ f.expected }}</code></td><td><code>{{ f.actual }}</code></td>
</tr>{% endfor %}</tbody></table>
{% else %}<p class="muted">No findings: every request so far followed the rules.</p>{% endif %}
</section>
<section id="exchanges"><h2>Exchanges</h2>
{% if exchanges %}<table><thead><tr><th>#</th><th>time (UTC)</th><th>provider</th>
<th>endpoint</th><th>request</th><th>status</th><th>answer</th><th>findings</th></tr></thead>
<tbody>{% for e in exchanges %}<tr class="exchange" id="x{{ e.id }}"><td>{{ e.id }}</td>
<td>{{ e.time }}</td><td>{{ e.provider }}</td><td>{{ e.endpoint }}</td>
<td><code>{{ e.method }} {{ e.path }}</code></td>
<td class="{{ e.status_class }}">{{ e.status }}</td><td><code>{{ e.answer }}</code></td>
<td>{% for rule in e.rules %}<code class="rule">{{ rule }}</code> {% endfor %}</td>
</tr>{% endfor %}</tbody></table>
{% else %}<p class="muted">No requests yet. Point a connector at one of the providers.</p>
{% endif %}</section>
</body></html>
"""


def _short(value: Any, limit: int = 240) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _answer(response: Any) -> str:
    if isinstance(response, dict) and set(response) == {"redirect"}:
        return "→ " + _short(response["redirect"], 160)
    return "" if response is None else _short(response, 160)


def _status_class(status: int) -> str:
    if 300 <= status < 400:
        return "st-redirect"
    return "st-ok" if 200 <= status < 300 else "st-bad"


def dashboard() -> Response:
    """Recent exchanges and findings, newest first (``?provider=`` filters, ``?refresh=``)."""
    s = store()
    provider = request.args.get("provider") or None
    refresh = request.args.get("refresh", "")
    with s.lock:
        all_findings = list(s.findings)
        dropped = s.findings_dropped  # a finding's index counts the dropped ones too
        exchanges = [e for e in s.exchanges if provider in (None, e.provider)]
        exchange_count = len(exchanges)
        exchanges = exchanges[-DASHBOARD_ROWS:]
    findings = [f for f in all_findings if provider in (None, f.provider)]
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
            "rules": [
                all_findings[i - dropped].rule
                for i in e.findings
                if 0 <= i - dropped < len(all_findings)
            ],
        }
        for e in reversed(exchanges)
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
    html = render_template_string(
        DASHBOARD_TEMPLATE,
        style=_STYLE,
        providers=sorted(s.providers),
        provider=provider,
        strict=s.strict,
        interactive=s.interactive,
        exchange_count=exchange_count,
        finding_count=len(findings),
        findings=shown,
        exchanges=rows,
        refresh=int(refresh)
        if refresh.isascii() and refresh.isdigit() and 0 < int(refresh) <= 3600
        else None,
        refresh_query=request.query_string.decode("latin-1"),
    )
    return Response(html, 200, content_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def pages_blueprint() -> Blueprint:
    """The dashboard at exactly ``/_fakeidp/``; the JSON control API owns the paths below it."""
    bp = Blueprint("pages", __name__)
    bp.add_url_rule("/_fakeidp/", endpoint="dashboard", view_func=dashboard, methods=["GET"])
    return bp
