"""JIRA Server / Data Center over OAuth 1.0a, as Atlassian's service provider answers."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse

import requests

import fakeidp

from .flow import REDIRECT, Flow
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


# -- Data Center OAuth 2.0 (Atlassian "Jira OAuth 2.0 provider API"; Nango jira-data-center) -----


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_data_center_pkce_login_as_documented(idp: fakeidp.FakeIdP) -> None:
    """Authorize with PKCE at /rest/oauth2/latest/authorize, then the documented token POST
    with every parameter in the query, then /rest/api/2/myself with Bearer."""
    flow = Flow(idp, "jira-data-center")
    verifier = "v" * 64
    code = flow.code(scope="WRITE", code_challenge=s256(verifier), code_challenge_method="S256")
    query = {
        "client_id": flow.creds.client_id,
        "client_secret": flow.creds.client_secret,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    response = flow.client.post(flow.urls["token"], query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    token = response.json
    assert token["token_type"] == "bearer" and token["scope"] == "WRITE"
    me = flow.profile(token["access_token"])
    assert me.status_code == 200 and me.json["name"] == "fakeidptest"
    # Only RFC 6749 §2.3.1's warning about a secret in the URL, which Atlassian's example does.
    assert flow.rules() == ["oauth2.token.client_auth_in_query"]


def test_data_center_wrong_verifier_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "jira-data-center")
    code = flow.code(scope="READ", code_challenge=s256("a" * 64), code_challenge_method="S256")
    response = flow.token({"code": code, "code_verifier": "b" * 64})
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"


def test_data_center_bad_token_gets_jiras_error_collection(idp: fakeidp.FakeIdP) -> None:
    flow = Flow(idp, "jira-data-center")
    response = flow.profile("not-a-token")
    assert response.status_code == 401
    assert response.json["errors"] == {} and response.json["errorMessages"]


def test_myself_is_one_url_for_both_jira_fixtures(idp: fakeidp.FakeIdP) -> None:
    """jira.example.com/rest/api/2/myself answers an OAuth 1.0a signature and a Bearer token."""
    with idp.intercepting():
        bearer = Flow(idp, "jira-data-center").login_token(scope="READ")["access_token"]
        response = requests.get(
            "https://jira.example.com/rest/api/2/myself",
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=5,
        )
        assert response.status_code == 200 and response.json()["name"] == "fakeidptest"
    assert [e.provider for e in idp.exchanges()][-1] == "jira-data-center"
