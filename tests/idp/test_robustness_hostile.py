"""Hostile requests, as raw WSGI environs, to every endpoint: never a 5xx, never a traceback.

Every route of every provider (OAuth 2.0, OAuth 1.0a, OIDC, emulated APIs),
the control API and the dashboard, in strict, lenient and interactive mode,
get requests no client library would send: JSON nested far past Python's
recursion limit, invalid UTF-8 in the path, query, body and headers, digits
``int()`` refuses (``²``), huge and repeated parameters and headers, content
types that lie. Each must get a well-formed answer below 500.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

import fakeidp

APPS = {
    "strict": fakeidp.create_app(),
    "lenient": fakeidp.create_app(strict=False),
    "interactive": fakeidp.create_app(interactive=True),
}
PROVIDERS = sorted(fakeidp.builtin_providers())
RULE_ARG = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
FILL = {"provider": PROVIDERS[0], "client_id": "x", "fault_id": "1", "filename": "x.css"}


def _paths() -> list[str]:
    out = set()
    for rule in APPS["strict"].url_map.iter_rules():
        out.add(RULE_ARG.sub(lambda m: FILL.get(m.group(1), "x"), rule.rule))
    return sorted(out)


PATHS = _paths()
KNOWN = [
    v
    for p in fakeidp.builtin_providers().values()
    for v in (p.client.client_id, p.client.client_secret or "", p.user.login)
] + [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "code",
    "S256",
    "²",
    "٣",
    "-1",
    "9" * 400,
    "%ZZ",
    "\x00",
    "strict",
    "lenient",
    "status",
    "delay",
    "missing_field",
]
NAMES = st.sampled_from(
    [
        "client_id",
        "client_secret",
        "code",
        "grant_type",
        "redirect_uri",
        "scope",
        "state",
        "code_verifier",
        "refresh_token",
        "response_type",
        "claims",
        "provider",
        "endpoint",
        "severity",
        "rule",
        "limit",
        "since",
        "refresh",
        "oauth_token",
        "oauth_verifier",
        "kind",
        "field",
        "status",
        "mode",
        "login",
        "profile",
    ]
) | st.text(max_size=6)
VALUES = st.text(max_size=20) | st.sampled_from(KNOWN)
JSON_LEAF = st.none() | st.booleans() | st.integers() | VALUES
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=12,
)


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


BODIES = st.one_of(
    st.binary(max_size=80),  # anything, invalid UTF-8 included
    st.builds(lambda d: json.dumps(d).encode(), JSON),
    st.sampled_from(
        [
            b"[" * 100_000 + b"]" * 100_000,
            nested(100_000),
            nested(70),  # over the depth limit, under the recursion limit
            b'{"profile": ' + nested(5000) + b"}",
            b"a=1&a=2&a=3&client_id=x&client_id=y",
            b"a=" + b"9" * 300_000,
            b"\xff\xfe=\xc3\x28&code=\xe2\x82",
            b'{"kind": "missing_field", "provider": "uber", "endpoint": "me", "field": "data.\xc2\xb2"}',
            b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n",
        ]
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        "",
        "application/json",
        "application/json; charset=latin-1",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=bogus",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/jwt",
    ]
)
HEADER_VALUES = st.sampled_from(
    [
        "Bearer ²",
        "Bearer " + "x" * 5000,
        "Basic !!!",
        "Basic " + "A" * 9,
        'OAuth oauth_signature="%ZZ", oauth_nonce',
        "OAuth ,,,=",
        "null",
        "http://evil.example",
        "cross-site",
        "\xff\xfe",
        "127.0.0.1:1",
    ]
) | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=30)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "HTTP_AUTHORIZATION",
            "HTTP_ACCEPT",
            "HTTP_CLIENT_ID",
            "HTTP_ORIGIN",
            "HTTP_SEC_FETCH_SITE",
            "HTTP_COOKIE",
            "HTTP_X_FORWARDED_FOR",
            "HTTP_TRANSFER_ENCODING",
        ]
    ),
    HEADER_VALUES,
    max_size=4,
)
RAW_QUERY = st.one_of(
    st.builds(
        # Sent as UTF-8, unencoded; a WSGI server hands it on as latin-1 (PEP 3333).
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs).encode().decode("latin-1"),
        st.lists(st.tuples(NAMES, VALUES), max_size=5),
    ),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),  # WSGI strings are latin-1
    st.just("limit=" + "9" * 5000 + "&since=-1"),
)


def call(app: Any, environ: dict[str, Any]) -> tuple[int, str, bytes]:
    status: list[str] = []
    headers: list[tuple[str, str]] = []

    def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(s)
        headers.extend(h)

    body = b"".join(app(environ, start_response))
    content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
    return int(status[0].split()[0]), content_type, body


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    mode=st.sampled_from(sorted(APPS)),
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    query=RAW_QUERY,
    body=BODIES,
    content_type=CONTENT_TYPES,
    headers=HEADERS,
    lie_about_length=st.booleans(),
    path_suffix=st.sampled_from(["", "\xff", "/\xc3\x28", "%00"]),
)
def test_no_hostile_request_makes_a_5xx(
    mode: str,
    path: str,
    method: str,
    query: str,
    body: bytes,
    content_type: str,
    headers: dict[str, str],
    lie_about_length: bool,
    path_suffix: str,
) -> None:
    app = APPS[mode]
    environ = EnvironBuilder(path=path, method=method).get_environ()
    environ["PATH_INFO"] = path + path_suffix
    environ["QUERY_STRING"] = query
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body) // 2 if lie_about_length else len(body))
    environ["CONTENT_TYPE"] = content_type
    environ.update(headers)
    status, response_type, answer = call(app, environ)
    assert status < 500, (status, answer[:500])
    if response_type.startswith("application/json"):
        json.loads(answer)  # well-formed
    with fakeidp.idp.app.store_of(app).lock:  # a fault or user set here must not leak on
        pass
    fakeidp.idp.app.store_of(app).reset()


def test_the_hostile_requests_reach_every_kind_of_route() -> None:
    """The paths the property test samples cover providers, OIDC, the control API, the dashboard."""
    assert "/_fakeidp/" in PATHS and "/_fakeidp/exchanges" in PATHS
    assert any(p.endswith("/.well-known/openid-configuration") for p in PATHS)
    for pid in PROVIDERS:
        for url in fakeidp.FakeIdP(app=APPS["strict"]).urls(pid).values():
            # A fixture's {cloudid} path parameter is any segment, as <x> is here.
            assert re.sub(r"\{\w+\}", "x", url.split(".invalid", 1)[1]) in PATHS
