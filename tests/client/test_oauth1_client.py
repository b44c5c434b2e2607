"""The reference OAuth 1.0a client: every OAuth1 provider over all three transports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

import fakeidp
from fakeidp.client.oauth1 import fill_step

OAUTH1_USER_IDS = {
    "jira": "fakeidptest",  # name (PROVIDERS.md §4)
    "tumblr": "fakeidptest",  # response.user.name (§5)
    "x": "1460123456789012480",  # id_str (§11)
    "xing": "123456_abcdef",  # users[0].id (§9)
}


@contextmanager
def in_process(idp: fakeidp.FakeIdP, pid: str) -> Iterator[fakeidp.OAuth1Client]:
    yield fakeidp.OAuth1Client(idp.connection(pid), idp.session())


@contextmanager
def live(idp: fakeidp.FakeIdP, pid: str) -> Iterator[fakeidp.OAuth1Client]:
    with idp.serve():
        yield fakeidp.OAuth1Client(idp.connection(pid))


@contextmanager
def intercepted(idp: fakeidp.FakeIdP, pid: str) -> Iterator[fakeidp.OAuth1Client]:
    with idp.intercepting():
        # Signed over the provider's real URLs, sent through a plain requests Session.
        yield fakeidp.OAuth1Client(idp.connection(pid, real_urls=True))


TRANSPORTS: dict[str, Callable[..., object]] = {
    "in_process": in_process,
    "live": live,
    "intercept": intercepted,
}


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
@pytest.mark.parametrize("pid", sorted(OAUTH1_USER_IDS))
def test_login(idp: fakeidp.FakeIdP, pid: str, transport: str) -> None:
    with TRANSPORTS[transport](idp, pid) as client:  # type: ignore[attr-defined]
        result = client.login()
    assert result.user_id == OAUTH1_USER_IDS[pid]
    assert idp.findings() == [], [str(f) for f in idp.findings()]
    endpoints = [e.endpoint for e in idp.exchanges(pid)]
    profile = idp.provider(pid).primary_profile.endpoint.name
    assert endpoints[:4] == ["request_token", "authorize", "access_token", profile]


def test_jira_is_two_profile_calls_signed_with_rsa(idp: fakeidp.FakeIdP) -> None:
    connection = idp.connection("jira")
    assert connection.signature_method == "RSA-SHA1" and connection.rsa_private_key
    result = fakeidp.OAuth1Client(connection, idp.session()).login()
    assert [e.endpoint for e in idp.exchanges("jira")][3:] == ["session", "user"]
    user_call = idp.exchanges("jira", "user")[0]
    assert user_call.query == {"expand": "groups", "username": "fakeidptest"}
    assert 'oauth_signature_method="RSA-SHA1"' in user_call.headers["Authorization"]
    assert result.profile["emailAddress"] == "fakeidptest@jira.example.com"
    assert result.profile["groups"]["items"][0]["name"] == "jira-software-users"


def test_jira_at_its_own_host(idp: fakeidp.FakeIdP) -> None:
    """JIRA lives at each customer's base URL: override it, and intercept it there."""
    with fakeidp.intercept(
        ["jira"], host_overrides={"jira": {"jira": "https://jira.corp.example/"}}
    ) as corp:
        connection = corp.connection("jira", real_urls=True)
        assert connection.request_token_url == (
            "https://jira.corp.example/plugins/servlet/oauth/request-token"
        )
        assert connection.profile_steps[0][0].startswith("https://jira.corp.example/rest/api/2/")
        assert fakeidp.OAuth1Client(connection).login().user_id == "fakeidptest"
        assert corp.findings() == []


def test_host_overrides_name_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="unknown host key 'api'"):
        fakeidp.FakeIdP(["jira"], host_overrides={"jira": {"api": "https://x.example"}})
    with pytest.raises(ValueError, match="unknown provider 'jiraa'"):
        fakeidp.FakeIdP(host_overrides={"jiraa": {"jira": "https://x.example"}})
    with pytest.raises(ValueError, match="expected an http"):
        fakeidp.FakeIdP(host_overrides={"jira": {"jira": "jira.corp.example"}})


def test_x_screen_name_from_login_hint(idp: fakeidp.FakeIdP) -> None:
    """Seed 001: upstream_params {"screen_name": {"alias": "login_hint"}}."""
    idp.expect("x", dynamic_params={"screen_name": "john@gmail.com"})
    connection = idp.connection("x", dynamic_params={"screen_name": "login_hint"})
    result = fakeidp.OAuth1Client(connection, idp.session()).login({"login_hint": "john@gmail.com"})
    assert result.user_id == "1460123456789012480"
    assert result.token["screen_name"] == "fakeidptest"
    assert idp.findings() == []
    # Without the mapping the expectation is not met.
    fakeidp.OAuth1Client(idp.connection("x"), idp.session()).login({"login_hint": "x"})
    assert [f.rule for f in idp.findings()] == ["connection.authorize.dynamic_param"]


def test_x_users_show_with_the_user_id_of_the_token_response(idp: fakeidp.FakeIdP) -> None:
    urls = idp.urls("x")
    connection = idp.connection(
        "x",
        profile_url=urls["users_show"],
        profile_query={"user_id": "1460123456789012480"},
    )
    assert fakeidp.OAuth1Client(connection, idp.session()).login().user_id == (
        "1460123456789012480"
    )
    assert idp.findings() == []


