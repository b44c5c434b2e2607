"""Checking a signed OAuth 1.0a request (RFC 5849 §3) and answering its problems.

The protocol parameters are read from the one place the client put them
(§3.5: the ``Authorization`` header, a form body, or the query), restricted to
the places the provider reads. The signature is verified with oauthlib
(``oauthlib.oauth1.rfc5849.signature``), over the URL the request arrived at
and over the provider's real URL (a connector under interception signs that).
Nonces are single-use within the timestamp window (§3.3).

Every failure is flagged as a Finding and, when the provider would refuse it,
answered in the provider's own error shape (:mod:`fakeidp.idp.oauth1_problems`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import jwt
from flask import request
from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth1.rfc5849 import signature as sig

from . import rules as R
from .context import RequestContext
from .oauth1_problems import fail, flag_or_refuse, rules_of
from .store import Client

# RFC 5849 §3.1: the protocol parameters every signed request carries.
REQUIRED = ("oauth_consumer_key", "oauth_signature_method", "oauth_signature")
# §3.3: "MAY be omitted when using the PLAINTEXT signature method".
REQUIRED_UNLESS_PLAINTEXT = ("oauth_timestamp", "oauth_nonce")
_FORM = "application/x-www-form-urlencoded"


@dataclass
class SignedRequest:
    """The protocol parameters and every parameter of the signature base string."""

    oauth: dict[str, str]
    params: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.oauth.get(name) or None


def _authorization_params(kind: str, ctx: RequestContext) -> list[tuple[str, str]]:
    header = request.headers.get("Authorization", "")
    if not header[:6].lower().startswith("oauth "):
        return []
    try:
        params: list[tuple[str, str]] = sig.collect_parameters(
            headers={"Authorization": header}, exclude_oauth_signature=False, with_realm=True
        )
    except ValueError:
        fail(
            ctx,
            kind,
            R.OAUTH1_PARAMS_MALFORMED,
            "parameter_rejected",
            "the Authorization: OAuth header cannot be parsed (RFC 5849 §3.5.1)",
            'OAuth key="value", …',
            "malformed",
        )
    # §3.4.1.3.1: the header's realm is not a signed parameter.
    return [(k, v) for k, v in params if k != "realm"]


def read_signed_request(ctx: RequestContext, kind: str) -> SignedRequest:
    """The request's OAuth parameters, checked for placement (RFC 5849 §3.5) and presence."""
    rules = rules_of(ctx)
    header = _authorization_params(kind, ctx)
    query = list(request.args.items(multi=True))
    body = list(request.form.items(multi=True)) if request.mimetype == _FORM else []
    found = {
        place: [(k, v) for k, v in params if k.startswith("oauth_")]
        for place, params in (("header", header), ("body", body), ("query", query))
    }
    used = [place for place, params in found.items() if params]
    if not used:
        fail(
            ctx,
            kind,
            R.OAUTH1_PARAMS_MISSING,
            "parameter_absent",
            "the request carries no OAuth protocol parameters",
            list(REQUIRED),
            None,
            oauth_parameters_absent="&".join(REQUIRED),
        )
    if len(used) > 1:
        flag_or_refuse(
            ctx,
            kind,
            R.OAUTH1_PARAMS_PLACEMENT,
            "parameter_rejected",
            "OAuth parameters must be in one and only one place (RFC 5849 §3.5)",
            "one of " + ", ".join(rules.placements),
            used,
        )
    for place in used:
        if place not in rules.placements:
            flag_or_refuse(
                ctx,
                kind,
                R.OAUTH1_PARAMS_PLACEMENT,
                "parameter_absent",
                f"{ctx.provider.name} reads OAuth parameters from {', '.join(rules.placements)}",
                list(rules.placements),
                place,
            )
    oauth: dict[str, str] = {}
    for place in used:
        names = [k for k, _ in found[place]]
        if len(set(names)) != len(names):
            flag_or_refuse(
                ctx,
                kind,
                R.OAUTH1_PARAMS_MALFORMED,
                "parameter_rejected",
                "a protocol parameter is duplicated (RFC 5849 §3.2)",
                "each oauth_ parameter once",
                sorted({n for n in names if names.count(n) > 1}),
            )
        for k, v in found[place]:
            oauth.setdefault(k, v)
    # §3.4.1.3.1: query, header and form-body parameters, without the signature.
    params = [(k, v) for k, v in query + header + body if k != "oauth_signature"]
    signed = SignedRequest(oauth, params)
    method = signed.get("oauth_signature_method")
    needed = REQUIRED + (() if method == "PLAINTEXT" else REQUIRED_UNLESS_PLAINTEXT)
    absent = [name for name in needed if not signed.get(name)]
    if absent:
        fail(
            ctx,
            kind,
            R.OAUTH1_PARAMS_MISSING,
            "parameter_absent",
            f"missing OAuth parameters: {', '.join(absent)} (RFC 5849 §3.1)",
            list(needed),
            sorted(oauth),
            oauth_parameters_absent="&".join(absent),
        )
    version = signed.get("oauth_version")
    if version is not None and version != "1.0":
        flag_or_refuse(
            ctx,
            kind,
            R.OAUTH1_VERSION,
            "version_rejected",
            "oauth_version must be 1.0 when present (RFC 5849 §3.1)",
            "1.0",
            version,
        )
    return signed


