"""Each input that once answered 500, and the body size limit (issue 11)."""

from __future__ import annotations

import io
import urllib.parse
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder

import fakeidp
from fakeidp.config import load_config
from fakeidp.idp.limits import DEFAULT_MAX_BODY, MAX_JSON_DEPTH, TooDeep, loads
from tests.expected import EXPECTED_USER_IDS

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def idp() -> fakeidp.FakeIdP:
    return fakeidp.FakeIdP()


def path(idp: fakeidp.FakeIdP, provider: str, endpoint: str) -> str:
    return idp.urls(provider)[endpoint].split(".invalid", 1)[1]


def test_json_nested_100000_deep_is_the_token_endpoints_error(idp: fakeidp.FakeIdP) -> None:
    client = idp.app.test_client()
    answer = client.post(
        path(idp, "digitalocean", "token"), data=DEEP, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request"


def test_json_nested_100000_deep_is_a_400_naming_the_body_at_the_control_api(
    idp: fakeidp.FakeIdP,
) -> None:
    client = idp.app.test_client()
    for method, url in [("PUT", "/_fakeidp/mode"), ("POST", "/_fakeidp/faults")]:
        answer = client.open(url, method=method, data=DEEP, content_type="application/json")
        assert answer.status_code == 400, url
        assert answer.get_json()["field"] == "body"


def test_json_deeper_than_the_limit_but_within_the_recursion_limit_is_refused() -> None:
    shallow = '{"a":' * MAX_JSON_DEPTH + "1" + "}" * MAX_JSON_DEPTH
    assert loads(shallow)["a"]["a"]["a"]
    with pytest.raises(TooDeep):
        loads('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1))
    with pytest.raises(ValueError):
        loads(b"\xff\xfe")
    # Brackets inside strings do not count: a scope string full of them is fine.
    assert loads('{"scope": "' + "[" * 500 + '"}')["scope"] == "[" * 500


def test_a_claims_parameter_nested_100000_deep_is_a_finding_not_a_500(
    idp: fakeidp.FakeIdP,
) -> None:
    client = fakeidp.OAuth2Client(idp.connection("oidc"), idp.session())
    url = client.authorization_request().url + "&claims=" + urllib.parse.quote(DEEP)
    answer = idp.session().get(url, allow_redirects=False)
    assert answer.status_code < 500
    assert any(f.rule == "oidc.authorize.claims" for f in idp.findings())


def test_a_dashboard_refresh_of_superscript_two_is_ignored(idp: fakeidp.FakeIdP) -> None:
    # "²".isdigit() is True but int("²") raises: this was a 500.
    answer = idp.app.test_client().get("/_fakeidp/?refresh=²")
    assert answer.status_code == 200
    assert b'http-equiv="refresh"' not in answer.data


def test_a_missing_field_fault_with_a_superscript_index_alters_nothing(
    idp: fakeidp.FakeIdP,
) -> None:
    idp.fault("uber", "me", kind="missing_field", field="data.²")
    result = fakeidp.OAuth2Client(idp.connection("uber"), idp.session()).login()
    assert result.user_id == EXPECTED_USER_IDS["uber"]


def test_a_toml_datetime_in_a_configured_profile_is_served_as_rfc3339(tmp_path: Path) -> None:
    # The case was Uber's /v1/me, which serves the whole profile (v1.2 and v3 name
    # their fields); DigitalOcean's account does too.
    config = tmp_path / "fakeidp.toml"
    config.write_text(
        "[providers.digitalocean.user.profile]\n"
        "created_at = 2024-05-01T12:30:00Z\n"
        "birthday = 1990-02-03\n"
        "alarm = 07:30:00\n"
        "history = [2024-05-01T12:30:00+02:00]\n"
    )
    idp = fakeidp.FakeIdP(["digitalocean"])
    load_config(config).install(idp.store)
    result = fakeidp.OAuth2Client(idp.connection("digitalocean"), idp.session()).login()
    account = result.profile["account"]
    assert account["created_at"] == "2024-05-01T12:30:00+00:00"
    assert account["birthday"] == "1990-02-03"
    assert account["alarm"] == "07:30:00"
    assert account["history"] == ["2024-05-01T12:30:00+02:00"]


def test_raw_invalid_utf8_in_the_query_string_is_read_percent_encoded(
    idp: fakeidp.FakeIdP,
) -> None:
    environ = EnvironBuilder(path="/_fakeidp/exchanges").get_environ()
    environ["QUERY_STRING"] = "provider=\x80\xff"  # raw bytes, as a server hands them on
    status: list[str] = []
    body = b"".join(idp.app(environ, lambda s, h, e=None: status.append(s)))
    assert status[0].startswith("400")
    assert b"%80%FF" in body  # the provider named, as sent


# -- the body size limit ------------------------------------------------------------------
def test_a_body_over_the_default_limit_is_413_in_the_providers_shape(
    idp: fakeidp.FakeIdP,
) -> None:
    client = idp.app.test_client()
    big = "a=" + "x" * DEFAULT_MAX_BODY
    answer = client.post(path(idp, "digitalocean", "token"), data=big)
    assert answer.status_code == 413
    assert answer.get_json()["error"] == "invalid_request"  # DigitalOcean's OAuth error shape
    assert "1048576 bytes" in answer.get_json()["error_description"]
    # X's API speaks {"errors": [{code, message}]}; authorize is an HTML page.
    answer = client.post(path(idp, "x", "verify_credentials"), data=big)
    assert answer.status_code == 413 and "errors" in answer.get_json()
    answer = client.post(path(idp, "digitalocean", "authorize"), data=big)
    assert answer.status_code == 413 and answer.mimetype == "text/html"
    # Recorded, so the developer sees why.
    assert [e.status for e in idp.exchanges("digitalocean")] == [413, 413]


def test_a_body_just_under_the_limit_is_read(idp: fakeidp.FakeIdP) -> None:
    client = idp.app.test_client()
    answer = client.post(
        path(idp, "digitalocean", "token"), data="a=" + "x" * (DEFAULT_MAX_BODY - 10)
    )
    assert answer.status_code == 400  # read, and refused for what it says
    assert answer.get_json()["error"] != "request_too_large"


def test_the_control_api_answers_413_naming_the_body() -> None:
    app = fakeidp.create_app(["uber"], config={"MAX_CONTENT_LENGTH": 100})
    answer = app.test_client().put("/_fakeidp/users/uber", json={"login": "x" * 200})
    assert answer.status_code == 413
    assert answer.get_json()["field"] == "body"


def test_a_chunked_body_without_content_length_is_limited_too() -> None:
    app = fakeidp.create_app(["uber"], config={"MAX_CONTENT_LENGTH": 100})
    environ = EnvironBuilder(path="/uber/login/oauth/token", method="POST").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input"] = io.BytesIO(b"a=" + b"x" * 1000)
    environ["wsgi.input_terminated"] = True
    status: list[str] = []
    b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    assert status[0].startswith("413")
