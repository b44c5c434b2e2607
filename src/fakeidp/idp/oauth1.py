"""The OAuth 1.0a endpoints (RFC 5849 §2) and signed calls to the emulated APIs.

- request token (§2.1): a signed request with ``oauth_callback`` (a URL or
  ``oob``); answers ``oauth_callback_confirmed=true``.
- authorize (§2.2): auto-approves as the provider's test user and redirects
  to the callback with ``oauth_token`` and ``oauth_verifier`` (for ``oob``, a
  page shows the verifier). After ``FakeIdP.deny_next`` the user denies, and
  the callback gets the provider's own denial (X: ``denied=<request token>``).
- access token (§2.3): needs the verifier; temporary credentials are
  single-use.
- the API authenticator: a profile call signed with the token credentials.

The app factory (:mod:`fakeidp.idp.app`) serves the views in :data:`VIEWS`;
the profile API (:mod:`fakeidp.idp.api`) calls :func:`authenticate_api`.
"""

from __future__ import annotations

import hmac
import html
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

from . import pages
from . import rules as R
from .context import RequestContext
from .limits import MAX_CODES, MAX_TOKENS, CappedDict
from .oauth1_problems import Refused, fail, flag_or_refuse, rules_of
from .oauth1_verify import SignedRequest, consumer, read_signed_request, verify
from .oauth2_authorize import AlreadyChecked, check_expectations, redirect_with
from .oauth2_token import template_context
from .store import Grant, Store

OOB = "oob"  # RFC 5849 §2.1: the out-of-band callback
_FORM = "application/x-www-form-urlencoded"


@dataclass
class RequestToken:
    """Temporary credentials (RFC 5849 §2.1) and what the user did with them."""

    provider: str
    client_id: str
    secret: str
    callback: str | None  # None: missing (lenient mode)
    callback_refused: bool = False  # invalid or not registered (lenient mode): never used
    verifier: str | None = None
    grant: Grant | None = None
    denied: bool = False
    used: bool = False


@dataclass
class AccessToken:
    """Token credentials (RFC 5849 §2.3): never expire (none of these providers expires them)."""

    grant: Grant
    secret: str


@dataclass
class OAuth1State:
    # Capped like OAuth 2.0 tokens, oldest evicted first (docs/limits.md).
    request_tokens: CappedDict[RequestToken] = field(default_factory=lambda: CappedDict(MAX_CODES))
    access_tokens: CappedDict[AccessToken] = field(default_factory=lambda: CappedDict(MAX_TOKENS))


def state_of(store: Store) -> OAuth1State:
    """This app's OAuth 1.0a tokens (in ``store.extra``, so a reset clears them)."""
    with store.lock:
        state = store.extra.get("oauth1")
        if not isinstance(state, OAuth1State):
            state = store.extra["oauth1"] = OAuth1State()
        return state


def form_response(params: dict[str, Any]) -> Response:
    """A form-encoded token response (RFC 5849 §2.1, §2.3)."""
    values = {k: "" if v is None else str(v) for k, v in params.items()}
    response = Response(
        urllib.parse.urlencode(values),
        200,
        content_type=_FORM,
        headers={"Cache-Control": "no-store"},
    )
    response.fakeidp_body = values  # type: ignore[attr-defined]  # recorded redacted
    return response


def check_http_method(ctx: RequestContext) -> None:
    endpoint = ctx.provider.endpoints.get(ctx.endpoint)
    if endpoint is not None and request.method not in endpoint.methods:
        ctx.flag(
            R.OAUTH1_METHOD,
            f"{ctx.provider.name} documents {', '.join(endpoint.methods)} here",
            list(endpoint.methods),
            request.method,
        )


def _valid_callback(callback: str) -> bool:
    if callback == OOB:
        return True
    parts = urllib.parse.urlsplit(callback)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _approved(callback: str, registered: list[str]) -> bool:
    """X: the callback must be allow-listed (compared without its query)."""
    if not registered or callback == OOB:
        return True
    return callback.split("?", 1)[0] in {uri.split("?", 1)[0] for uri in registered}


# -- RFC 5849 §2.1: temporary credentials -------------------------------------
def request_token(ctx: RequestContext) -> Response:
    try:
        return _request_token(ctx)
    except Refused as refused:
        return refused.response


