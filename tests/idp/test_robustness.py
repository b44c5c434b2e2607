"""Nothing the IdP receives is trusted: any request gets a well-formed answer, never a 500."""

from __future__ import annotations

import json
import urllib.parse

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fakeidp
from tests.expected import OAUTH2_PROVIDERS

APP = fakeidp.create_app()
CLIENT = APP.test_client()
PATHS = [
    urllib.parse.urlsplit(url).path
    for pid in OAUTH2_PROVIDERS
    for url in fakeidp.FakeIdP(app=APP).urls(pid).values()
]
KEYS = st.sampled_from(
    [
        "client_id",
        "client_secret",
        "code",
        "grant_type",
        "redirect_uri",
        "scope",
        "state",
        "code_verifier",
        "code_challenge",
        "code_challenge_method",
        "refresh_token",
        "response_type",
    ]
) | st.text(max_size=8)
# Real credentials and grant types now and then, so requests get past the first checks.
KNOWN = [
    v
    for p in fakeidp.builtin_providers().values()
    for v in (p.client.client_id, p.client.client_secret)
] + ["authorization_code", "refresh_token", "client_credentials", "code", "S256", "plain"]
VALUES = st.text(max_size=40) | st.sampled_from(KNOWN)
PARAMS = st.dictionaries(KEYS, VALUES, max_size=6)
HEADERS = st.dictionaries(
    st.sampled_from(["Authorization", "Content-Type", "Accept", "Client-Id"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    max_size=3,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    query=PARAMS,
    form=PARAMS,
    headers=HEADERS,
    raw=st.binary(max_size=64),
    use_raw=st.booleans(),
)
def test_no_request_makes_a_500(
    path: str,
    method: str,
    query: dict[str, str],
    form: dict[str, str],
    headers: dict[str, str],
    raw: bytes,
    use_raw: bool,
) -> None:
    data: object = raw if use_raw else form
    response = CLIENT.open(path, method=method, query_string=query, data=data, headers=headers)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.mimetype == "application/json":
        json.loads(response.get_data())  # well-formed
