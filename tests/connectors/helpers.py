"""What the connector tests share: the browser step, the expected user ids, findings as text."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests

import fakeidp
from fakeidp.client.profile import user_id_of
from fakeidp.idp.rules import Finding
from fakeidp.providers import builtin_providers
from fakeidp.providers.model import ProfileEndpoint
from fakeidp.providers.oauth1 import OAuth1Rules, ProfileStep

# The user id each provider's default test user logs in as, read off the fixtures by hand
# (tests/expected.py has the OAuth 2.0 ones).
from tests.expected import EXPECTED_USER_IDS

USER_IDS = {
    **EXPECTED_USER_IDS,
    "jira": "fakeidptest",
    "tumblr": "fakeidptest",
    "x": "1460123456789012480",
    "xing": "123456_abcdef",
}

# Where a test registers its app; the fake accepts any redirect URI until one is registered.
REDIRECT = "https://app.example/callback"


def browser(url: str, session: requests.Session | None = None) -> str:
    """The user agent: open the authorization URL, come back with the redirect to the app.

    Under interception the URL is the provider's real one and the fake answers it.
    """
    response = (session or requests).get(url, allow_redirects=False, timeout=5)
    assert response.status_code in (301, 302, 303), (response.status_code, response.text[:500])
    return response.headers["Location"]


def query_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def show(findings: Iterable[Finding]) -> list[str]:
    return [f"{f.severity} {f.rule}: expected {f.expected!r}, got {f.actual!r}" for f in findings]


def rules(idp: fakeidp.FakeIdP, severity: str | None = None) -> list[str]:
    return sorted({f.rule for f in idp.findings(severity=severity)})


def assert_clean(idp: fakeidp.FakeIdP) -> None:
    """Nothing the real provider would refuse; warnings are allowed (and shown on failure)."""
    assert idp.errors() == [], show(idp.findings())


# -- third-party client libraries, configured as their docs say --------------------------------


@dataclass(frozen=True)
class OAuth2Settings:
    """What a library's user reads off the provider's docs to configure an OAuth 2.0 client."""

    urls: dict[str, str]
    profile_url: str
    user_id_path: str
    scopes: list[str]
    basic: bool  # the provider documents HTTP Basic for client credentials
    pkce: bool
    headers: dict[str, str]  # what the profile API requires beside the token
    token_headers: dict[str, str]
    client_id: str
    client_secret: str | None
    # authorize parameters the docs say to send with one value (Atlassian audience)
    params: dict[str, str]


def oauth2_settings(idp: fakeidp.FakeIdP, pid: str, urls: dict[str, str]) -> OAuth2Settings:
    p = idp.provider(pid)
    rules = p.oauth2
    assert rules is not None
    profile = p.primary_profile
    scopes = list(rules.default_scope)
    # What the provider's docs say the profile call needs (X /2/users/me: tweet.read and
    # users.read), and refresh tokens (X offline.access).
    needed = profile.scopes.asked() if profile.scopes else ()
    for scope in (*needed, rules.refresh_requires_scope):
        if scope and scope not in scopes:
            scopes.append(scope)
    creds = idp.credentials(pid)
    return OAuth2Settings(
        urls=urls,
        profile_url=urls[profile.endpoint.name],
        user_id_path=profile.user_id,
        scopes=scopes,
        basic="basic" in rules.client_auth_documented,
        pkce=rules.pkce != "unsupported",
        headers={
            h.name: h.example.replace("${client_id}", p.client.client_id)
            for h in profile.headers
            if h.example
        },
        token_headers={h.name: h.example for h in rules.token_headers if h.example},
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        params=dict(rules.authorize_param_values),
    )


@dataclass(frozen=True)
class OAuth1Settings:
    urls: dict[str, str]
    profile: ProfileEndpoint
    method: str
    rsa_key: str | None
    key: str
    secret: str | None
    steps: tuple[ProfileStep, ...]


def oauth1_settings(idp: fakeidp.FakeIdP, pid: str, urls: dict[str, str]) -> OAuth1Settings:
    p = idp.provider(pid)
    rules = p.oauth1
    assert isinstance(rules, OAuth1Rules)
    rsa = rules.signature_methods[0] == "RSA-SHA1"
    return OAuth1Settings(
        urls=urls,
        profile=p.primary_profile,
        method=rules.signature_methods[0],
        rsa_key=rules.test_private_key if rsa else None,
        key=p.client.client_id,
        secret=None if rsa else p.client.client_secret,
        steps=tuple(rules.profile_steps),
    )


def oauth1_profile_urls(s: OAuth1Settings, user_id: str | None) -> list[str]:
    """After the primary profile, the user resources it names (JIRA's session, then user)."""
    out = []
    for step in s.steps:
        query = {k: user_id if v.startswith("${") else v for k, v in step.query.items()}
        out.append(s.urls[step.profile] + "?" + urllib.parse.urlencode(query))
    return out


def read_oauth1_user(get: Callable[[str], Any], s: OAuth1Settings) -> str | None:
    """The primary profile, then (JIRA) the user resource named by it; ``get`` returns JSON."""
    user_id = user_id_of(get(s.urls[s.profile.endpoint.name]), s.profile.user_id)
    for url in oauth1_profile_urls(s, user_id):
        user_id = user_id_of(get(url), "name")
    return user_id


# -- what the fixtures say about providers ----------------------------------------------------


def lifecycle(pid: str, status: str, applies_to: str | None = None) -> list[Any]:
    """The provider's retired/deprecated/closed facts (``[[lifecycle]]``), if any."""
    facts = getattr(builtin_providers()[pid], "lifecycle", ())
    return [f for f in facts if f.status == status and applies_to in (None, f.applies_to)]


def newest_urls(idp: fakeidp.FakeIdP, pid: str) -> dict[str, str]:
    """Each endpoint on the last of its host's names (``x.com`` and ``api.x.com`` beside
    ``twitter.com`` and ``api.twitter.com``): the names current docs and connectors use."""
    p = idp.provider(pid)
    return {e.name: p.real_bases(e.host)[-1] + e.path for e in p.all_endpoints()}


def renamed(pid: str) -> bool:
    """Whether one of the provider's hosts has several names."""
    p = builtin_providers()[pid]
    return any(len(p.real_bases(e.host)) > 1 for e in p.all_endpoints())


def oauth1_session_login(
    idp: fakeidp.FakeIdP, pid: str, urls: dict[str, str], redirect: str = REDIRECT
) -> None:
    """requests-oauthlib's OAuth1Session, as its docs configure it, logs in at ``urls``
    (the real ones through interception, or a live server's) with the right user id."""
    from requests_oauthlib import OAuth1Session

    s = oauth1_settings(idp, pid, urls)
    session = OAuth1Session(
        s.key,
        client_secret=s.secret,
        callback_uri=redirect,
        signature_method=s.method,
        rsa_key=s.rsa_key,
    )
    # requests-oauthlib's OAuth1 sets header values as bytes; a real adapter sends them.
    temporary = session.fetch_request_token(s.urls["request_token"])
    assert temporary["oauth_callback_confirmed"] == "true"
    session.parse_authorization_response(browser(session.authorization_url(s.urls["authorize"])))
    tokens = session.fetch_access_token(s.urls["access_token"])
    assert tokens["oauth_token"] and tokens["oauth_token_secret"]

    def get(url: str) -> object:
        response: requests.Response = session.get(url, timeout=5)
        assert response.ok, response.text
        return response.json()

    assert read_oauth1_user(get, s) == USER_IDS[pid]
    assert_clean(idp)