def _request_token(ctx: RequestContext) -> Response:
    check_http_method(ctx)
    signed = read_signed_request(ctx, "oauth")
    client = consumer(ctx, "oauth", signed)
    verify(ctx, "oauth", signed, client, None, None)
    callback = signed.get("oauth_callback")
    refused = False
    if callback is None:
        flag_or_refuse(
            ctx,
            "oauth",
            R.OAUTH1_CALLBACK_MISSING,
            "parameter_absent",
            "oauth_callback is required: an absolute URL or 'oob' (RFC 5849 §2.1)",
            "a callback URL or 'oob'",
            None,
            oauth_parameters_absent="oauth_callback",
        )
    elif not _valid_callback(callback):
        refused = True
        flag_or_refuse(
            ctx,
            "oauth",
            R.OAUTH1_CALLBACK_INVALID,
            "parameter_rejected",
            "oauth_callback must be an absolute http(s) URL or 'oob' (RFC 5849 §2.1)",
            "a callback URL or 'oob'",
            callback,
        )
    elif not _approved(callback, client.redirect_uris):
        refused = True
        flag_or_refuse(
            ctx,
            "oauth",
            R.OAUTH1_CALLBACK_INVALID,
            "callback_rejected",
            "oauth_callback is not one of the client's registered callback URLs",
            client.redirect_uris,
            callback,
        )
    store = ctx.store
    token, secret = store.new_secret(18), store.new_secret(24)
    with store.lock:
        state_of(store).request_tokens[token] = RequestToken(
            ctx.provider.id, client.client_id, secret, callback, callback_refused=refused
        )
    return form_response(
        {"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"}
    )


# -- RFC 5849 §2.2: resource owner authorization ------------------------------
def authorize(ctx: RequestContext) -> Response:
    p = ctx.provider
    rules = rules_of(ctx)
    store = ctx.store
    args = request.values.to_dict()
    # Interactive mode: the answer posted from the login page (see idp/pages.py). Its
    # checks ran when the page was shown; the page's own POST is not the connector's.
    decision = pages.take_decision(store, p.id, args) if request.method == "POST" else None
    if decision is not None:
        args, ctx = decision.params, AlreadyChecked(ctx)
    else:
        args = pages.strip_page_fields(args)
        check_http_method(ctx)
    token = args.get("oauth_token", "")
    with store.lock:
        rt = state_of(store).request_tokens.get(token)
        usable = rt is not None and rt.provider == p.id and not rt.used and not rt.denied
    if rt is None or not usable:
        ctx.flag(
            R.OAUTH1_AUTHORIZE_TOKEN,
            "oauth_token is missing, unknown or already used",
            "the oauth_token from the request-token response",
            "missing" if not token else "unknown or used",
        )
        return ctx.error_page(
            "Invalid request token", "This authorization request is no longer valid."
        )
    known = {"oauth_token", "oauth_callback", *rules.authorize_params}
    for name in sorted(set(args) - known - {"fakeidp_deny"}):
        ctx.flag(
            R.OAUTH1_AUTHORIZE_UNKNOWN_PARAM,
            f"{p.name} does not document the parameter {name!r}",
            sorted(known),
            name,
        )
    check_expectations(ctx, args, [])
    callback = rt.callback
    if rt.callback_refused:
        return ctx.error_page("Invalid callback", "The callback URL is not approved.")
    if callback is None:
        # Missing at the request token (lenient mode): OAuth 1.0 (before 1.0a) clients name
        # it here instead. A URL that is not usable is shown, never redirected to.
        client = store.client(p.id, rt.client_id)
        callback = args.get("oauth_callback") or OOB
        if not _valid_callback(callback) or not _approved(
            callback, client.redirect_uris if client else []
        ):
            return ctx.error_page("Invalid callback", "The callback URL is not approved.")
    user = store.user(p.id)
    if decision is None and store.interactive:
        # X's screen_name "prefills the username input box" (developer.x.com authenticate).
        prefill = args.get("screen_name") or args.get("login_hint") or user.login
        action = request.script_root + request.path
        shown = None if callback == OOB else callback
        return pages.consent_page(store, p, rt.client_id, [], prefill, args, action, shown)
    denied = decision is not None and not decision.approved
    if denied or store.denials.pop(p.id, False) or args.get("fakeidp_deny"):
        with store.lock:
            rt.denied = True
        denial = ctx.render(dict(rules.denial), oauth_token=token)
        if callback == OOB:
            return _oob_page(ctx, "You denied the application access to your account.", None)
        return redirect_with(callback, {k: str(v) for k, v in denial.items()})
    verifier = store.new_secret(18)
    if decision is not None:
        user = pages.user_named(user, decision.login)
    grant = Grant(p.id, rt.client_id, user, [], args)
    with store.lock:
        rt.verifier, rt.grant = verifier, grant
    if callback == OOB:
        return _oob_page(ctx, "Enter this PIN in the application to complete the login.", verifier)
    echoed = {name: args[name] for name in rules.callback_params if args.get(name)}
    return redirect_with(callback, {"oauth_token": token, "oauth_verifier": verifier, **echoed})


