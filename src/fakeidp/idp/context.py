"""Per-request context for provider endpoints: findings, evidence, error answers.

Every provider view runs inside :func:`provider_view`, which records the
request as an :class:`Exchange` (secrets redacted), collects the findings the
view raises, and attaches the answer to the exchange.
"""

from __future__ import annotations

import functools
import html
import http
import json
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, current_app, request
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException

from ..providers.model import Endpoint, Lifecycle, Provider
from .fault_answers import answer_with_faults
from .limits import MAX_STORED_BODY, truncated_body
from .rules import (
    LIFECYCLE_CLOSED,
    LIFECYCLE_DEPRECATED,
    LIFECYCLE_RETIRED,
    Finding,
    Rule,
    Severity,
    make_finding,
)
from .store import Exchange, Store
from .templates import render

SECRET_PARAMS = frozenset(
    {
        "client_secret",
        "code",
        "code_verifier",
        "refresh_token",
        "access_token",
        "id_token",
        "password",
        "token",
        "oauth_signature",
        "oauth_token_secret",
        "oauth_verifier",
    }
)
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "set-cookie"})
REDACTED = "[redacted]"


def redact_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (REDACTED if k in SECRET_PARAMS and v else v) for k, v in params.items()}


def redact_header(name: str, value: str) -> str:
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    if name.lower() == "authorization" and rest:
        if scheme.lower() == "oauth" and "=" in rest:
            # Keep OAuth 1.0a parameter names and non-secret values (method, nonce).
            return f"{scheme} " + ", ".join(_redact_oauth1_part(part) for part in rest.split(","))
        return f"{scheme} {REDACTED}"
    return REDACTED


def _redact_oauth1_part(part: str) -> str:
    key, _, value = part.strip().partition("=")
    return f"{key}={REDACTED!r}" if key in SECRET_PARAMS else f"{key}={value}"


def redact_body(body: Any) -> Any:
    if isinstance(body, dict):
        return {
            k: (REDACTED if k in SECRET_PARAMS and v else redact_body(v)) for k, v in body.items()
        }
    if isinstance(body, list):
        return [redact_body(v) for v in body]
    return body


def store() -> Store:
    return current_app.extensions["fakeidp"]  # type: ignore[no-any-return]


class RequestContext:
    """What one provider view needs: the provider, its store, and a findings list."""

    def __init__(
        self, provider: Provider, endpoint: str, exchange: Exchange, url_name: str | None = None
    ) -> None:
        self.provider = provider
        # What the endpoint is (``token``), for findings, exchanges and faults; ``url_name``
        # is which of the provider's URLs for it was called (Uber ``token_legacy``).
        self.endpoint = endpoint
        self.url_name = url_name or endpoint
        self.store = store()
        self.exchange = exchange
        self.findings: list[Finding] = []

    @property
    def strict(self) -> bool:
        return self.store.is_strict(self.provider.id)

    def flag(
        self,
        rule: Rule,
        message: str,
        expected: Any,
        actual: Any,
        severity: Severity | None = None,
        source: str | None = None,
    ) -> Finding:
        """Record a broken rule; ``source`` replaces the rule's own where a fixture cites one."""
        finding = make_finding(
            rule, self.provider.id, self.endpoint, message, expected, actual, severity
        )
        if source:
            finding.source = source
        finding.exchange = self.exchange.id
        finding.evidence = self.evidence()
        index = self.store.add_finding(finding)
        self.exchange.findings.append(index)
        self.findings.append(finding)
        return finding

    def refuse(self, finding: Finding) -> bool:
        """Whether to answer ``finding`` as the real provider would (strict and an error)."""
        return finding.severity == "error" and self.strict

    def evidence(self) -> dict[str, Any]:
        ex = self.exchange
        return {
            "method": ex.method,
            "url": ex.url,
            "headers": dict(ex.headers),
            "query": dict(ex.query),
            "form": dict(ex.form),
        }

    # -- answers in the provider's own shapes -------------------------------
    def error(
        self,
        kind: str,
        error: str,
        description: str,
        status: int | None = None,
        case: str | None = None,
    ) -> Response:
        """The provider's error answer; ``case`` names a situation its fixture may word itself
        (``[errors.api.cases]``). ``${status}`` in the body is the HTTP status sent, so the
        two never disagree (a Twitch 401 never says ``"status": 400``)."""
        shape = self.provider.error_shape(kind)
        own = shape.cases.get(case) if case else None
        if own is not None:
            error = own.error or error
            description = own.description or description
            status = status or own.status
        code = status or shape.status_for(error)
        body = render(
            shape.body,
            {
                "error": error,
                "error_description": description,
                "status": code,
                "status_text": status_phrase(code),
            },
        )
        if shape.content_type == "application/x-www-form-urlencoded":
            # Leave out what the error has no value for (JIRA's oauth_signature on an API 401).
            text = urllib.parse.urlencode({k: v for k, v in body.items() if v not in (None, "")})
            return Response(text, code, content_type=shape.content_type)
        response = json_response(body, code)
        if code == 401 and kind == "api":
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response

    def error_page(self, title: str, detail: str, status: int = 400) -> Response:
        """RFC 6749 §4.1.2.1: an unusable client_id or redirect_uri is shown, never redirected."""
        page = (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.provider.name)}: {html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(self.provider.name)}</h1><h2>{html.escape(title)}</h2>"
            f"<p>{html.escape(detail)}</p><p><small>fakeidp</small></p></body></html>"
        )
        return Response(page, status, content_type="text/html; charset=utf-8")

    def render(self, template: Any, **context: Any) -> Any:
        return render(template, context)


