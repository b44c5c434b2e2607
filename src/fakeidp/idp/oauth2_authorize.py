"""The OAuth 2.0 authorization endpoint (RFC 6749 §4.1.1, RFC 7636 §4.3).

By default it auto-approves as the provider's test user and redirects with a
code. In interactive mode it shows the login and consent page instead
(:mod:`fakeidp.idp.pages`); the page posts the request back with the user's
answer and the same code path continues. Every request is checked against the
provider's rules and the connection's expectations; see :mod:`fakeidp.idp.rules`.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from flask import Response, request

from . import oidc, pages, users
from . import rules as R
from .context import RequestContext
from .rules import Finding, Rule, Severity, make_finding
from .store import Code, Grant
from .users import UserError

# RFC 6749 §4.1.1, RFC 7636 §4.3, and OIDC Core §3.1.2.1 parameters every
# OAuth 2.0 provider tolerates.
STANDARD_PARAMS = frozenset(
    {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "nonce",
        "prompt",
        "login_hint",
    }
)
# Separators a connector might use by mistake.
_SEPARATORS = re.compile(r"[ ,+;]")


def split_scope(raw: str | None, separator: str) -> list[str]:
    if not raw:
        return []
    return [s for s in raw.split(separator) if s]


def lenient_scope(raw: str) -> list[str]:
    return [s for s in _SEPARATORS.split(raw) if s]


def redirect_with(uri: str, params: Mapping[str, str | None]) -> Response:
    """Add ``params`` to the redirect URI's query, keeping what it had (RFC 6749 §3.1.2)."""
    parts = urllib.parse.urlsplit(uri)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    location = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    return Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


class AlreadyChecked(RequestContext):
    """The answer from the login page: the request that showed the page recorded the
    findings; the checks run again (the same path) without recording them twice."""

    def __init__(self, ctx: RequestContext) -> None:
        super().__init__(ctx.provider, ctx.endpoint, ctx.exchange, ctx.url_name)

    def flag(
        self,
        rule: Rule,
        message: str,
        expected: Any,
        actual: Any,
        severity: Severity | None = None,
        source: str | None = None,
    ) -> Finding:
        finding = make_finding(
            rule, self.provider.id, self.endpoint, message, expected, actual, severity
        )
        finding.source = source or finding.source
        return finding