def _oob_page(ctx: RequestContext, message: str, verifier: str | None) -> Response:
    """RFC 5849 §2.1 'oob': the user is shown the verifier and types it into the client."""
    name = html.escape(ctx.provider.name)
    pin = f"<p><code id='oauth_verifier'>{html.escape(verifier)}</code></p>" if verifier else ""
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{name}</title></head>"
        f"<body><h1>{name}</h1><p>{html.escape(message)}</p>{pin}"
        "<p><small>fakeidp</small></p></body></html>"
    )
    return Response(page, 200, content_type="text/html; charset=utf-8")


# -- RFC 5849 §2.3: token credentials ------------------------------------------
def access_token(ctx: RequestContext) -> Response:
    try:
        return _access_token(ctx)
    except Refused as refused:
        return refused.response


def _access_token(ctx: RequestContext) -> Response:
    check_http_method(ctx)
    signed = read_signed_request(ctx, "oauth")
    client = consumer(ctx, "oauth", signed)
    store = ctx.store
    token = signed.get("oauth_token") or ""
    rt = state_of(store).request_tokens.get(token)
    if rt is None or rt.provider != ctx.provider.id or rt.client_id != client.client_id:
        fail(
            ctx,
            "oauth",
            R.OAUTH1_TOKEN,
            "token_rejected",
            "oauth_token is not a request token issued to this consumer",
            "the request token",
            "missing" if not token else "unknown",
        )
    verify(ctx, "oauth", signed, client, token, rt.secret)
    with store.lock:
        if rt.used:
            fail(
                ctx,
                "oauth",
                R.OAUTH1_REQUEST_TOKEN_REUSED,
                "token_used",
                "this request token was already exchanged for an access token",
                "a fresh request token",
                "reused",
            )
        if rt.grant is None or rt.verifier is None:
            fail(
                ctx,
                "oauth",
                R.OAUTH1_TOKEN,
                "token_rejected",
                "the request token was denied" if rt.denied else "the user has not authorized it",
                "an authorized request token",
                "denied" if rt.denied else "not authorized",
            )
        _check_verifier(ctx, signed, rt.verifier)
        rt.used = True
        grant = rt.grant
    value, secret = store.new_secret(24), store.new_secret(30)
    with store.lock:
        state_of(store).access_tokens[value] = AccessToken(grant, secret)
    extra = ctx.render(rules_of(ctx).access_token_extra, **template_context(ctx, grant))
    return form_response({"oauth_token": value, "oauth_token_secret": secret, **extra})


def _check_verifier(ctx: RequestContext, signed: SignedRequest, expected: str) -> None:
    given = signed.get("oauth_verifier")
    if given is None:
        flag_or_refuse(
            ctx,
            "oauth",
            R.OAUTH1_VERIFIER_MISSING,
            "parameter_absent",
            "oauth_verifier is required (RFC 5849 §2.3)",
            "the oauth_verifier from the callback",
            None,
            oauth_parameters_absent="oauth_verifier",
        )
    elif not hmac.compare_digest(given.encode(), expected.encode()):
        flag_or_refuse(
            ctx,
            "oauth",
            R.OAUTH1_VERIFIER_INVALID,
            "verifier_invalid",
            "oauth_verifier is not the one the callback carried",
            "the oauth_verifier from the callback",
            "a different value",
        )


# -- RFC 5849 §3: authenticated requests to the emulated APIs -------------------
def authenticate_api(ctx: RequestContext) -> Grant | Response:
    try:
        return _authenticate_api(ctx)
    except Refused as refused:
        return refused.response


def _authenticate_api(ctx: RequestContext) -> Grant:
    signed = read_signed_request(ctx, "api")
    client = consumer(ctx, "api", signed)
    token = signed.get("oauth_token") or ""
    found = state_of(ctx.store).access_tokens.get(token)
    if (
        found is None
        or found.grant.provider != ctx.provider.id
        or found.grant.client_id != client.client_id
    ):
        fail(
            ctx,
            "api",
            R.OAUTH1_TOKEN,
            "token_rejected",
            "oauth_token is not an access token issued to this consumer",
            "an access token",
            "missing" if not token else "unknown",
        )
    verify(ctx, "api", signed, client, token, found.secret)
    for name in rules_of(ctx).api_unexpected_params:
        if name in signed.oauth:
            ctx.flag(
                R.OAUTH1_API_UNEXPECTED_PARAM,
                f"{ctx.provider.name} does not expect {name} on API calls",
                "no " + name,
                name,
            )
    return found.grant


# The OAuth 1.0a endpoint views by fixture endpoint name, for the app factory.
VIEWS = {
    "request_token": request_token,
    "authorize": authorize,
    "authenticate": authorize,  # X: sign-in with auto-redirect; the fake always redirects
    "access_token": access_token,
}
