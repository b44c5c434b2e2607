"""Checks on the login flow: the user id, authorize parameters, scopes, state, the profile
call, and a denied login (RFC 6749 §4.1, §3.3, §10.12; RFC 5849 §2)."""

from __future__ import annotations

import secrets

from ..idp.store import Exchange
from ..providers.model import Provider
from .checks import Verdict, check, entropy_bits, failed, judge, not_applicable, passed
from .environment import Settings
from .run import Run, with_param

BOTH = ("oauth2", "oauth1")
MIN_STATE_BITS = 128  # RFC 6749 §10.10: guessing must be at most 2^-128 likely


@check(
    "login",
    "A login completes with the right user_id",
    "RFC 6749 §4.1 / RFC 5849 §2 and provider docs",
    protocols=BOTH,
)
def login(run: Run) -> Verdict:
    outcome = run.login()
    expected = run.expected_user_id
    if outcome.error:
        return failed(f"the login failed: {outcome.describe()}", expected, outcome.to_dict())
    if outcome.user_id != expected:
        return failed(
            f"the connector reported user_id {outcome.user_id!r}, the profile says {expected!r}",
            expected,
            outcome.user_id,
        )
    if not any(e.status == 200 for e in _token_requests(run)):
        return failed(
            "the connector reported a user id, but no token request succeeded",
            expected,
            outcome.user_id,
        )
    # Findings no other check owns are this one's: a provider would refuse them.
    return judge(run, f"logged in as {expected}", expected, outcome.user_id, run.unowned_findings())


def _has_static(provider: Provider, settings: Settings) -> str | None:
    return None if settings.static_params else "the connector is configured with no static params"


@check(
    "authorize.static_params",
    "Static authorize params arrive as configured",
    "connection settings (Auth0 authParams / upstream_params value) and provider docs",
    protocols=BOTH,
    needs=("static_params",),
    owns=("connection.authorize.static_param",),
    applies=_has_static,
)
def static_params(run: Run) -> Verdict:
    run.login()
    return _authorize_params(run, dict(run.settings.static_params))


def _has_dynamic(provider: Provider, settings: Settings) -> str | None:
    return None if settings.expected_dynamic() else "the connector maps no dynamic params"


@check(
    "authorize.dynamic_params",
    "Dynamic authorize params are mapped from the login request",
    "connection settings (Auth0 authParamsMap / upstream_params alias)",
    protocols=BOTH,
    needs=("dynamic_params",),
    owns=("connection.authorize.dynamic_param",),
    applies=_has_dynamic,
)
def dynamic_params(run: Run) -> Verdict:
    run.login()
    return _authorize_params(run, run.settings.expected_dynamic())


def _authorize_params(run: Run, expected: dict[str, str]) -> Verdict:
    sent = run.exchanges("authorize")
    if not sent:
        return failed("no authorization request reached the provider", expected, None)
    query = sent[0].query
    actual = {name: query.get(name) for name in expected}
    shown = ", ".join(f"{k}={v}" for k, v in expected.items())
    return judge(run, f"{shown} arrived", expected, actual)


def _has_scopes(provider: Provider, settings: Settings) -> str | None:
    rules = provider.oauth2
    if rules is None or rules.scope_ignored:
        return f"{provider.name} has no scopes"
    if len(settings.scopes) < 2:
        return "the connector asks for fewer than two scopes"
    return None


@check(
    "authorize.scopes",
    "Multiple scopes are joined with the provider's separator",
    "RFC 6749 §3.3 and provider docs",
    needs=("scopes",),
    owns=("oauth2.authorize.scope_separator", "connection.authorize.scope"),
    applies=_has_scopes,
)
def scopes(run: Run) -> Verdict:
    run.login()
    rules = run.provider.oauth2
    assert rules is not None
    expected = rules.scope_separator.join(run.settings.scopes)
    sent = run.exchanges("authorize")
    if not sent:
        return failed("no authorization request reached the provider", expected, None)
    actual = sent[0].query.get("scope")
    return judge(run, f"scope={actual!r}, joined with {rules.scope_separator!r}", expected, actual)


@check(
    "authorize.state",
    "The state is unguessable and sent with every authorization request",
    "RFC 6749 §10.10, §10.12",
    owns=("oauth2.authorize.state",),
)
def state_sent(run: Run) -> Verdict:
    run.login()
    run.login()
    states = [e.query.get("state") for e in run.exchanges("authorize")]
    expected = f"a different value of at least {MIN_STATE_BITS} bits in each request"
    ids = [e.id for e in run.exchanges("authorize")]
    if len(states) < 2:
        return failed("two logins did not make two authorization requests", expected, states)
    if not all(states):
        return Verdict("fail", "an authorization request carried no state", expected, states, ids)
    values = [s for s in states if s]
    if len(set(values)) < len(values):
        return Verdict("fail", "two logins sent the same state", expected, values, ids)
    weakest = min(values, key=entropy_bits)
    bits = entropy_bits(weakest)
    if bits < MIN_STATE_BITS:
        return Verdict(
            "fail", f"the state is guessable: about {bits:.0f} bits", expected, weakest, ids
        )
    return judge(run, f"two different states of about {bits:.0f} bits", expected, values)


