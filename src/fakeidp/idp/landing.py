"""The landing page at ``/`` and the provider listing at ``/_fakeidp/providers``.

Both say, for every provider served, its endpoint URLs on the base URL the
request came to, the real URLs they stand for, its test client and test
users: the landing page for people, the listing (the same JSON as ``fakeidp
providers --json --base-url ...``) for scripts in any language.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template_string, request

from ..info import provider_info
from ..version import __version__
from .context import json_response, store
from .control_input import BadInput, query
from .pages import PAGE_HEADERS, STYLE
from .users import all_users


def base_url() -> str:
    """The base the request came to: the fake IdP's URLs are given on it."""
    return request.host_url.rstrip("/") + request.script_root


def listing(base: str) -> dict[str, Any]:
    s = store()
    with s.lock:
        users = {pid: s.user(pid) for pid in s.providers}
    infos = [
        provider_info(p, base, users[p.id].login, users[p.id].profile) for p in s.providers.values()
    ]
    return {"base_url": base, "providers": infos}


LANDING_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fakeidp on {{ base }}</title>
<style>{{ style }}
header{background:#2b2170;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:24px} header p{margin:6px 0 0;color:#cfd0ef}
header a{color:#fff}
section{margin:18px 28px;background:#fff;border-radius:10px;padding:14px 18px;
 box-shadow:0 1px 6px rgba(20,30,60,.08);overflow-x:auto}
h2{font-size:18px;margin:4px 0 8px} h2 small{color:#5d6678;font-weight:400}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e7ef;vertical-align:top}
th{background:#f4f5fa;font-weight:600;width:150px}
nav a{margin-right:10px}
</style></head>
<body>
<header><h1>fakeidp {{ version }}</h1>
<p>A fake identity provider: {{ infos|length }} provider(s) on <code>{{ base }}</code>,
{{ "strict" if strict else "lenient" }}{% if interactive %}, interactive login{% endif %}.
<a id="dashboard" href="{{ root }}/_fakeidp/">Dashboard</a> ·
<a id="api-docs" href="{{ root }}/_fakeidp/openapi.json">control API (OpenAPI)</a> ·
<a id="providers-json" href="{{ root }}/_fakeidp/providers">this page as JSON</a></p>
</header>
<section><nav>{% for info in infos %}<a href="#{{ info.id }}">{{ info.id }}</a>
{% endfor %}</nav>
<p class="muted">Point a connector's URLs at the left column: each stands for the real URL
beside it. Test credentials are public: they only work here.</p></section>
{% for info in infos %}<section class="provider" id="{{ info.id }}">
<h2>{{ info.name }} <small>{{ info.id }} · {{ info.protocol }}</small></h2>
<table><tbody>
{% for name, urls in info.endpoints.items() %}<tr><th>{{ name }}</th>
<td><code class="url">{{ urls.url }}</code></td>
<td class="muted">stands for <code>{{ urls.real_url }}</code></td></tr>
{% endfor %}<tr><th>client_id</th><td colspan="2"><code class="client-id">
{{- info.client.client_id }}</code></td></tr>
<tr><th>client_secret</th><td colspan="2">{% if info.client.client_secret %}<code>
{{- info.client.client_secret }}</code>{% else %}<span class="muted secret-note">none:
{{ info.client.client_secret_note }}</span>{% endif %}</td></tr>
<tr><th>test user</th><td colspan="2"><code class="login">{{ info.user.login }}</code>
(user id <code>{{ info.user.user_id }}</code> at <code>{{ info.user.user_id_path }}</code>)
</td></tr>{% if others[info.id] %}<tr><th>other users</th><td colspan="2" class="others">
{% for login in others[info.id] %}<code>{{ login }}</code> {% endfor %}<span class="muted">(a
login picks one with <code>login_hint</code>)</span></td></tr>{% endif %}
</tbody></table></section>
{% endfor %}
</body></html>
"""


def landing_blueprint() -> Blueprint:
    bp = Blueprint("landing", __name__)

    @bp.errorhandler(BadInput)
    def bad_input(exc: BadInput) -> Response:
        return json_response(exc.body(), exc.status)

    @bp.get("/")
    def landing() -> Response:
        query(())
        s = store()
        base = base_url()
        infos = listing(base)["providers"]
        html = render_template_string(
            LANDING_TEMPLATE,
            style=STYLE,
            version=__version__,
            base=base,
            root=request.script_root,
            infos=infos,
            others={pid: [u.login for u in all_users(s, pid)[1:]] for pid in s.providers},
            strict=s.strict,
            interactive=s.interactive,
        )
        return Response(html, 200, content_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @bp.get("/_fakeidp/providers")
    def providers() -> Response:
        query(())
        return json_response(listing(base_url()))

    return bp