def status_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    response = Response(json.dumps(body), status, content_type="application/json")
    response.headers.update(headers)
    response.fakeidp_body = body  # type: ignore[attr-defined]  # recorded without a re-parse
    return response


_HEADER_KEYS = ("HTTP_", "CONTENT_TYPE", "CONTENT_LENGTH")


def _request_exchange(provider: Provider, endpoint: str) -> Exchange:
    environ = request.environ
    args = request.args
    body: Mapping[str, Any] = {}
    if request.content_length or environ.get("HTTP_TRANSFER_ENCODING"):
        try:  # parsed now, while the body can be read (the view reads the same cache)
            if request.mimetype == "application/json":
                data = request.get_json(silent=True)
                body = data if isinstance(data, dict) else {}
            else:
                body = request.form
        except HTTPException:
            body = {}
    body_size = request.content_length or 0
    if body_size > MAX_STORED_BODY:  # kept cut short, with its size (docs/limits.md)
        body = truncated_body(body, body_size)

    # Copy just the headers: holding the environ would keep the whole request alive.
    raw_headers = {k: v for k, v in environ.items() if k.startswith(_HEADER_KEYS)}
    size = len(environ.get("QUERY_STRING", "")) + min(body_size, MAX_STORED_BODY)
    size += sum(len(k) + len(v) for k, v in raw_headers.items() if isinstance(v, str))

    def capture() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        headers = {k: redact_header(k, v) for k, v in EnvironHeaders(raw_headers).items()}
        form = {str(k): str(v) for k, v in body.items()}
        return headers, redact_params(args.to_dict()), redact_params(form)

    return Exchange(
        id=0,
        time=store().now(),
        provider=provider.id,
        endpoint=endpoint,
        method=request.method,
        url=_url_without_query(environ),
        capture=capture,
        size=size,
    )


def _url_without_query(environ: Mapping[str, Any]) -> str:
    # request.base_url IRI-decodes the URL: a fifth of the cost of a request here.
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{urllib.parse.quote(path)}"


ViewFunc = Callable[[RequestContext], Response]


def provider_view(provider: Provider, endpoint: str, view: ViewFunc) -> Callable[[], Response]:
    """Wrap ``view`` so its request and answer are recorded as an Exchange."""

    called = _find_endpoint(provider, endpoint)
    role = called.view if called.host else endpoint
    facts = provider.lifecycle_of(called)

    def checked(ctx: RequestContext) -> Response:
        return retired_answer(ctx, facts) or view(ctx)

    @functools.wraps(view)
    def wrapped(**_: Any) -> Response:
        exchange = store().record_exchange(_request_exchange(provider, role))
        ctx = RequestContext(provider, role, exchange, endpoint)
        # the view (after its lifecycle facts), or an injected fault's answer
        response = answer_with_faults(ctx, checked if facts else view)
        exchange.status = response.status_code
        if hasattr(response, "fakeidp_body"):
            exchange.response = redact_body(response.fakeidp_body)
        elif response.mimetype == "application/json":
            try:
                exchange.response = redact_body(json.loads(response.get_data()))
            except ValueError:
                exchange.response = response.get_data(as_text=True)[:2000]
        elif response.mimetype == "text/html":
            exchange.response = "(html page)"
        else:
            exchange.response = response.get_data(as_text=True)[:2000]
        if "Location" in response.headers:
            exchange.response = {"redirect": _redact_location(response.headers["Location"])}
        return response

    return wrapped


def _find_endpoint(provider: Provider, name: str) -> Endpoint:
    for endpoint in provider.all_endpoints():
        if endpoint.name == name:
            return endpoint
    return Endpoint(name, "", "")


_LIFECYCLE_RULES = {
    "retired": LIFECYCLE_RETIRED,
    "deprecated": LIFECYCLE_DEPRECATED,
    "closed": LIFECYCLE_CLOSED,
}


def retired_answer(ctx: RequestContext, facts: tuple[Lifecycle, ...]) -> Response | None:
    """Record each lifecycle fact of this endpoint; a retired one is refused in strict mode
    with the answer the provider gives today (lenient mode serves the legacy answer)."""
    p = ctx.provider
    endpoint = _find_endpoint(p, ctx.url_name)
    url = p.real_url(endpoint) if endpoint.host else ctx.url_name
    refusal: Response | None = None
    for fact in facts:
        kind = fact.applies_to.partition(":")[0]
        what = {"provider": p.name, "host": f"{p.name}'s host {p.hosts.get(endpoint.host)}"}.get(
            kind, url
        )
        message = fact.describe(what)
        if fact.status == "retired":
            message += "; real requests fail"
            if not fact.answer_verified:
                message += " (the provider's exact answer today is unverified)"
        f = ctx.flag(
            _LIFECYCLE_RULES[fact.status],
            message,
            fact.replacement or None,
            url,
            source=fact.source,
        )
        if refusal is None and fact.status == "retired" and ctx.refuse(f):
            refusal = _today(ctx, fact, message)
    return refusal


def _today(ctx: RequestContext, fact: Lifecycle, message: str) -> Response:
    """How the provider answers a retired URL today: the fixture's answer, or a 410 Gone
    in the provider's API error shape when no source gives the real one."""
    if fact.answer_body is not None:
        return json_response(render(fact.answer_body, {}), fact.answer_status)
    return ctx.error("api", "gone", message, fact.answer_status)


def _redact_location(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    query = redact_params(dict(urllib.parse.parse_qsl(parts.query)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
