"""The check catalogue: what the conformance suite asks of a connector, one check at a time.

A :class:`Check` has a stable id, a one-line title, its source (an RFC
section or provider docs), the protocols it applies to, the target
capabilities it needs, and the IdP rule ids it *owns*: the findings it
judges. Every finding belongs to exactly one applicable check (those no check
owns fall to ``login``), so one broken rule fails one check, not a cascade.

The checks themselves live in :mod:`.checks_flow`, :mod:`.checks_token`
and :mod:`.checks_oauth1`; :func:`catalogue` returns them in report order.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..idp.rules import Finding
from ..providers.model import Provider
from .environment import Settings
from .results import Status

if TYPE_CHECKING:
    from .run import Run

Applies = Callable[[Provider, Settings], "str | None"]
Configure = Callable[[Provider, Settings], Settings]
# Report groups, so a connector's author sees "ID token validation: 9 of 13" at a glance.
FLOW = "Login flow"


@dataclass
class Verdict:
    """What a check concluded; the engine adds the findings and the evidence."""

    status: Status
    message: str
    expected: Any = None
    actual: Any = None
    exchanges: list[int] = field(default_factory=list)  # ids of the requests that show it


def passed(message: str, expected: Any = None, actual: Any = None) -> Verdict:
    return Verdict("pass", message, expected, actual)


def failed(message: str, expected: Any = None, actual: Any = None) -> Verdict:
    return Verdict("fail", message, expected, actual)


def not_applicable(message: str) -> Verdict:
    return Verdict("not_applicable", message)


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    source: str
    run: Callable[[Run], Verdict]
    protocols: frozenset[str] = frozenset({"oauth2"})
    needs: frozenset[str] = frozenset({"login"})
    # Rule ids this check judges; an entry ending in "." is a prefix ("oauth1.nonce.").
    owns: tuple[str, ...] = ()
    applies: Applies | None = None
    group: str = FLOW
    # How the connector is configured for this check (the OIDC checks add the openid scope).
    configure: Configure | None = None

    def owns_rule(self, rule: str) -> bool:
        return any(rule == o or (o.endswith(".") and rule.startswith(o)) for o in self.owns)

    def not_applicable_because(
        self, provider: Provider, settings: Settings, capabilities: Iterable[str]
    ) -> str | None:
        """Why this check cannot judge this target at this provider, or None."""
        needs = self.needs | ({"oauth1"} if provider.protocol == "oauth1" else set())
        missing = sorted(needs - set(capabilities))
        if missing:
            return "the target lacks the capability " + ", ".join(missing)
        return self.applies(provider, settings) if self.applies else None


_CHECKS: dict[str, Check] = {}


def check(
    id: str,
    title: str,
    source: str,
    *,
    protocols: Iterable[str] = ("oauth2",),
    needs: Iterable[str] = ("login",),
    owns: Iterable[str] = (),
    applies: Applies | None = None,
    group: str = FLOW,
    configure: Configure | None = None,
) -> Callable[[Callable[[Run], Verdict]], Callable[[Run], Verdict]]:
    """Register the decorated function as a check."""

    def register(fn: Callable[[Run], Verdict]) -> Callable[[Run], Verdict]:
        _CHECKS[id] = Check(
            id,
            title,
            source,
            fn,
            frozenset(protocols),
            frozenset({"login", *needs}),
            tuple(owns),
            applies,
            group,
            configure,
        )
        return fn

    return register


def catalogue() -> list[Check]:
    """Every check, in the order reports show them."""
    from . import (  # noqa: F401  (they register)
        checks_answers,
        checks_flow,
        checks_lifecycle,
        checks_oauth1,
        checks_oidc,
        checks_token,
    )

    order = {cid: i for i, cid in enumerate(ORDER)}
    return sorted(_CHECKS.values(), key=lambda c: order.get(c.id, len(order)))


ORDER = (
    "login",
    "provider.lifecycle",
    "authorize.static_params",
    "authorize.dynamic_params",
    "authorize.scopes",
    "authorize.state",
    "callback.state",
    "authorize.pkce",
    "token.client_auth",
    "token.custom_headers",
    "profile.request",
    "profile.scopes",
    "authorize.denied",
    "token.invalid_grant",
    "token.server_error",
    "token.malformed_response",
    "token.refresh",
    "oauth1.signature",
    "oauth1.verifier",
    "oauth1.nonce",
    # checks_answers: legal but unusual answers
    "answer.token_type_case",
    "answer.scope_format",
    "answer.no_expires_in",
    "answer.expires_in_string",
    "answer.extra_fields",
    "answer.refresh_keeps_refresh_token",
    "answer.error_uri",
    "answer.authorization_iss",
    # checks_oidc: what an OpenID Connect relying party accepts
    "id_token.signature",
    "id_token.alg_none",
    "id_token.issuer",
    "id_token.audience",
    "id_token.audiences_without_azp",
    "id_token.expired",
    "id_token.iat_future",
    "id_token.sub",
    "id_token.nonce",
    "id_token.nonce_missing",
    "id_token.kid_absent_single_key",
    "id_token.kid_absent_several_keys",
    "id_token.key_rotation",
    "userinfo.sub",
    "discovery.issuer",
)


# -- judging helpers the checks share ------------------------------------------------


def judge(
    run: Run,
    pass_message: str,
    expected: Any = None,
    actual: Any = None,
    findings: list[Finding] | None = None,
) -> Verdict:
    """Fail on the first error finding this check owns, warn on a warning, else pass."""
    owned = run.owned_findings() if findings is None else findings
    for severity, status in (("error", "fail"), ("warning", "warning")):
        hits = [f for f in owned if f.severity == severity]
        if hits:
            first = hits[0]
            more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
            return Verdict(
                status,  # type: ignore[arg-type]
                f"{first.message} [{first.rule}]{more}",
                first.expected,
                first.actual,
                [f.exchange for f in hits if f.exchange is not None],
            )
    return passed(pass_message, expected, actual)


# (alphabet, bits per character); dashes in hex (UUIDs) carry no entropy.
_ALPHABETS = (
    (frozenset(string.digits), math.log2(10)),
    (frozenset(string.hexdigits + "-"), 4.0),
    (frozenset(string.ascii_letters + string.digits), math.log2(62)),
    (frozenset(string.ascii_letters + string.digits + "-_"), 6.0),
)


def entropy_bits(value: str) -> float:
    """A rough upper bound of a random string's entropy, from its length and alphabet.

    RFC 6749 §10.10: the probability of guessing a generated value must be at
    most 2^-128. The alphabet is the smallest common one holding every
    character (digits, hex, alphanumerics, base64url; else printable ASCII).
    """
    for alphabet, bits in _ALPHABETS:
        if set(value) <= alphabet:
            counted = len(value.replace("-", "")) if bits == 4.0 else len(value)
            return counted * bits
    return len(value) * math.log2(95)
