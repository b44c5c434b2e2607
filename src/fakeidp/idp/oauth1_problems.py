"""Answering OAuth 1.0a problems in each provider's own error shape.

Problems are named as in the OAuth Problem Reporting extension
(wiki.oauth.net/ProblemReporting), which JIRA speaks natively; a fixture's
``[oauth1.problems]`` maps them to the provider's own errors (X code 32, Xing
``INVALID_OAUTH_SIGNATURE``). A view raises :class:`Refused` to answer one.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, NoReturn

from flask import Response

from ..providers.oauth1 import OAuth1Rules
from . import rules as R
from .context import RequestContext, status_phrase
from .rules import Finding
from .templates import render

_DESCRIPTIONS = {
    "version_rejected": "oauth_version must be 1.0",
    "parameter_absent": "a required OAuth parameter is missing",
    "parameter_rejected": "an OAuth parameter is not acceptable",
    "timestamp_refused": "oauth_timestamp is outside the accepted window",
    "nonce_used": "oauth_nonce was already used",
    "signature_method_rejected": "the signature method is not accepted",
    "signature_invalid": "the signature does not match",
    "consumer_key_unknown": "unknown consumer key",
    "token_used": "the token was already used",
    "token_rejected": "the token is invalid or expired",
    "callback_rejected": "the callback URL is not approved for this consumer",
    "verifier_invalid": "the verifier does not match",
}


class Refused(Exception):
    """Stop the view and answer ``response`` (the provider's refusal)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def rules_of(ctx: RequestContext) -> OAuth1Rules:
    rules = ctx.provider.oauth1
    assert isinstance(rules, OAuth1Rules)
    return rules


def problem_response(
    ctx: RequestContext, kind: str, problem: str, detail: str = "", **extra: str | None
) -> Response:
    """``problem`` (a Problem Reporting name) in the provider's error shape for ``kind``."""
    answer = rules_of(ctx).problem(problem)
    shape = ctx.provider.error_shape(kind)
    context: dict[str, Any] = {
        "error": answer.error,
        "error_description": answer.description or detail or _DESCRIPTIONS.get(problem, problem),
        **extra,
    }
    status = shape.status_for(str(answer.error))
    # The body's own status fields (Tumblr meta.status, meta.msg) follow the status sent.
    context.update(status=status, status_text=status_phrase(status))
    body = render(shape.body, context)
    if shape.content_type == "application/x-www-form-urlencoded" and isinstance(body, dict):
        form = {k: str(v) for k, v in body.items() if v not in (None, "")}
        response = Response(urllib.parse.urlencode(form), status, content_type=shape.content_type)
        response.fakeidp_body = form  # type: ignore[attr-defined]  # recorded redacted
    else:
        response = Response(json.dumps(body), status, content_type="application/json")
    if status == 401:
        # RFC 7235 §3.1; the realm is the provider's host (net.oauth OAuthServlet does the same).
        realm = next(iter(ctx.provider.hosts.values()))
        response.headers["WWW-Authenticate"] = f'OAuth realm="{realm}", oauth_problem="{problem}"'
    return response


def fail(
    ctx: RequestContext,
    kind: str,
    rule: R.Rule,
    problem: str,
    message: str,
    expected: Any,
    actual: Any,
    **extra: str | None,
) -> NoReturn:
    """Flag ``rule`` and refuse, in any mode: the request cannot go on."""
    ctx.flag(rule, message, expected, actual)
    raise Refused(problem_response(ctx, kind, problem, message, **extra))


def flag_or_refuse(
    ctx: RequestContext,
    kind: str,
    rule: R.Rule,
    problem: str,
    message: str,
    expected: Any,
    actual: Any,
    *,
    fatal: bool = False,
    **extra: str | None,
) -> Finding:
    """Flag ``rule``; raise :class:`Refused` when strict mode refuses it or nothing can go on."""
    finding = ctx.flag(rule, message, expected, actual)
    if fatal or ctx.refuse(finding):
        raise Refused(problem_response(ctx, kind, problem, message, **extra))
    return finding
