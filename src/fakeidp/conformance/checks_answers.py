"""Checks on legal but unusual answers: what providers send and connectors trip on.

Each check injects one answer variant of :mod:`fakeidp.idp.oidc_faults` (or an
existing fault kind) and expects the connector to log in all the same. Each
applies only where the real provider can send that answer; the check's source
says why.
"""

from __future__ import annotations

from ..providers.model import Provider
from .checks import Verdict, check, failed, not_applicable, passed
from .environment import Settings
from .run import Run

GROUP = "Legal but unusual answers"
ERROR_URI = "https://provider.example/help/oauth-errors#access_denied"


def _accepts(run: Run, what: str, **fault: object) -> Verdict:
    """Inject ``fault`` at the token endpoint: the login must succeed as usual."""
    run.idp.fault(run.pid, "token", **fault)
    outcome = run.login()
    hit = [e for e in run.exchanges("token") if e.fault is not None]
    expected = f"logged in as {run.expected_user_id}"
    if not hit:
        return failed(
            f"no token response to alter: {outcome.describe()}", expected, outcome.to_dict()
        )
    ids = [hit[0].id]
    if outcome.error is not None or outcome.user_id != run.expected_user_id:
        return Verdict(
            "fail",
            f"the token response had {what}, and the connector reported {outcome.describe()}",
            expected,
            outcome.to_dict(),
            ids,
        )
    return Verdict("pass", f"logged in with {what}", expected, outcome.to_dict(), ids)


def _has_token_type(provider: Provider, settings: Settings) -> str | None:
    shape = provider.token_response
    if shape is None or shape.token_type is None:
        return f"{provider.name} sends no token_type"
    return None


@check(
    "answer.token_type_case",
    "token_type in another letter case is accepted",
    'RFC 6749 §5.1 ("The value is case insensitive"); providers send both: DigitalOcean, '
    'Twitch and X "bearer", Uber and OIDC Core\'s examples "Bearer" (shared/PROVIDERS.md)',
    applies=_has_token_type,
    group=GROUP,
)
def token_type_case(run: Run) -> Verdict:
    return _accepts(run, "token_type in another case", kind="token_type_case")


def _has_scope(provider: Provider, settings: Settings) -> str | None:
    shape = provider.token_response
    if shape is None or shape.scope not in ("string", "array"):
        return f"{provider.name}'s token response carries no scope"
    return None


@check(
    "answer.scope_format",
    "scope as a JSON array where a string is usual, and the reverse, is accepted",
    "RFC 6749 §3.3, §5.1 (a space-delimited string); Twitch sends a JSON array "
    "(shared/PROVIDERS.md §6): a connector meets both forms. Applies where the token "
    "response carries a scope",
    applies=_has_scope,
    group=GROUP,
)
def scope_format(run: Run) -> Verdict:
    return _accepts(run, "scope in the other form (string/array)", kind="scope_format")


def _generic_only(provider: Provider, settings: Settings) -> str | None:
    if provider.id != "oidc":
        return f"{provider.name} is not known to send it (shared/PROVIDERS.md)"
    return None


@check(
    "answer.no_expires_in",
    "A token response without expires_in is accepted",
    "RFC 6749 §5.1: expires_in is RECOMMENDED, not required. Applies to the generic OpenID "
    "provider (any provider may leave it out); Dribbble and Vimeo never send it, which "
    "their login check covers",
    applies=_generic_only,
    group=GROUP,
)
def no_expires_in(run: Run) -> Verdict:
    return _accepts(run, "no expires_in", kind="missing_field", field="expires_in")


@check(
    "answer.expires_in_string",
    'expires_in as a string ("3600") is accepted',
    "RFC 6749 §5.1 wants a JSON number, yet OpenID providers send a string (Microsoft's "
    'Azure AD v1 endpoint: "expires_in": "3599"). Applies to the generic OpenID provider; '
    "none of the vendors emulated here is known to",
    applies=_generic_only,
    group=GROUP,
)
def expires_in_string(run: Run) -> Verdict:
    return _accepts(run, "expires_in as a string", kind="expires_in_string")


@check(
    "answer.extra_fields",
    "Unknown extra fields in the token response are ignored",
    'RFC 6749 §5.1: "The client MUST ignore unrecognized value names"; providers add their '
    "own (DigitalOcean info, Imgur account_id, Uber last_authenticated, Vimeo user)",
    group=GROUP,
)
def extra_fields(run: Run) -> Verdict:
    return _accepts(run, "unknown extra fields", kind="extra_fields")