def consumer(ctx: RequestContext, kind: str, signed: SignedRequest) -> Client:
    """The registered consumer named by ``oauth_consumer_key`` (RFC 5849 §3.2)."""
    key = signed.oauth["oauth_consumer_key"]
    client = ctx.store.client(ctx.provider.id, key)
    if client is None:
        fail(
            ctx,
            kind,
            R.OAUTH1_CONSUMER,
            "consumer_key_unknown",
            "oauth_consumer_key names no registered consumer",
            sorted(ctx.store.clients.get(ctx.provider.id, {})),
            key,
        )
    return client


def _candidate_uris(ctx: RequestContext) -> Iterator[str]:
    """The request URL as received, then the provider's real URLs for this endpoint: on
    each name of its host (a client signs api.x.com where another signs api.twitter.com)."""
    yield request.base_url
    p = ctx.provider
    for endpoint in p.all_endpoints():
        if endpoint.name == ctx.endpoint:
            for base in p.real_bases(endpoint.host):
                if base + endpoint.path != request.base_url:
                    yield base + endpoint.path
            return


def _signature_matches(
    method: str, signed: SignedRequest, uri: str, client: Client, token_secret: str | None
) -> bool:
    oreq = OAuthlibRequest(uri, request.method)
    oreq.params = signed.params
    oreq.signature = signed.oauth["oauth_signature"]
    try:
        if method == "HMAC-SHA1":
            return bool(sig.verify_hmac_sha1(oreq, client.client_secret, token_secret))
        if method == "PLAINTEXT":
            return bool(sig.verify_plaintext(oreq, client.client_secret, token_secret))
        if method == "RSA-SHA1" and client.rsa_public_key:
            return bool(sig.verify_rsa_sha1(oreq, client.rsa_public_key))
    except (ValueError, TypeError, jwt.PyJWTError):
        return False  # a malformed signature, key or URL verifies nothing
    return False


def base_string(signed: SignedRequest, uri: str) -> str:
    """The signature base string (RFC 5849 §3.4.1) for ``uri``, as the fake IdP computed it."""
    try:
        normalized = sig.normalize_parameters(signed.params)
        return str(sig.signature_base_string(request.method, sig.base_string_uri(uri), normalized))
    except ValueError:
        return ""


