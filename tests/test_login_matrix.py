"""Every OAuth 2.0 provider, over every transport: a login ends with the right user_id."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

import fakeidp
from fakeidp.providers import builtin_providers
from tests.expected import EXPECTED_USER_IDS, OAUTH2_PROVIDERS


@contextmanager
def in_process(idp: fakeidp.FakeIdP, pid: str) -> Iterator[fakeidp.OAuth2Client]:
    yield fakeidp.OAuth2Client(idp.connection(pid), idp.session())


@contextmanager
def live(idp: fakeidp.FakeIdP, pid: str) -> Iterator[fakeidp.OAuth2Client]:
    with idp.serve():
        yield fakeidp.OAuth2Client(idp.connection(pid))


@contextmanager
def intercepted(idp: fakeidp.FakeIdP, pid: str) -> Iterator[fakeidp.OAuth2Client]:
    with idp.intercepting():
        # The connector keeps the provider's real URLs and a plain requests Session.
        yield fakeidp.OAuth2Client(idp.connection(pid, real_urls=True))


TRANSPORTS: dict[str, Callable[..., object]] = {
    "in_process": in_process,
    "live": live,
    "intercept": intercepted,
}


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
@pytest.mark.parametrize("pid", OAUTH2_PROVIDERS)
def test_login_and_refresh(idp: fakeidp.FakeIdP, pid: str, transport: str) -> None:
    with TRANSPORTS[transport](idp, pid) as client:  # type: ignore[attr-defined]
        result = client.login()
        assert result.user_id == EXPECTED_USER_IDS[pid]
        rules = builtin_providers()[pid].oauth2
        assert rules is not None
        if rules.refresh:
            refreshed = client.refresh(result.token["refresh_token"])
            assert refreshed["access_token"] != result.access_token
            # The new access token works; with rotation the old refresh token is refused
            # where a source says the provider kills it, else it still works with a warning.
            _profile, user_id = client.fetch_profile(refreshed["access_token"])
            assert user_id == EXPECTED_USER_IDS[pid]
            if rules.rotate_refresh_token:
                assert refreshed["refresh_token"] != result.token["refresh_token"]
                if rules.rotated_refresh_token_reuse == "refused":
                    with pytest.raises(fakeidp.LoginError) as err:
                        client.refresh(result.token["refresh_token"])
                    assert err.value.kind == "token_error"
                else:
                    assert client.refresh(result.token["refresh_token"])["access_token"]
                    [warning] = idp.findings(severity="warning")
                    assert warning.rule == "oauth2.token.refresh_token_rotated"
                idp.acknowledge("oauth2.token.refresh_token_rotated")
        else:
            assert "refresh_token" not in result.token
    assert idp.errors() == []
    assert [f for f in idp.findings(severity="warning") if not f.acknowledged] == []
    endpoints = [e.endpoint for e in idp.exchanges(pid)]
    profile = builtin_providers()[pid].primary_profile.endpoint.name
    if client.connection.openid:
        # OpenID Connect: discovery first (its issuer checked), the JWKS for the ID token.
        assert endpoints[:5] == ["discovery", "authorize", "token", "jwks", profile]
    else:
        assert endpoints[:3] == ["authorize", "token", profile]


def test_interception_leaves_other_hosts_alone(idp: fakeidp.FakeIdP) -> None:
    from fakeidp.transport import make_rewriter

    rewrite = make_rewriter(idp.providers)
    assert rewrite("https://api.digitalocean.com/v2/account?x=1") == (
        "http://fakeidp.invalid/digitalocean/api/v2/account?x=1"
    )
    assert rewrite("https://example.org/v2/account") is None
    with idp.intercepting():
        import requests

        # Not a provider endpoint but a provider host: answered by the fake, never the real one.
        response = requests.get("https://api.digitalocean.com/v2/droplets", timeout=5)
        assert response.status_code == 404


def test_intercept_context_manager_gives_credentials_and_findings() -> None:
    import requests

    with fakeidp.intercept(["digitalocean"]) as idp:
        creds = idp.credentials("digitalocean")
        response = requests.post(
            "https://cloud.digitalocean.com/v1/oauth/token",
            data={"grant_type": "authorization_code", "code": "nope"},
            auth=(creds.client_id, creds.client_secret or ""),
            timeout=5,
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
        # Basic is tolerated by DigitalOcean but not in its docs: a warning, then the bad code.
        assert [(f.rule, f.severity) for f in idp.findings()] == [
            ("oauth2.token.client_auth_undocumented", "warning"),
            ("oauth2.token.code", "error"),
        ]
        assert idp.exchanges("digitalocean", "token")[0].status == 400
    # After the block, the real URL is no longer routed to the fake.
    from requests.adapters import HTTPAdapter

    assert HTTPAdapter.send.__name__ == "send"
    assert "intercept" not in HTTPAdapter.send.__qualname__


def test_live_server_start_stop_frees_the_port() -> None:
    import socket

    app = fakeidp.create_app(["uber"])
    server = fakeidp.LiveServer(app).start()
    port = server.port
    server.stop()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # the port is free again


def test_live_server_port_in_use_is_one_clear_error() -> None:
    app = fakeidp.create_app(["uber"])
    with (
        fakeidp.LiveServer(app) as server,
        pytest.raises(OSError, match=rf"cannot listen on 127\.0\.0\.1:{server.port}"),
    ):
        fakeidp.LiveServer(app, port=server.port).start()