@pytest.mark.parametrize(
    ("method", "placement"),
    [("PLAINTEXT", "query"), ("PLAINTEXT", "body"), ("HMAC-SHA1", "body")],
)
def test_xing_other_signing_styles(idp: fakeidp.FakeIdP, method: str, placement: str) -> None:
    connection = idp.connection("xing", signature_method=method, signature_type=placement)
    assert fakeidp.OAuth1Client(connection, idp.session()).login().user_id == "123456_abcdef"
    assert idp.findings() == []


@pytest.mark.parametrize("pid", ["x", "jira", "xing"])
def test_denial_is_a_cancel(idp: fakeidp.FakeIdP, pid: str) -> None:
    idp.deny_next(pid)
    with pytest.raises(fakeidp.LoginError) as err:
        fakeidp.OAuth1Client(idp.connection(pid), idp.session()).login()
    assert err.value.kind == "cancelled"


def test_oob_login(idp: fakeidp.FakeIdP) -> None:
    connection = idp.connection("tumblr", redirect_uri="oob")
    assert fakeidp.OAuth1Client(connection, idp.session()).login().user_id == "fakeidptest"
    idp.deny_next("tumblr")
    with pytest.raises(fakeidp.LoginError) as err:
        fakeidp.OAuth1Client(connection, idp.session()).login()
    assert err.value.kind == "cancelled"


def test_wrong_key_is_a_token_error_with_the_providers_problem(idp: fakeidp.FakeIdP) -> None:
    connection = idp.connection("tumblr", client_secret="not-the-secret")
    with pytest.raises(fakeidp.LoginError) as err:
        fakeidp.OAuth1Client(connection, idp.session()).login()
    assert err.value.kind == "token_error" and err.value.status == 401
    x = idp.connection("x", client_secret="not-the-secret")
    with pytest.raises(fakeidp.LoginError) as err:
        fakeidp.OAuth1Client(x, idp.session()).login()
    assert err.value.error == "32"
    jira = idp.connection("jira", signature_method="HMAC-SHA1")
    with pytest.raises(fakeidp.LoginError) as err:
        fakeidp.OAuth1Client(jira, idp.session()).login()
    assert err.value.error == "signature_method_rejected"


def test_oauth1_client_refuses_an_oauth2_connection(idp: fakeidp.FakeIdP) -> None:
    with pytest.raises(ValueError, match="not oauth1"):
        fakeidp.OAuth1Client(idp.connection("twitch"))


def test_fill_step_quotes_the_previous_answer() -> None:
    url = fill_step("https://j.example/user?username=${name}", {"name": "a b&c"})
    assert url == "https://j.example/user?username=a%20b%26c"
    with pytest.raises(fakeidp.LoginError, match="no 'name'"):
        fill_step("https://j.example/user?username=${name}", {})


@pytest.mark.parametrize("name", ["jira", "tumblr", "xing"])
def test_seed_002_auth0_oauth1_bodies_log_in(name: str) -> None:
    """The Auth0 OAuth1 connection bodies of seed 002, imported and run unchanged (their real
    URLs, their placeholder consumer keys registered with the fake)."""
    import json
    from pathlib import Path

    from fakeidp.client import from_auth0
    from fakeidp.providers.oauth1 import OAuth1Rules

    har = json.loads(
        (Path(__file__).parent.parent / "data" / "auth0_seed_002" / f"{name}.har.json").read_text()
    )
    rules = fakeidp.builtin_providers()["jira"].oauth1
    assert isinstance(rules, OAuth1Rules) and rules.test_private_key
    if name == "jira":  # the seed's own instructions: fill in JIRA_URL and the PEM
        text = har["postData"]["text"].replace("JIRA_URL", "https://jira.corp.example")
        har["postData"]["text"] = text.replace(
            "CONSUMER_SECRET", json.dumps(rules.test_private_key)[1:-1]
        )
    connection = from_auth0(har, forgiving=True)
    overrides = {"jira": {"jira": "https://jira.corp.example"}}
    with fakeidp.intercept(host_overrides=overrides) as idp:
        public_key = rules.rsa_public_key if name == "jira" else None
        idp.register_client(
            name, connection.client_id, connection.client_secret, rsa_public_key=public_key
        )
        result = fakeidp.OAuth1Client(connection).login()
        assert result.user_id == OAUTH1_USER_IDS[name]
        assert idp.errors() == [], [str(f) for f in idp.errors()]


def test_a_key_that_is_not_pem_is_one_clear_error(idp: fakeidp.FakeIdP) -> None:
    connection = idp.connection("jira", rsa_private_key="-----BEGIN RSA PRIVATE KEY-----\nnope")
    with pytest.raises(fakeidp.ConnectionError, match="key 'rsa_private_key': cannot sign"):
        fakeidp.OAuth1Client(connection, idp.session()).login()


@pytest.mark.parametrize("endpoint", ["request_token", "authorize", "access_token"])
def test_rate_limits_are_reported_as_such(idp: fakeidp.FakeIdP, endpoint: str) -> None:
    idp.fault("x", endpoint, kind="rate_limit", retry_after=7)
    with pytest.raises(fakeidp.LoginError) as err:
        fakeidp.OAuth1Client(idp.connection("x"), idp.session()).login()
    assert (err.value.kind, err.value.retry_after) == ("rate_limited", 7)
    # The next attempt goes through.
    assert fakeidp.OAuth1Client(idp.connection("x"), idp.session()).login().user_id
