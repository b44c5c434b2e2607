"""The OpenID Connect checks judge relying parties: broken ones fail exactly where broken.

Each relying party here is the reference client with one thing done wrong
(small adapters, as in broken.py); each runs every check at both OIDC
providers, so "fails only X" means no other check of the whole suite moved.
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from fakeidp.client.connection import Connection
from fakeidp.client.id_token import OpenIDProvider
from fakeidp.client.oauth2 import OAuth2Client
from fakeidp.conformance import AdapterTarget, Engine, Environment, ReferenceTarget, Report, Target
from fakeidp.conformance.checks import catalogue
from fakeidp.conformance.checks_oidc import ID_TOKEN, OTHER
from fakeidp.report.terminal import group_lines

OIDC = ["oidc", "twitch"]
ID_TOKEN_CHECKS = [c.id for c in catalogue() if c.group == ID_TOKEN]
OIDC_CHECKS = [c.id for c in catalogue() if c.group in (ID_TOKEN, OTHER)]
ACCEPTANCE = {"id_token.kid_absent_single_key"}  # accepting is right: nothing to refuse


class BlindIdToken(ReferenceTarget):
    """Decodes the ID token and trusts it: no signature, issuer, audience, expiry or nonce."""

    name = "blind ID token"

    def id_token_claims(
        self, client: OAuth2Client, token: dict[str, Any], nonce: str | None
    ) -> dict[str, Any] | None:
        claims: dict[str, Any] = jwt.decode(token["id_token"], options={"verify_signature": False})
        return claims

    def fetch_profile(
        self, client: OAuth2Client, access_token: str, claims: dict[str, Any] | None
    ) -> tuple[Any, str | None]:
        return client.fetch_profile(access_token)  # nothing trusted is compared


class NeverRefetchesJwks(ReferenceTarget):
    """Validates the ID token with the JWKS it fetched first, and never fetches it again."""

    name = "JWKS cached forever"

    def oauth2_client(self, env: Environment, connection: Connection) -> OAuth2Client:
        if "openid" not in env.scratch and connection.openid:
            env.scratch["openid"] = OpenIDProvider(
                connection.oidc_issuer, env.session, refetch_unknown_kid=False
            )
        return super().oauth2_client(env, connection)


class IgnoresUserinfoSub(ReferenceTarget):
    """Validates the ID token, then takes UserInfo's answer without comparing its sub."""

    name = "UserInfo sub unchecked"

    def fetch_profile(
        self, client: OAuth2Client, access_token: str, claims: dict[str, Any] | None
    ) -> tuple[Any, str | None]:
        return client.fetch_profile(access_token)


class NeverAsksForOpenid(ReferenceTarget):
    """Declares OIDC, yet drops the openid scope: a plain OAuth 2.0 login."""

    name = "no openid scope"

    def connection(self, env: Environment) -> Connection:
        c = env.connection
        return c.replace(scopes=tuple(s for s in c.scopes if s != "openid"))


def run(target: Target) -> Report:
    with Engine(target, OIDC) as engine:
        return engine.run_all()


def failures(report: Report) -> set[tuple[str, str]]:
    return {(r.provider, r.check) for r in report.by_status("fail")}


@pytest.fixture(scope="module")
def reference() -> Report:
    return run(ReferenceTarget())


def test_the_reference_client_passes_every_oidc_check(reference: Report) -> None:
    for pid in OIDC:
        for check in OIDC_CHECKS:
            result = reference.result(pid, check)
            assert result is not None
            if (pid, check) == ("twitch", "userinfo.sub"):
                # Twitch's profile is Helix /users: the reference client never calls UserInfo.
                assert result.status == "not_applicable", result.message
            else:
                assert result.status == "pass", (pid, check, result.message)
    assert failures(reference) == set()


def test_the_report_groups_the_id_token_checks(reference: Report) -> None:
    lines = group_lines(reference)
    assert "ID token validation: 26 of 26 (oidc 13 of 13, twitch 13 of 13)" in lines
    assert "OpenID Connect UserInfo and discovery: 3 of 3 (oidc 2 of 2, twitch 1 of 1)" in lines
    assert [c.group for c in reference.checks if c.id == "id_token.signature"] == [ID_TOKEN]


def test_a_relying_party_that_trusts_the_id_token_blindly_fails_the_id_token_checks() -> None:
    report = run(BlindIdToken())
    for pid in OIDC:
        for check in ID_TOKEN_CHECKS:
            result = report.result(pid, check)
            assert result is not None
            # OpenID's rp-id_token-kid-absent-single-jwks expects acceptance, which a blind
            # relying party gives too; every refusal, and the rotation (it never fetches the
            # JWKS, so it cannot have verified the new key), it fails.
            wanted = "pass" if check in ACCEPTANCE else "fail"
            assert result.status == wanted, (pid, check, result.message)
    rotation = report.result("oidc", "id_token.key_rotation")
    assert rotation is not None and "never fetched" in rotation.message
    signature = report.result("oidc", "id_token.signature")
    assert signature is not None
    assert signature.message.startswith("the ID token's signature does not verify, and the")
    assert f"{ID_TOKEN}: 2 of 26 (oidc 1 of 13, twitch 1 of 13)" in group_lines(report)


def test_a_relying_party_that_never_refetches_the_jwks_fails_only_the_rotation() -> None:
    report = run(NeverRefetchesJwks())
    assert failures(report) == {(pid, "id_token.key_rotation") for pid in OIDC}
    result = report.result("twitch", "id_token.key_rotation")
    assert result is not None and "fetch the JWKS again on an unknown kid" in result.message


def test_a_relying_party_that_ignores_userinfo_sub_fails_only_that_check() -> None:
    report = run(IgnoresUserinfoSub())
    # At Twitch the profile is Helix /users, not UserInfo: nothing to compare there.
    assert failures(report) == {("oidc", "userinfo.sub")}


def test_a_target_that_never_asks_for_openid_gets_not_applicable_never_passed() -> None:
    report = run(NeverAsksForOpenid())
    for pid in OIDC:
        for check in OIDC_CHECKS:
            result = report.result(pid, check)
            assert result is not None and result.status == "not_applicable", (pid, check)
            assert result.message in (
                "the connector logged in without asking for the openid scope",
                "the connector did not fetch the discovery document during the login",
                "the connector did not call UserInfo during the login",
            )


class PlainAdapter:
    """An adapter that does not declare the oidc capability."""

    transport = "in_process"

    def login(self, env: Environment) -> str:
        return ReferenceTarget().connection(env).client_id


def test_an_adapter_without_the_oidc_capability_gets_them_as_not_applicable() -> None:
    with Engine(AdapterTarget(PlainAdapter()), ["oidc"], checks=catalogue()) as engine:
        for check in OIDC_CHECKS:
            [scenario] = [s for s in engine.scenarios() if s.check == check]
            result = engine.run(scenario)
            assert result.status == "not_applicable"
            assert result.message == "the target lacks the capability oidc"
