"""What the connector tests share: the browser step, the expected user ids, findings as text."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable

import requests

import fakeidp
from fakeidp.idp.rules import Finding

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