def verify(
    ctx: RequestContext,
    kind: str,
    signed: SignedRequest,
    client: Client,
    token: str | None,
    token_secret: str | None,
) -> None:
    """Signature method, timestamp, signature and nonce (RFC 5849 §3.2), in that order."""
    rules = rules_of(ctx)
    method = signed.oauth["oauth_signature_method"]
    if method not in rules.signature_methods:
        flag_or_refuse(
            ctx,
            kind,
            R.OAUTH1_SIGNATURE_METHOD,
            "signature_method_rejected",
            f"{ctx.provider.name} accepts {', '.join(rules.signature_methods)} only",
            list(rules.signature_methods),
            method,
            fatal=method not in ("HMAC-SHA1", "RSA-SHA1", "PLAINTEXT"),
        )
    now = ctx.store.now()
    timestamp = signed.get("oauth_timestamp")
    seconds = _seconds(timestamp)
    if timestamp is not None:
        if seconds is None:
            fail(
                ctx,
                kind,
                R.OAUTH1_PARAMS_MALFORMED,
                "parameter_rejected",
                "oauth_timestamp must be a positive integer (RFC 5849 §3.3)",
                "seconds since 1970-01-01",
                timestamp[:40],
            )
        elif abs(seconds - now) > rules.timestamp_window:
            window = f"{int(now) - rules.timestamp_window}-{int(now) + rules.timestamp_window}"
            flag_or_refuse(
                ctx,
                kind,
                R.OAUTH1_TIMESTAMP_STALE,
                "timestamp_refused",
                f"oauth_timestamp is {int(seconds - now)} s from the IdP's clock",
                f"within {rules.timestamp_window} s of {int(now)}",
                timestamp,
                oauth_acceptable_timestamps=window,
            )
    if not any(
        _signature_matches(method, signed, uri, client, token_secret)
        for uri in _candidate_uris(ctx)
    ):
        received = base_string(signed, request.base_url)
        why = (
            "no RSA public key is registered for this consumer"
            if method == "RSA-SHA1" and not client.rsa_public_key
            else f"the {method} signature does not match (RFC 5849 §3.4)"
        )
        flag_or_refuse(
            ctx,
            kind,
            R.OAUTH1_SIGNATURE_INVALID,
            "signature_invalid",
            why,
            {"signature_base_string": received},
            "a different signature",
            oauth_signature=signed.oauth["oauth_signature"],
            oauth_signature_base_string=received,
            oauth_signature_method=method,
        )
    nonce = signed.get("oauth_nonce")
    if (
        nonce is not None
        and seconds is not None
        and not _remember_nonce(ctx, client.client_id, token, seconds, nonce, now)
    ):
        flag_or_refuse(
            ctx,
            kind,
            R.OAUTH1_NONCE_REPLAYED,
            "nonce_used",
            "this nonce was already used with this timestamp, client and token (RFC 5849 §3.3)",
            "a fresh oauth_nonce",
            nonce[:64],
        )


def _seconds(timestamp: str | None) -> int | None:
    """RFC 5849 §3.3: "a positive integer" of seconds; None when it is not one."""
    if timestamp and len(timestamp) <= 12 and timestamp.isascii() and timestamp.isdigit():
        return int(timestamp)
    return None


@dataclass
class _Nonces:
    """Used nonces until they expire; expired ones are dropped oldest first."""

    until: dict[tuple[str, ...], float] = field(default_factory=dict)
    order: deque[tuple[float, tuple[str, ...]]] = field(default_factory=deque)

    def use(self, key: tuple[str, ...], until: float, now: float) -> bool:
        while self.order and self.order[0][0] < now:
            _, old = self.order.popleft()
            if self.until.get(old, now) < now:  # not used again since
                del self.until[old]
        if self.until.get(key, now - 1) >= now:
            return False
        self.until[key] = until
        self.order.append((until, key))
        return True


def _remember_nonce(
    ctx: RequestContext, client_id: str, token: str | None, timestamp: int, nonce: str, now: float
) -> bool:
    """Record the nonce; False when it was already used within the window."""
    store = ctx.store
    key = (ctx.provider.id, client_id, token or "", str(timestamp), nonce)
    with store.lock:
        nonces = store.extra.get("oauth1_nonces")
        if not isinstance(nonces, _Nonces):
            nonces = store.extra["oauth1_nonces"] = _Nonces()
        # Past the window the timestamp itself is refused, so the nonce can be forgotten.
        return nonces.use(key, max(timestamp, now) + rules_of(ctx).timestamp_window, now)
