"""Checks on the token endpoint: PKCE, client authentication, custom headers, error
answers, and refresh (RFC 6749 §2.3, §5.2, §6, §10.4; RFC 7636)."""

from __future__ import annotations

from ..idp.store import Exchange
from ..providers.model import Provider
from .checks import Verdict, check, failed, judge, not_applicable, passed
from .environment import Outcome, Settings
from .run import Run

CLIENT_AUTH_RULES = (
    "oauth2.token.client_auth",
    "oauth2.token.client_auth_placement",
    "oauth2.token.client_auth_undocumented",
    "oauth2.token.client_auth_in_query",
    "oauth2.token.client_auth_multiple",
)


@check(
    "authorize.pkce",
    "PKCE is used where required, with S256 and a valid verifier",
    "RFC 7636 §4.2, §4.3, §4.6 and provider docs",
    owns=(
        "oauth2.authorize.pkce_required",
        "oauth2.authorize.pkce_method",
        "oauth2.authorize.pkce_plain",
        "oauth2.authorize.pkce_unsupported",
        "oauth2.token.code_verifier",
    ),
)
def pkce(run: Run) -> Verdict:
    run.login()
    rules = run.provider.oauth2
    assert rules is not None
    sent = run.exchanges("authorize")
    if not sent:
        return failed("no authorization request reached the provider")
    query = sent[0].query
    actual = {
        "code_challenge_method": query.get("code_challenge_method")
        or ("plain" if query.get("code_challenge") else None),
        "code_verifier": any("code_verifier" in e.form for e in run.exchanges("token")),
    }
    if rules.pkce == "unsupported":
        expected: object = f"no code_challenge: {run.provider.name} does not support PKCE"
        message = "no code_challenge sent"
    elif rules.pkce == "required":
        expected = {"code_challenge_method": "S256", "code_verifier": True}
        message = "S256 code_challenge and a matching code_verifier"
    else:
        expected = f"optional at {run.provider.name}; if used: S256 and a matching verifier"
        message = (
            "S256 code_challenge and a matching code_verifier"
            if actual["code_challenge_method"]
            else f"not used (optional at {run.provider.name})"
        )
    return judge(run, message, expected, actual)


def placements(exchange: Exchange) -> list[str]:
    """Where a token request carried client credentials (RFC 6749 §2.3.1)."""
    found = []
    if exchange.headers.get("Authorization", "").lower().startswith("basic"):
        found.append("basic")
    if "client_secret" in exchange.form:
        found.append("body")
    if "client_secret" in exchange.query:
        found.append("query")
    return found


@check(
    "token.client_auth",
    "Client credentials go where the provider reads them, in one place only",
    "RFC 6749 §2.3 and provider docs",
    owns=CLIENT_AUTH_RULES,
)
def client_auth(run: Run) -> Verdict:
    outcome = run.login()
    if outcome.ok and _can_refresh(run) and _refresh_token_issued(run):
        run.expire()
        run.refresh()  # the refresh request authenticates the client too
    rules = run.provider.oauth2
    assert rules is not None
    requests = run.exchanges("token")
    if not requests:
        return failed("no token request reached the provider", list(rules.client_auth_documented))
    actual = [placements(e) for e in requests]
    shown = "; ".join(", ".join(p) or "none" for p in actual)
    return judge(run, f"credentials in {shown}", list(rules.client_auth_documented), actual)


def _has_headers(provider: Provider, settings: Settings) -> str | None:
    return None if settings.token_headers else "the connector is configured with no custom headers"


@check(
    "token.custom_headers",
    "Configured custom headers reach the token endpoint",
    "connection settings (Auth0 Custom Headers)",
    needs=("custom_headers",),
    owns=("connection.token.custom_header",),
    applies=_has_headers,
)
def custom_headers(run: Run) -> Verdict:
    run.login()
    expected = dict(run.settings.token_headers)
    requests = run.exchanges("token")
    if not requests:
        return failed("no token request reached the provider", expected, None)
    actual = {name: requests[0].headers.get(name) for name in expected}
    return judge(run, f"{', '.join(expected)} arrived", expected, actual)


