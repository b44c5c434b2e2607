"""Nothing the OAuth 1.0a endpoints receive is trusted: every request gets a well-formed
answer, never a 500, however its OAuth parameters are mangled."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fakeidp

OAUTH1 = ["jira", "tumblr", "x", "xing"]
APP = fakeidp.create_app(OAUTH1)
# Lenient mode goes on past a failed check, so mangled requests reach the later code too.
CLIENTS = [APP.test_client(), fakeidp.create_app(OAUTH1, strict=False).test_client()]
PATHS = [
    urllib.parse.urlsplit(url).path
    for pid in OAUTH1
    for url in fakeidp.FakeIdP(app=APP).urls(pid).values()
]
PRINTABLE = st.characters(min_codepoint=32, max_codepoint=126)
NAMES = st.sampled_from(
    [
        "oauth_consumer_key",
        "oauth_signature_method",
        "oauth_signature",
        "oauth_timestamp",
        "oauth_nonce",
        "oauth_token",
        "oauth_verifier",
        "oauth_callback",
        "oauth_version",
        "realm",
        "username",
    ]
) | st.text(alphabet=PRINTABLE, max_size=8)
# Real consumer keys, methods and a current timestamp now and then, to get past the first checks.
KNOWN = [p.client.client_id for p in fakeidp.builtin_providers().values()] + [
    "HMAC-SHA1",
    "RSA-SHA1",
    "PLAINTEXT",
    "1.0",
    "oob",
    str(int(time.time())),
    "%",
    "²",
    "9" * 5000,
    "=",
    '"',
]
VALUES = st.text(max_size=30) | st.sampled_from(KNOWN)
PARAMS = st.dictionaries(NAMES, VALUES, max_size=7)


def header(params: dict[str, str], raw: str, use_raw: bool) -> str:
    if use_raw:
        return "OAuth " + raw
    return "OAuth " + ", ".join(
        f'{k}="{urllib.parse.quote(v, safe="")}"' for k, v in params.items()
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    client=st.sampled_from(CLIENTS),
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST"]),
    in_header=PARAMS,
    query=PARAMS,
    form=PARAMS,
    raw=st.text(alphabet=PRINTABLE, max_size=60),
    use_raw=st.booleans(),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "application/json", "text/plain", None]
    ),
)
def test_no_oauth1_request_makes_a_500(
    client: Any,
    path: str,
    method: str,
    in_header: dict[str, str],
    query: dict[str, str],
    form: dict[str, str],
    raw: str,
    use_raw: bool,
    content_type: str | None,
) -> None:
    headers = {"Authorization": header(in_header, raw, use_raw)}
    if content_type:
        headers["Content-Type"] = content_type
    data = urllib.parse.urlencode(form) if method == "POST" else None
    response = client.open(path, method=method, query_string=query, data=data, headers=headers)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.mimetype == "application/json":
        json.loads(response.get_data())
