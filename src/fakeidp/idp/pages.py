"""The login and consent page (the dashboard is :mod:`fakeidp.idp.dashboard`).

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
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, render_template_string

from ..providers.model import Provider
from .store import Store, User
from .users import all_users, edited, find, page_json

DECISION_FIELD = "fakeidp_decision"  # "approve" or "deny": the button pressed
LOGIN_FIELD = "fakeidp_login"  # the username typed in
USER_FIELD = "fakeidp_user"  # the registered user picked
EDIT_FIELD = "fakeidp_profile"  # the profile (and claims) edited for this login, as JSON
CONSENT_FIELD = "fakeidp_consent"  # one-time id binding the answer to the request shown
PAGE_FIELDS = frozenset({DECISION_FIELD, LOGIN_FIELD, CONSENT_FIELD, USER_FIELD, EDIT_FIELD})
MAX_PENDING = 1000  # consents waiting for an answer, per app

# Self-contained: inline CSS, no scripts, no external assets. Nothing may frame it.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

STYLE = """
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
input[type=text],select,textarea{width:100%;box-sizing:border-box;padding:9px 10px;
 font-size:15px;border:1px solid #b8c0d0;border-radius:6px}
textarea{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
details{margin-top:12px} summary{cursor:pointer;font-weight:600}
.error{color:#c0392b;font-weight:600}
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
{% endfor %}{% if users|length > 1 %}<label for="user">Sign in as</label>
<select id="user" name="{{ user_field }}">{% for u in users %}
<option value="{{ u.login }}"{% if u.login == chosen %} selected{% endif %}>{{ u.login }}</option>
{%- endfor %}</select>
{% else %}<input type="hidden" name="{{ user_field }}" value="{{ chosen }}">{% endif %}
<label for="username">Username</label>
<input type="text" id="username" name="{{ login_field }}" value="{{ username }}"
 autocomplete="username" autofocus>
<p class="muted">No password: this is a fake. The login name you enter is the one the
application sees.</p>
<details id="edit"><summary>{{ edit_title }} for this login (JSON)</summary>
<textarea id="profile-json" name="{{ edit_field }}" rows="14" spellcheck="false">
{{- editors[chosen] }}</textarea>
<p id="json-error" class="error" role="alert" hidden></p>
<p class="muted">In {{ provider_name }}'s own profile shape{% if with_claims %}; claims go
into the ID token and UserInfo{% endif %}. Only this login sees the change.</p></details>
<div class="buttons">
<button type="submit" id="approve" class="primary" name="{{ decision_field }}"
 value="approve">Approve</button>
<button type="submit" id="deny" name="{{ decision_field }}" value="deny">Deny</button>
</div></form>
<script type="application/json" id="editors">{{ editors|tojson }}</script>
<script nonce="{{ nonce }}">
(function () {
  var editors = JSON.parse(document.getElementById("editors").textContent);
  var pick = document.getElementById("user"), text = document.getElementById("profile-json");
  var name = document.getElementById("username"), error = document.getElementById("json-error");
  if (pick) pick.addEventListener("change", function () {
    text.value = editors[pick.value]; name.value = pick.value; error.hidden = true;
  });
  document.querySelector("form").addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "deny") return;
    try { JSON.parse(text.value); error.hidden = true; }
    catch (e) {
      error.textContent = "The profile is not valid JSON: " + e.message;
      error.hidden = false; document.getElementById("edit").open = true;
      event.preventDefault();
    }
  });
})();
</script>
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
    users: Sequence[User] = (),
) -> Response:
    """The login and consent page; its form posts ``hidden`` back to ``action``.

    With ``users`` the tester picks one (the first is preselected unless ``username``
    names another) and may edit its profile and claims for this login as JSON.
    """
    with_claims = provider.oidc is not None
    users = list(users) or [User(username, {})]
    chosen = next((u.login for u in users if u.login == username), users[0].login)
    editors = {u.login: page_json(u, with_claims=with_claims) for u in users}
    nonce = secrets.token_urlsafe(16)
    html = render_template_string(
        LOGIN_TEMPLATE,
        style=STYLE,
        provider_name=provider.name,
        client_id=client_id,
        scopes=list(scopes),
        username=username,
        hidden=sorted(hidden.items()),
        action=action,
        redirect_uri=redirect_uri,
        login_field=LOGIN_FIELD,
        decision_field=DECISION_FIELD,
        user_field=USER_FIELD,
        edit_field=EDIT_FIELD,
        users=users,
        chosen=chosen,
        editors=editors,
        with_claims=with_claims,
        edit_title="Profile and claims" if with_claims else "Profile",
        nonce=nonce,
    )
    headers = dict(PAGE_HEADERS)
    headers["Content-Security-Policy"] += f"; script-src 'nonce-{nonce}'"
    return Response(html, 200, content_type="text/html; charset=utf-8", headers=headers)


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
    people = all_users(store, provider.id)
    return login_page(
        provider, client_id, scopes, username, hidden, action, redirect_uri, users=people
    )


@dataclass(frozen=True)
class Decision:
    """The user's answer on the login page."""

    approved: bool
    login: str
    params: dict[str, str]  # the parameters of the request that showed the page
    user: str = ""  # the registered user picked (empty: the default)
    edits: str | None = None  # the profile (and claims) as JSON, as the page posted them


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
    return Decision(
        answer == "approve",
        (form.get(LOGIN_FIELD) or "").strip(),
        entry[1],
        form.get(USER_FIELD) or "",
        form.get(EDIT_FIELD),
    )


def strip_page_fields(params: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k not in PAGE_FIELDS}


def decided_user(store: Store, provider: Provider, decision: Decision) -> User:
    """The user the page's answer logs in: the one picked, with its edits, under the name
    typed in. Raises :class:`~fakeidp.idp.users.UserError` for edits that are not JSON."""
    user = find(store, provider.id, decision.user) or store.user(provider.id)
    if decision.edits and decision.edits.strip():
        user = edited(user, decision.edits, with_claims=provider.oidc is not None)
    return user_named(user, decision.login)


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

    return User(login, follow(copy.deepcopy(user.profile)), copy.deepcopy(user.claims))