@check(
    "callback.state",
    "A forged or missing state on the callback is rejected",
    "RFC 6749 §10.12 (RFC 5849 §2.2: the oauth_token of the callback)",
    protocols=BOTH,
    needs=("callback",),
)
def state_checked(run: Run) -> Verdict:
    param = "state" if run.provider.protocol == "oauth2" else "oauth_token"
    tampers = {
        "forged": lambda url: with_param(url, param, secrets.token_urlsafe(24)),
        "missing": lambda url: with_param(url, param, None),
    }
    actual: dict[str, str] = {}
    accepted: list[str] = []
    for name, tamper in tampers.items():
        before = len(_token_requests(run))
        outcome = run.login(tamper=tamper)
        exchanged = len(_token_requests(run)) > before
        if outcome.error is None or exchanged:
            accepted.append(name)
            actual[name] = (
                "accepted: "
                + outcome.describe()
                + ("; the code was exchanged" if exchanged else "")
            )
        else:
            actual[name] = f"rejected ({outcome.error}), no token request"
    expected = {name: "rejected, no token request" for name in tampers}
    if accepted:
        return failed(
            f"a callback with a {' and a '.join(accepted)} {param} was accepted", expected, actual
        )
    return passed(f"a forged and a missing {param} were rejected", expected, actual)


def _token_requests(run: Run) -> list[Exchange]:
    names = ("token", "access_token")
    return [e for e in run.exchanges() if e.endpoint in names]


@check(
    "profile.request",
    "The profile call uses the provider's auth scheme and headers",
    "RFC 6750 §2 and provider docs",
    protocols=BOTH,
    owns=("api.profile.",),
)
def profile_request(run: Run) -> Verdict:
    run.login()
    calls = run.profile_exchanges()
    if not calls:
        return not_applicable("the connector made no profile call")
    profile = run.provider.primary_profile
    expected = {"auth": list(profile.auth), "headers": {h.name: h.value for h in profile.headers}}
    actual = {"url": calls[0].url, "headers": calls[0].headers, "query": calls[0].query}
    return judge(
        run, f"{len(calls)} profile call(s) as {run.provider.name} reads them", expected, actual
    )


def _has_scope_needs(provider: Provider, settings: Settings) -> str | None:
    needs = [p.scopes for p in provider.profiles if p.scopes]
    if any(n.required or n.any_of for n in needs):
        return None
    return f"{provider.name} documents no scope its profile API needs"


@check(
    "profile.scopes",
    "The connector asks for the scopes the provider's API needs",
    "RFC 6750 §3.1 (insufficient_scope) and provider docs cited in [profile.scopes]",
    owns=("api.scope.",),
    applies=_has_scope_needs,
)
def profile_scopes(run: Run) -> Verdict:
    run.login()
    calls = run.profile_exchanges()
    if not calls:
        return not_applicable("the connector made no profile call")
    sent = run.exchanges("authorize")
    asked = sent[0].query.get("scope") if sent else None
    called = {e.endpoint for e in calls}
    expected = {
        p.endpoint.path: {"all_of": list(p.scopes.required), "one_of": list(p.scopes.any_of)}
        for p in run.provider.profiles
        if p.scopes and p.endpoint.name in called
    }
    paths = ", ".join(expected) or "its profile call"
    return judge(run, f"asked for {asked or 'no scope'}: enough for {paths}", expected, asked)


@check(
    "authorize.denied",
    "A denied login is reported as cancelled, and no token request follows",
    "RFC 6749 §4.1.2.1 / RFC 5849 §2.2 and provider docs",
    protocols=BOTH,
)
def denied(run: Run) -> Verdict:
    run.idp.deny_next(run.pid)
    outcome = run.login()
    expected = {"error": "cancelled", "token_requests": 0}
    actual = {"error": outcome.error, "token_requests": len(_token_requests(run))}
    if outcome.error is None:
        return failed(
            f"the denied login was reported as a success: {outcome.describe()}", expected, actual
        )
    if actual["token_requests"]:
        return failed("a token request followed the denial", expected, actual)
    if outcome.error != "cancelled":
        return failed(
            f"the denial was reported as {outcome.error}, not cancelled", expected, actual
        )
    return passed("reported as cancelled; no token request", expected, actual)
