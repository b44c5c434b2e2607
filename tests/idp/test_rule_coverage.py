"""Rules not exercised elsewhere: each has a request that breaks it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fakeidp
from fakeidp.idp.rules import RULES
from fakeidp.providers import fixtures_dir, load_providers

from .flow import Flow
from .oauth1_flow import OAuth1Flow


def test_connection_scope_expectation(idp: fakeidp.FakeIdP) -> None:
    idp.expect("digitalocean", scope=["read", "write"])
    flow = Flow(idp, "digitalocean")
    flow.code(scope="read")
    [finding] = idp.findings()
    assert finding.rule == "connection.authorize.scope"
    assert (finding.expected, finding.actual) == (["read", "write"], ["read"])
    flow.code(scope="write read")  # order does not matter
    assert len(idp.findings()) == 1


def test_jira_user_lookup_needs_the_session_username(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "jira")
    tokens = flow.tokens()
    response = flow.profile(tokens, "user", query={"username": "someone-else"})
    assert response.status_code >= 400
    assert flow.rules_hit() == ["api.profile.query"]
    response = flow.profile(tokens, "user", query={"username": "fakeidptest"})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "fakeidptest"


def test_oauth_version_other_than_1_0(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "x")

    def version_2(uri: str, headers: dict[str, str], body: Any) -> Any:
        headers = {
            **headers,
            "Authorization": headers["Authorization"].replace(
                'oauth_version="1.0"', 'oauth_version="2.0"'
            ),
        }
        return uri, headers, body

    response = flow.request_token(tamper=version_2)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == 32
    assert flow.rules_hit()[0] == "oauth1.version"


def test_unparseable_authorization_header(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "tumblr")

    def garbled(uri: str, headers: dict[str, str], body: Any) -> Any:
        return uri, {**headers, "Authorization": "OAuth garbage"}, body

    response = flow.request_token(tamper=garbled)
    assert response.status_code == 401
    assert flow.rules_hit() == ["oauth1.params.malformed"]


def test_required_token_header_from_a_fixture(tmp_path: Path) -> None:
    # No shipped provider requires a token-endpoint header; the rule is generic.
    source = (fixtures_dir() / "uber.toml").read_text(encoding="utf-8")
    source = source.replace(
        "[token_response]",
        '[oauth2.token_required_headers]\nX-Api-Version = "2"\n\n[token_response]',
        1,
    )
    (tmp_path / "uber.toml").write_text(source, encoding="utf-8")
    idp = fakeidp.FakeIdP(app=fakeidp.create_app(load_providers(tmp_path)))
    flow = Flow(idp, "uber")
    response = flow.token({"code": flow.code()})
    assert response.status_code == 400
    assert flow.rules() == ["oauth2.token.header"]
    assert flow.token({"code": flow.code()}, headers={"X-Api-Version": "2"}).status_code == 200


def test_every_rule_has_a_source_and_a_summary() -> None:
    for rule in RULES.values():
        assert rule.source and rule.summary and rule.severity in ("error", "warning"), rule
