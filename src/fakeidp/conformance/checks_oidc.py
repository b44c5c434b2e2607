"""Checks on what an OpenID Connect relying party accepts: the OpenID Foundation's RP tests.

Each check logs in once as it should (the connector must succeed and ask for
``openid``), then injects one fault of :mod:`fakeidp.idp.oidc_faults`, which
breaks the ID token (or the UserInfo answer, or the discovery document) in
exactly one way, and logs in again. The connector must refuse that login: any
error will do. Two faults are legal, and the connector must accept them: an ID
token without ``kid`` when the JWKS holds one key, and a key rotation, where
the connector must fetch the JWKS again to find the new key.

The checks run for every provider that speaks OpenID Connect (``oidc``,
``twitch``), with the ``openid`` scope added to the connector's settings, for
targets with the ``oidc`` capability. A connector that logs in without asking
for ``openid`` gets them as not applicable, never as passed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from ..idp.store import Exchange
from ..providers.model import Provider
from .checks import Verdict, check, failed, not_applicable, passed
from .environment import Outcome, Settings
from .run import Run

ID_TOKEN = "ID token validation"
OTHER = "OpenID Connect UserInfo and discovery"
CORE = "OpenID Connect Core 1.0"
WHAT = {"userinfo": "call UserInfo", "discovery": "fetch the discovery document"}


def speaks_oidc(provider: Provider, settings: Settings) -> str | None:
    return None if provider.oidc is not None else f"{provider.name} does not speak OpenID Connect"


def with_openid(provider: Provider, settings: Settings) -> Settings:
    """The connector's settings with the openid scope (OIDC Core §3.1.2.1: "MUST")."""
    if provider.oidc is None or "openid" in settings.scopes:
        return settings
    return dataclasses.replace(settings, scopes=("openid", *settings.scopes))


def oidc_check(
    id: str, title: str, source: str, group: str = ID_TOKEN
) -> Callable[[Callable[[Run], Verdict]], Callable[[Run], Verdict]]:
    return check(
        id,
        title,
        source,
        needs=("oidc",),
        applies=speaks_oidc,
        group=group,
        configure=with_openid,
    )


# -- what the checks share --------------------------------------------------------
def asked_for_openid(run: Run) -> bool:
    return any(
        "openid" in re.split(r"[\s,+]+", e.query.get("scope") or "")
        for e in run.exchanges("authorize")
    )


def _normal_login(run: Run) -> Verdict | None:
    """A correct OpenID Connect login first: None when it went well, else the verdict."""
    outcome = run.login()
    if not asked_for_openid(run):
        return not_applicable("the connector logged in without asking for the openid scope")
    if not outcome.ok or outcome.user_id != run.expected_user_id:
        return failed(
            f"a correct OpenID Connect login failed first: {outcome.describe()}",
            run.expected_user_id,
            outcome.to_dict(),
        )
    return None


def _faulted(run: Run, endpoint: str, kind: str) -> list[Exchange]:
    return [
        e for e in run.exchanges(endpoint) if e.fault is not None and e.fault.get("kind") == kind
    ]


def _not_reached(run: Run, endpoint: str, outcome: Outcome) -> Verdict:
    if endpoint == "token":
        return failed(
            f"the second login brought no ID token to break: {outcome.describe()}",
            "a token response with an ID token",
            outcome.to_dict(),
        )
    return not_applicable(f"the connector did not {WHAT[endpoint]} during the login")


def refuses(run: Run, kind: str, what: str, endpoint: str = "token") -> Verdict:
    """Log in normally, then with ``kind`` injected: the connector must refuse."""
    verdict = _normal_login(run)
    if verdict is not None:
        return verdict
    run.idp.fault(run.pid, endpoint, kind=kind)
    outcome = run.login()
    return _judge_refusal(run, endpoint, kind, what, outcome)


def _judge_refusal(run: Run, endpoint: str, kind: str, what: str, outcome: Outcome) -> Verdict:
    hit = _faulted(run, endpoint, kind)
    if not hit:
        return _not_reached(run, endpoint, outcome)
    expected = f"the login refused: {what}"
    if outcome.error is None:
        return Verdict(
            "fail",
            f"{what}, and the connector accepted it: {outcome.describe()}",
            expected,
            outcome.to_dict(),
            [hit[0].id],
        )
    return Verdict("pass", f"refused ({outcome.error})", expected, outcome.to_dict(), [hit[0].id])


def _sent_nonce(run: Run) -> bool:
    return any(e.query.get("nonce") for e in run.exchanges("authorize"))


def _jwks_fetched_after(run: Run, exchange: Exchange) -> bool:
    return any(e.id > exchange.id and e.status == 200 for e in run.exchanges("jwks"))