def _refreshes_without_rotation(provider: Provider, settings: Settings) -> str | None:
    rules = provider.oauth2
    if rules is None or not rules.refresh or "refresh_token" not in rules.grants:
        return f"{provider.name} issues no refresh tokens"
    if rules.rotate_refresh_token:
        return f"{provider.name} always sends a new refresh token (it rotates them)"
    return None


@check(
    "answer.refresh_keeps_refresh_token",
    "A refresh answer without a refresh token keeps the old one in use",
    'RFC 6749 §6: the server "MAY issue a new refresh token"; without one the old stays '
    "valid. Applies where the provider does not rotate refresh tokens",
    needs=("refresh",),
    applies=_refreshes_without_rotation,
    group=GROUP,
)
def refresh_keeps(run: Run) -> Verdict:
    first = run.login()
    if not first.ok:
        return failed(f"the login before the refresh failed: {first.describe()}")
    issued = any(
        isinstance(e.response, dict) and e.response.get("refresh_token")
        for e in run.exchanges("token")
    )
    if not issued:
        return not_applicable("the login got no refresh token")
    run.expire()
    run.idp.fault(run.pid, "token", kind="no_new_refresh_token")
    outcomes = [run.refresh()]
    run.expire()
    outcomes.append(run.refresh())
    expected = {"refreshes": 2, "user_id": run.expected_user_id}
    actual = [o.to_dict() for o in outcomes]
    bad = [o for o in outcomes if o.error is not None or o.user_id != run.expected_user_id]
    if bad:
        which = "first" if bad[0] is outcomes[0] else "second"
        return failed(
            f"the {which} refresh after an answer without a refresh token gave {bad[0].describe()}",
            expected,
            actual,
        )
    return passed("refreshed twice, the second time with the kept refresh token", expected, actual)


@check(
    "answer.error_uri",
    "An error redirect with error_uri is reported as an error",
    "RFC 6749 §4.1.2.1 (error_uri OPTIONAL); any OAuth 2.0 provider may add it",
    group=GROUP,
)
def error_uri(run: Run) -> Verdict:
    run.idp.fault(
        run.pid,
        "authorize",
        kind="oauth_error",
        error="access_denied",
        description="The user denied the request",
        error_uri=ERROR_URI,
    )
    outcome = run.login()
    tokens = len(run.exchanges("token"))
    expected = {"error": "cancelled", "token_requests": 0}
    actual = {"error": outcome.error, "token_requests": tokens}
    if outcome.error is None:
        return failed(f"reported as a success: {outcome.describe()}", expected, actual)
    if tokens:
        return failed("a token request followed the error redirect", expected, actual)
    if outcome.error != "cancelled":
        return failed(f"reported as {outcome.error}, not cancelled", expected, actual)
    return passed("reported as cancelled; no token request", expected, actual)


def _advertises_iss(provider: Provider, settings: Settings) -> str | None:
    if provider.oidc is None or not provider.oidc.authorization_response_iss:
        return f"{provider.name} does not send iss in its authorization responses (RFC 9207)"
    return None


@check(
    "answer.authorization_iss",
    "RFC 9207 iss in the authorization response: the right one accepted, another refused",
    "RFC 9207 §2.4 (for clients that support it; RFC 9700 §4.4 recommends it against mix-up "
    "attacks). Applies where the provider advertises authorization_response_iss_parameter_"
    "supported: the generic OpenID provider",
    applies=_advertises_iss,
    group=GROUP,
)
def authorization_iss(run: Run) -> Verdict:
    first = run.login()
    expected = {"right iss": run.expected_user_id, "another iss": "refused"}
    if not first.ok or first.user_id != run.expected_user_id:
        return failed(
            f"a login whose authorization response carried the right iss failed: "
            f"{first.describe()}",
            expected,
            first.to_dict(),
        )
    run.idp.fault(run.pid, "authorize", kind="authorization_iss_wrong")
    second = run.login()
    actual = {"right iss": first.user_id, "another iss": second.describe()}
    if second.error is None:
        return Verdict(
            "warning",
            "an authorization response from another issuer was accepted: the connector does "
            "not check iss, so a mix-up attack goes unnoticed (RFC 9207 §2.4)",
            expected,
            actual,
        )
    return passed(f"the right iss accepted, another refused ({second.error})", expected, actual)
