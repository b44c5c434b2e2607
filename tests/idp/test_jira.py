"""JIRA Server / Data Center over OAuth 1.0a, as Atlassian's service provider answers."""

from __future__ import annotations

import urllib.parse

import fakeidp

from .oauth1_flow import OAuth1Flow


def test_myself_is_served(idp: fakeidp.FakeIdP) -> None:
    """GET /rest/api/2/myself, signed (Jira REST API; PROVIDERS-AUDIT §4, ranked 11)."""
    flow = OAuth1Flow(idp, "jira")
    response = flow.profile(flow.tokens(), "myself")
    assert response.status_code == 200, response.text
    me = response.json()
    assert (me["name"], me["key"], me["emailAddress"]) == (
        "fakeidptest",
        "fakeidptest",
        "fakeidptest@jira.example.com",
    )
    assert idp.findings() == []


def test_myself_with_a_bad_token_is_token_rejected(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "jira")
    tokens = {**flow.tokens(), "oauth_token": "not-a-token"}
    response = flow.profile(tokens, "myself")
    assert response.status_code == 401
    assert dict(urllib.parse.parse_qsl(response.text))["oauth_problem"] == "token_rejected"


def test_denial_carries_the_token_and_a_denied_verifier(idp: fakeidp.FakeIdP) -> None:
    """Atlassian's service provider: ?oauth_token=<token>&oauth_verifier=denied
    (bitbucket-server-integration-plugin AuthorizeConfirmationConfigTest)."""
    flow = OAuth1Flow(idp, "jira")
    temporary = flow.temporary()
    idp.deny_next("jira")
    callback = flow.callback(temporary["oauth_token"])
    assert callback == {"oauth_token": temporary["oauth_token"], "oauth_verifier": "denied"}
    # A connector that trades the "denied" verifier gets no token.
    response = flow.access_token(temporary, "denied")
    assert response.status_code == 401
    assert dict(urllib.parse.parse_qsl(response.text))["oauth_problem"] == "token_rejected"