# -- the ID token ---------------------------------------------------------------------
@oidc_check(
    "id_token.signature",
    "An ID token whose RS256 signature does not verify is refused",
    f"{CORE} §3.1.3.7 step 6; OpenID RP test rp-id_token-bad-sig-rs256",
)
def bad_signature(run: Run) -> Verdict:
    return refuses(run, "id_token_bad_signature", "the ID token's signature does not verify")


@oidc_check(
    "id_token.alg_none",
    "An unsigned ID token (alg none) is refused",
    f"{CORE} §3.1.3.7 step 7 (RS256 unless the client registered another; discovery offers "
    "only RS256), RFC 8725 §3.1; cf. OpenID RP test rp-id_token-sig-none, which registers "
    "for none and expects acceptance",
)
def alg_none(run: Run) -> Verdict:
    return refuses(run, "id_token_alg_none", "the ID token is unsigned (alg none)")


@oidc_check(
    "id_token.issuer",
    "An ID token from another issuer is refused",
    f"{CORE} §3.1.3.7 step 2; OpenID RP test rp-id_token-issuer-mismatch",
)
def issuer(run: Run) -> Verdict:
    return refuses(run, "id_token_issuer", "the ID token's iss is another issuer")


@oidc_check(
    "id_token.audience",
    "An ID token for another client is refused",
    f"{CORE} §3.1.3.7 step 3; OpenID RP test rp-id_token-aud",
)
def audience(run: Run) -> Verdict:
    return refuses(run, "id_token_audience", "the ID token's aud is another client")


@oidc_check(
    "id_token.audiences_without_azp",
    "An ID token also for another audience, without azp, is refused",
    f"{CORE} §3.1.3.7 steps 3 and 4 (no OpenID RP test of its own)",
)
def audiences(run: Run) -> Verdict:
    return refuses(
        run, "id_token_audiences", "the ID token's aud lists another client, and it has no azp"
    )


@oidc_check(
    "id_token.expired",
    "An expired ID token is refused",
    f"{CORE} §3.1.3.7 step 9 (no OpenID RP test of its own)",
)
def expired(run: Run) -> Verdict:
    return refuses(run, "id_token_expired", "the ID token expired an hour ago")


@oidc_check(
    "id_token.iat_future",
    "An ID token issued a day in the future is refused",
    f"{CORE} §3.1.3.7 step 10; cf. OpenID RP test rp-id_token-iat (there: no iat)",
)
def iat_future(run: Run) -> Verdict:
    return refuses(run, "id_token_iat_future", "the ID token's iat is a day from now")


@oidc_check(
    "id_token.sub",
    "An ID token without sub is refused",
    f"{CORE} §2 (sub REQUIRED); OpenID RP test rp-id_token-sub",
)
def no_sub(run: Run) -> Verdict:
    return refuses(run, "id_token_no_sub", "the ID token has no sub")


def _nonce_check(run: Run, kind: str, what: str) -> Verdict:
    verdict = _normal_login(run)
    if verdict is not None:
        return verdict
    if not _sent_nonce(run):
        return not_applicable(
            "the connector sends no nonce (OPTIONAL in the code flow, OIDC Core §3.1.2.1), "
            "so there is none to check"
        )
    run.idp.fault(run.pid, "token", kind=kind)
    return _judge_refusal(run, "token", kind, what, run.login())


@oidc_check(
    "id_token.nonce",
    "An ID token with another nonce than the one sent is refused",
    f"{CORE} §3.1.3.7 step 11; OpenID RP test rp-nonce-invalid",
)
def nonce(run: Run) -> Verdict:
    return _nonce_check(run, "id_token_nonce", "the ID token carries another nonce")


@oidc_check(
    "id_token.nonce_missing",
    "An ID token without the nonce that was sent is refused",
    f"{CORE} §3.1.3.7 step 11 (no OpenID RP test of its own)",
)
def nonce_missing(run: Run) -> Verdict:
    return _nonce_check(run, "id_token_no_nonce", "the ID token carries no nonce")


@oidc_check(
    "id_token.kid_absent_single_key",
    "An ID token without kid is accepted when the JWKS holds one key",
    f"{CORE} §10.1 (kid MAY be omitted with one key); OpenID RP test "
    "rp-id_token-kid-absent-single-jwks (accept)",
)
def kid_absent_single(run: Run) -> Verdict:
    verdict = _normal_login(run)
    if verdict is not None:
        return verdict
    run.idp.fault(run.pid, "token", kind="id_token_no_kid")
    outcome = run.login()
    hit = _faulted(run, "token", "id_token_no_kid")
    if not hit:
        return _not_reached(run, "token", outcome)
    expected = f"logged in as {run.expected_user_id}"
    if outcome.error is not None or outcome.user_id != run.expected_user_id:
        return Verdict(
            "fail",
            f"an ID token without kid, signed with the only key, was refused: {outcome.describe()}",
            expected,
            outcome.to_dict(),
            [hit[0].id],
        )
    return passed("accepted, verified with the only key", expected, outcome.to_dict())


