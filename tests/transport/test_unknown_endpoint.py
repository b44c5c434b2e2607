"""A path on a provider's host that the fixture does not emulate: a finding, never a silent 404."""

from __future__ import annotations

import pytest
import requests

import fakeidp
from fakeidp.idp.rules import RULES

from .conftest import Route


def api_url(route: Route, pid: str, path: str) -> str:
    """``path`` on the host of ``pid``'s profile API, as this route's client calls it."""
    p = route.idp.provider(pid)
    host = p.primary_profile.endpoint.host
    base = p.hosts[host] if route.real else f"{route.idp.base_url}/{pid}/{host}"
    return base + path


def test_unknown_path_is_a_404_in_the_providers_shape_and_an_error_finding(route: Route) -> None:
    response = route.session.get(api_url(route, "tumblr", "/v2/blog/staff/posts"))
    assert response.status_code == 404
    # Tumblr's API error shape (its fixture's [errors.api]), the finding's words in it.
    body = response.json()
    assert "GET /v2/blog/staff/posts" in body["errors"][0]["title"]
    [finding] = route.idp.findings()
    assert finding.rule == "transport.unknown_endpoint"
    assert finding.severity == "error"
    # api.tumblr.com belongs to both Tumblr fixtures (OAuth 1.0a and OAuth 2.0): either answers.
    assert finding.provider in ("tumblr", "tumblr-oauth2")
    assert finding.actual == "GET /v2/blog/staff/posts"
    assert "GET /v2/user/info" in finding.expected  # what the fake does emulate there
    assert "https://api.tumblr.com" in finding.message
    assert route.idp.exchanges(finding.provider, "unknown")[0].status == 404
    assert route.idp.errors() == [finding]  # unacknowledged: a test would fail on it
    route.idp.acknowledge()


def test_known_path_with_a_method_it_does_not_take_is_a_405_and_a_finding(route: Route) -> None:
    response = route.session.delete(api_url(route, "digitalocean", "/v2/account"))
    assert response.status_code == 405
    [finding] = route.idp.findings(rule="transport.unknown_endpoint")
    assert finding.actual == "DELETE /v2/account"
    assert "serves /v2/account with GET" in finding.message
    route.idp.acknowledge()


def test_the_hosts_root_is_answered_too(route: Route) -> None:
    response = route.session.get(api_url(route, "uber", "/"))
    assert response.status_code == 404
    assert route.idp.findings()[0].actual == "GET /"
    route.idp.acknowledge()


def test_unknown_path_on_a_host_alias_is_answered_for_its_provider() -> None:
    with fakeidp.intercept(["x-oauth2"]) as idp:
        p = idp.provider("x-oauth2")
        alias = p.real_bases("api")[-1]
        response = requests.post(f"{alias}/2/tweets", json={"text": "hello"}, timeout=5)
        assert response.status_code == 404
        assert idp.findings()[0].actual == "POST /2/tweets"
        idp.acknowledge()


def test_over_the_live_server_alike() -> None:
    idp = fakeidp.FakeIdP(["twitch"])
    with idp.serve() as server:
        response = requests.get(f"{server.base_url}/twitch/api/helix/streams", timeout=5)
    assert response.status_code == 404
    assert [f.actual for f in idp.findings()] == ["GET /helix/streams"]


def test_a_path_under_no_provider_host_says_what_the_fake_serves() -> None:
    idp = fakeidp.FakeIdP(["digitalocean", "uber"])
    session = idp.session()
    response = session.get(f"{idp.base_url}/digitalocean/droplets/v2/x")
    assert response.status_code == 404
    description = response.json()["error_description"]
    assert description.startswith("GET /digitalocean/droplets/v2/x is not a path of this fake IdP")
    assert "/digitalocean/api/... (https://api.digitalocean.com)" in description
    response = session.get(f"{idp.base_url}/github/login")
    assert "providers here: digitalocean, uber" in response.json()["error_description"]
    assert idp.findings() == []  # not addressed to a provider: nothing to record


def test_the_rule_is_in_the_catalogue_with_a_source() -> None:
    rule = RULES["transport.unknown_endpoint"]
    assert rule.severity == "error"
    assert rule.source


def test_a_fixtures_own_not_found_shape_is_used() -> None:
    import dataclasses
    from types import MappingProxyType

    from fakeidp.providers.model import ErrorShape

    p = fakeidp.builtin_providers()["digitalocean"]
    # DigitalOcean's API 404 body, as a fixture would give it under [errors.not_found].
    shape = ErrorShape(404, {"id": "not_found", "message": "${error_description}"})
    p = dataclasses.replace(p, errors=MappingProxyType({**p.errors, "not_found": shape}))
    idp = fakeidp.FakeIdP(app=fakeidp.create_app({"digitalocean": p}))
    response = idp.session().get(f"{idp.base_url}/digitalocean/api/v2/droplets")
    assert response.status_code == 404
    assert response.json()["id"] == "not_found"
    assert "GET /v2/droplets" in response.json()["message"]
    assert [f.rule for f in idp.findings()] == ["transport.unknown_endpoint"]


def test_a_users_test_that_calls_an_unknown_path_fails_and_says_which(
    pytester: pytest.Pytester,
) -> None:
    """Through the pytest plugin: the test passes its own asserts, yet fails at teardown."""
    pytester.makepyfile(
        test_user="""
        import requests

        def test_droplets(fakeidp):
            with fakeidp.intercepting():
                answer = requests.get("https://api.digitalocean.com/v2/droplets", timeout=5)
            assert answer.status_code == 404
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*transport.unknown_endpoint*GET /v2/droplets*"])