def _token_fault(run: Run, what: str, **fault: object) -> Verdict:
    """Answer the next token request with a fault; the connector must report an error."""
    run.idp.fault(run.pid, "token", **fault)
    outcome = run.login()
    requests = run.exchanges("token")
    expected = f"an error reported when the token endpoint answers {what}"
    if not requests:
        return failed("no token request reached the provider", expected, outcome.to_dict())
    if outcome.error is None:
        return failed(
            f"the token endpoint answered {what}, and the connector reported {outcome.describe()}",
            expected,
            outcome.to_dict(),
        )
    return Verdict(
        "pass", f"reported as {outcome.error}", expected, outcome.to_dict(), [requests[0].id]
    )


@check(
    "token.invalid_grant",
    "An invalid_grant at the token endpoint is surfaced as an error",
    "RFC 6749 §5.2",
)
def invalid_grant(run: Run) -> Verdict:
    return _token_fault(
        run,
        "invalid_grant",
        kind="oauth_error",
        error="invalid_grant",
        description="The authorization code is invalid or has expired",
    )


@check(
    "token.server_error",
    "A 5xx at the token endpoint is surfaced as an error",
    "RFC 9110 §15.6",
)
def server_error(run: Run) -> Verdict:
    return _token_fault(run, "503", kind="status", status=503)


@check(
    "token.malformed_response",
    "A malformed JSON body from the token endpoint is surfaced as an error",
    "RFC 6749 §5.1",
)
def malformed_response(run: Run) -> Verdict:
    return _token_fault(run, "200 with truncated JSON", kind="truncated")


def _can_refresh(run: Run) -> bool:
    return "refresh" in run.target.capabilities and _refreshes(run.provider, run.settings) is None


def _refreshes(provider: Provider, settings: Settings) -> str | None:
    rules = provider.oauth2
    if rules is None or not rules.refresh or "refresh_token" not in rules.grants:
        return f"{provider.name} issues no refresh tokens"
    return None


def _refresh_token_issued(run: Run) -> bool:
    return any(
        isinstance(e.response, dict) and e.response.get("refresh_token")
        for e in run.exchanges("token")
    )


def _refresh_requests(run: Run) -> list[Exchange]:
    return [
        e
        for e in run.exchanges("token")
        if {**e.query, **e.form}.get("grant_type") == "refresh_token"
    ]


@check(
    "token.refresh",
    "An expired token is refreshed with grant_type=refresh_token, and a rotated refresh "
    "token is kept",
    "RFC 6749 §6, §10.4 and provider docs",
    needs=("refresh",),
    owns=("oauth2.token.refresh_token", "oauth2.token.refresh_token_rotated"),
    applies=_refreshes,
)
def refresh(run: Run) -> Verdict:
    first = run.login()
    if not first.ok:
        return failed(f"the login before the refresh failed: {first.describe()}")
    if not _refresh_token_issued(run):
        rules = run.provider.oauth2
        needed = rules.refresh_requires_scope if rules else ""
        return not_applicable(
            "the login got no refresh token" + (f" (it takes the scope {needed})" if needed else "")
        )
    rules = run.provider.oauth2
    assert rules is not None
    rounds = 2 if rules.rotate_refresh_token else 1
    outcomes: list[Outcome] = []
    for _ in range(rounds):
        run.expire()
        outcomes.append(run.refresh())
    expected = {
        "refresh_requests": rounds,
        "user_id": run.expected_user_id,
        "keeps_rotated_token": rules.rotate_refresh_token,
    }
    actual = {
        "refresh_requests": len(_refresh_requests(run)),
        "outcomes": [o.to_dict() for o in outcomes],
    }
    if not _refresh_requests(run):
        return failed(
            "the token expired and no refresh_token grant reached the token endpoint; "
            f"the connector reported {outcomes[0].describe()}",
            expected,
            actual,
        )
    verdict = judge(run, "", expected, actual)
    if verdict.status != "pass":
        return verdict
    bad = [o for o in outcomes if o.user_id != run.expected_user_id]
    if bad:
        return failed(
            f"after the refresh the connector reported {bad[0].describe()}", expected, actual
        )
    message = (
        f"refreshed {rounds} times, keeping the rotated refresh token"
        if rounds > 1
        else "refreshed with grant_type=refresh_token"
    )
    return passed(message, expected, actual)
