"""Checks for OAuth 1.0a connectors: the signature method, the verifier, unique nonces
(RFC 5849 §3.3, §3.4, §2.3)."""

from __future__ import annotations

import re
from collections import Counter

from ..idp.store import Exchange
from .checks import Verdict, check, failed, judge
from .run import Run

OAUTH1 = ("oauth1",)
_PARAM = re.compile(r'(oauth_[a-z_]+)="?([^",]*)"?')


def oauth_params(exchange: Exchange) -> dict[str, str]:
    """The OAuth protocol parameters of a request: Authorization header, query or body."""
    found = dict(_PARAM.findall(exchange.headers.get("Authorization", "")))
    for source in (exchange.query, exchange.form):
        found.update({k: v for k, v in source.items() if k.startswith("oauth_")})
    return found


def signed(run: Run) -> list[Exchange]:
    return [e for e in run.exchanges() if "oauth_signature_method" in oauth_params(e)]


@check(
    "oauth1.signature",
    "Requests are signed with a signature method the provider accepts",
    "RFC 5849 §3.4 and provider docs",
    protocols=OAUTH1,
    needs=("oauth1",),
    owns=("oauth1.signature.",),
)
def signature(run: Run) -> Verdict:
    run.login()
    rules = run.provider.oauth1
    expected = list(rules.signature_methods) if rules else None
    requests = signed(run)
    if not requests:
        return failed("no signed request reached the provider", expected, None)
    methods = sorted({oauth_params(e)["oauth_signature_method"] for e in requests})
    return judge(run, f"signed with {', '.join(methods)}", expected, methods)


@check(
    "oauth1.verifier",
    "The access-token request carries the callback's oauth_verifier",
    "RFC 5849 §2.3",
    protocols=OAUTH1,
    needs=("oauth1",),
    owns=("oauth1.verifier.",),
)
def verifier(run: Run) -> Verdict:
    run.login()
    requests = run.exchanges("access_token")
    expected = "oauth_verifier in the access-token request"
    if not requests:
        return failed("no access-token request reached the provider", expected, None)
    sent = "oauth_verifier" in oauth_params(requests[0])
    if not sent:
        return Verdict(
            "fail",
            "the access-token request has no oauth_verifier",
            expected,
            False,
            [requests[0].id],
        )
    return judge(run, "oauth_verifier sent with the access-token request", expected, sent)


@check(
    "oauth1.nonce",
    "Every signed request has a fresh nonce and a current timestamp",
    "RFC 5849 §3.3",
    protocols=OAUTH1,
    needs=("oauth1",),
    owns=("oauth1.nonce.", "oauth1.timestamp."),
)
def nonce(run: Run) -> Verdict:
    run.login()
    run.login()
    requests = signed(run)
    nonces = [oauth_params(e).get("oauth_nonce", "") for e in requests]
    expected = "a different oauth_nonce in every signed request"
    repeated = [n for n, count in Counter(nonces).items() if count > 1 or not n]
    if repeated:
        ids = [e.id for e, n in zip(requests, nonces, strict=True) if n in repeated]
        return Verdict("fail", "a nonce was missing or used twice", expected, nonces, ids)
    return judge(
        run, f"{len(nonces)} signed requests, {len(nonces)} distinct nonces", expected, nonces
    )