def authorize(ctx: RequestContext) -> Response:
    p = ctx.provider
    rules = p.oauth2
    assert rules is not None
    args = request.args.to_dict() if request.method == "GET" else request.values.to_dict()
    store = ctx.store
    decision = pages.take_decision(store, p.id, args) if request.method == "POST" else None
    if decision is not None:
        args, ctx = decision.params, AlreadyChecked(ctx)
    else:
        args = pages.strip_page_fields(args)

    # 1. The client and the redirect URI: if either is unusable, show an error
    #    page and never redirect (RFC 6749 §4.1.2.1, §10.15).
    client = store.client(p.id, args.get("client_id"))
    if client is None:
        ctx.flag(
            R.AUTHZ_CLIENT_ID,
            "unknown client_id",
            sorted(store.clients[p.id]),
            args.get("client_id"),
        )
        return ctx.error_page("Unknown client", "client_id is missing or not registered.")
    redirect_uri = args.get("redirect_uri")
    if redirect_uri:
        if client.redirect_uris and redirect_uri not in client.redirect_uris:
            ctx.flag(
                R.AUTHZ_REDIRECT_URI,
                "redirect_uri does not match a registered URI",
                client.redirect_uris,
                redirect_uri,
            )
            return ctx.error_page(
                "Redirect URI mismatch", "redirect_uri does not match the registered URIs."
            )
        target = redirect_uri
    elif client.redirect_uris and (
        rules.redirect_uri_check == "registered" or not rules.redirect_uri_required
    ):
        target = client.redirect_uris[0]
    else:
        ctx.flag(
            R.AUTHZ_REDIRECT_URI,
            "redirect_uri is missing and none can be taken from the registration",
            "a redirect_uri",
            None,
        )
        return ctx.error_page("Missing redirect URI", "redirect_uri is required.")

    state = args.get("state")

    def fail(error: str, description: str) -> Response:
        return redirect_with(
            target,
            # RFC 9207 §2: iss in error responses too, where the provider sends it.
            {
                "error": error,
                "error_description": description,
                "state": state,
                "iss": oidc.authorization_iss(ctx.provider),
            },
        )

    # 2. RFC 6749 §4.1.1 parameters.
    if args.get("response_type") != "code":
        f = ctx.flag(
            R.AUTHZ_RESPONSE_TYPE, "response_type must be 'code'", "code", args.get("response_type")
        )
        if ctx.refuse(f):
            return fail("unsupported_response_type", "response_type must be code")
    if not state:
        f = ctx.flag(
            R.AUTHZ_STATE,
            "no state parameter",
            "an unguessable value",
            None,
            "error" if rules.state_required else "warning",
        )
        if ctx.refuse(f):
            return fail("invalid_request", "state is required")
    for name in rules.required_authorize_params:
        if not args.get(name):
            f = ctx.flag(R.AUTHZ_REQUIRED_PARAM, f"{name} is required", name, None)
            if ctx.refuse(f):
                return fail("invalid_request", f"missing required parameter: {name}")
    for name, want in rules.authorize_param_values.items():
        if args.get(name) not in (None, want):
            f = ctx.flag(
                R.AUTHZ_PARAM_VALUE, f"{name} must be {want!r}", {name: want}, {name: args[name]}
            )
            if ctx.refuse(f):
                return fail("invalid_request", f"invalid value for parameter: {name}")

    # 3. Scope and its separator (RFC 6749 §3.3: the provider defines the list form).
    raw_scope = args.get("scope")
    if rules.scope_ignored or raw_scope is None:
        scope = [] if rules.scope_ignored else list(rules.default_scope)
    else:
        scope = split_scope(raw_scope, rules.scope_separator)
        wrong = [s for s in scope if _SEPARATORS.search(s)]
        if wrong:
            fixed = rules.scope_separator.join(lenient_scope(raw_scope))
            f = ctx.flag(
                R.AUTHZ_SCOPE_SEPARATOR,
                f"scopes must be joined with {rules.scope_separator!r}",
                fixed,
                raw_scope,
            )
            if ctx.refuse(f):
                return fail("invalid_scope", f"unknown scope: {wrong[0]}")
            scope = lenient_scope(raw_scope)

    # 4. PKCE by provider policy (RFC 7636 §4.3, §4.4.1).
    challenge = args.get("code_challenge")
    method = args.get("code_challenge_method") or ("plain" if challenge else None)
    if rules.pkce == "unsupported":
        if challenge:
            ctx.flag(
                R.AUTHZ_PKCE_UNSUPPORTED,
                f"{p.name} does not support PKCE; the challenge is ignored",
                None,
                method,
            )
        challenge = method = None
    elif not challenge:
        if rules.pkce == "required":
            f = ctx.flag(R.AUTHZ_PKCE_REQUIRED, "code_challenge is required", "S256", None)
            if ctx.refuse(f):
                return fail("invalid_request", "code_challenge required")
    elif method not in rules.pkce_methods and _case_variant(method, rules.pkce_methods):
        # RFC 7636 §4.3 spells the methods "plain" and "S256"; X also takes "s256" (its SDK
        # and python-social-auth send it), so the fixture says matching is case-insensitive.
        spelled = _case_variant(method, rules.pkce_methods)
        f = ctx.flag(
            R.AUTHZ_PKCE_METHOD_CASE,
            f"code_challenge_method {method!r} is spelled differently from RFC 7636",
            spelled,
            method,
            "warning" if rules.pkce_methods_case_insensitive else "error",
        )
        if ctx.refuse(f):
            return fail("invalid_request", "transform algorithm not supported")
        method = spelled
        if method == "plain":
            ctx.flag(R.AUTHZ_PKCE_PLAIN, "use S256 rather than plain", "S256", "plain")
    elif method not in rules.pkce_methods:
        f = ctx.flag(
            R.AUTHZ_PKCE_METHOD, "unsupported code_challenge_method", rules.pkce_methods, method
        )
        if ctx.refuse(f):
            return fail("invalid_request", "transform algorithm not supported")
    elif method == "plain":
        ctx.flag(R.AUTHZ_PKCE_PLAIN, "use S256 rather than plain", "S256", "plain")

    # OIDC Core §5.5: a claims parameter must be JSON.
    if oidc.check_authorize(ctx, args):
        return fail("invalid_request", "claims must be a JSON object")

    # 5. Parameters the provider does not know (a warning: most ignore them).
    known = STANDARD_PARAMS | set(rules.authorize_params) | set(rules.authorize_param_values)
    for name in sorted(set(args) - known):
        ctx.flag(
            R.AUTHZ_UNKNOWN_PARAM,
            f"{p.name} does not document the parameter {name!r}",
            sorted(known),
            name,
        )

    # 6. What the connection under test declared it would send.
    check_expectations(ctx, args, scope)

    # 7. The user's answer: denied, or a code for the test user.
    if store.denials.pop(p.id, False) or args.get("fakeidp_deny"):
        # RFC 6749 §4.1.2.1: access_denied, with the state.
        return fail("access_denied", "The user denied the request")
    user = users.for_login(store, p.id, args.get("login_hint") or args.get("screen_name"))
    if decision is None and store.interactive:
        if p.oidc is not None and "none" in args.get("prompt", "").split():
            # OIDC Core §3.1.2.6: no page may be shown, and no one is logged in.
            return fail("login_required", "prompt=none, but the user must log in")
        prefill = args.get("login_hint") or args.get("screen_name") or user.login
        action = request.script_root + request.path
        return pages.consent_page(store, p, client.client_id, scope, prefill, args, action, target)
    if decision is not None:
        if not decision.approved:
            return fail("access_denied", "The user denied the request")
        try:
            user = pages.decided_user(store, p, decision)
        except UserError as exc:
            return ctx.error_page("Invalid profile", str(exc))
    grant = Grant(p.id, client.client_id, user, scope, dict(args), auth_time=store.now())
    code = store.issue_code(
        Code(
            grant=grant,
            redirect_uri=redirect_uri,
            code_challenge=challenge,
            code_challenge_method=method,
            expires_at=store.now() + rules.code_lifetime,
        )
    )
    iss = oidc.authorization_iss(ctx.provider)  # RFC 9207 §2
    return redirect_with(target, {"code": code, "state": state, "iss": iss})


def _case_variant(method: str | None, methods: tuple[str, ...]) -> str | None:
    """The supported method ``method`` spells in another case ("s256" for "S256"), if any."""
    for known in methods:
        if method and method.lower() == known.lower():
            return known
    return None


def check_expectations(ctx: RequestContext, args: dict[str, str], scope: list[str]) -> None:
    expected = ctx.store.expectations.get(ctx.provider.id, {})
    for name, value in expected.get("authorize_params", {}).items():
        if args.get(name) != value:
            ctx.flag(
                R.CONN_STATIC_PARAM,
                f"static parameter {name!r} did not arrive as configured",
                {name: value},
                {name: args.get(name)},
            )
    for name, value in expected.get("dynamic_params", {}).items():
        if args.get(name) != value:
            ctx.flag(
                R.CONN_DYNAMIC_PARAM,
                f"dynamic parameter {name!r} was not mapped from the login request",
                {name: value},
                {name: args.get(name)},
            )
    want_scope = expected.get("scope")
    if want_scope is not None and sorted(want_scope) != sorted(scope):
        ctx.flag(R.CONN_SCOPE, "requested scopes differ", sorted(want_scope), sorted(scope))