@oidc_check(
    "id_token.kid_absent_several_keys",
    "An ID token without kid is refused when the JWKS holds several keys (or verified with "
    "the right one)",
    f"{CORE} §10.1 (with several keys a kid MUST be provided); OpenID RP test "
    "rp-id_token-kid-absent-multiple-jwks (refuse, or try every key)",
)
def kid_absent_several(run: Run) -> Verdict:
    verdict = _normal_login(run)
    if verdict is not None:
        return verdict
    kind = "id_token_no_kid_several_keys"
    run.idp.fault(run.pid, "token", kind=kind)
    outcome = run.login()
    hit = _faulted(run, "token", kind)
    if not hit:
        return _not_reached(run, "token", outcome)
    expected = "refused, or verified with a key of the refetched JWKS"
    if outcome.error is not None:
        return Verdict(
            "pass", f"refused ({outcome.error})", expected, outcome.to_dict(), [hit[0].id]
        )
    if _jwks_fetched_after(run, hit[0]) and outcome.user_id == run.expected_user_id:
        return passed("accepted after fetching the JWKS: it tried every key", expected)
    return Verdict(
        "fail",
        "accepted an ID token signed with a key the connector never fetched: "
        f"its signature cannot have been verified ({outcome.describe()})",
        expected,
        outcome.to_dict(),
        [hit[0].id],
    )


@oidc_check(
    "id_token.key_rotation",
    "After the provider rotates its signing key, the JWKS is fetched again and the login accepted",
    f"{CORE} §10.1.1 (rotation by publishing new keys at jwks_uri); OpenID RP test "
    "rp-key-rotation-op-sign-key",
)
def key_rotation(run: Run) -> Verdict:
    verdict = _normal_login(run)
    if verdict is not None:
        return verdict
    run.idp.fault(run.pid, "token", kind="id_token_key_rotated")
    outcome = run.login()
    hit = _faulted(run, "token", "id_token_key_rotated")
    if not hit:
        return _not_reached(run, "token", outcome)
    expected = f"the JWKS fetched again, and logged in as {run.expected_user_id}"
    ids = [hit[0].id]
    if outcome.error is not None or outcome.user_id != run.expected_user_id:
        return Verdict(
            "fail",
            "an ID token signed with the provider's new key was refused "
            f"({outcome.describe()}): fetch the JWKS again on an unknown kid",
            expected,
            outcome.to_dict(),
            ids,
        )
    if not _jwks_fetched_after(run, hit[0]):
        return Verdict(
            "fail",
            "accepted an ID token signed with a key the connector never fetched: "
            "its signature cannot have been verified",
            expected,
            outcome.to_dict(),
            ids,
        )
    return Verdict("pass", "fetched the JWKS again and logged in", expected, None, ids)


# -- UserInfo and discovery -------------------------------------------------------------
@oidc_check(
    "userinfo.sub",
    "A UserInfo answer whose sub is not the ID token's is refused",
    f"{CORE} §5.3.2; OpenID RP test rp-userinfo-bad-sub-claim",
    group=OTHER,
)
def userinfo_sub(run: Run) -> Verdict:
    return refuses(run, "userinfo_sub", "UserInfo's sub is not the ID token's", "userinfo")


@oidc_check(
    "discovery.issuer",
    "A discovery document whose issuer is not where it was fetched from is refused",
    "OpenID Connect Discovery 1.0 §4.3; OpenID RP test rp-discovery-issuer-not-matching-config",
    group=OTHER,
)
def discovery_issuer(run: Run) -> Verdict:
    # The fault comes first: a connector fetches discovery once, and may keep it.
    run.idp.fault(run.pid, "discovery", kind="discovery_issuer")
    outcome = run.login()
    verdict = _judge_refusal(
        run, "discovery", "discovery_issuer", "the discovery document names another issuer", outcome
    )
    if verdict.status != "pass":
        return verdict
    after = run.login()
    if not after.ok or after.user_id != run.expected_user_id:
        return failed(
            "the wrong document was refused, but a login with the right one then failed: "
            + after.describe(),
            run.expected_user_id,
            after.to_dict(),
        )
    return verdict
