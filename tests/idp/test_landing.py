"""``/`` and ``/_fakeidp/providers``: the server says what it serves, over HTTP."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from fakeidp import create_app
from fakeidp.cli import main


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app().test_client()


def test_providers_json_is_the_cli_listing_for_the_request_base(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    base = "http://localhost:9123"  # a Host the control plane allows (DNS rebinding)
    served = client.get("/_fakeidp/providers", base_url=base)
    assert served.status_code == 200
    assert main(["providers", "--json", "--base-url", base]) == 0
    assert served.json == json.loads(capsys.readouterr().out)


def test_providers_json_follows_the_configured_user() -> None:
    app = create_app(["digitalocean"])
    test = app.test_client()
    test.put("/_fakeidp/users/digitalocean", json={"login": "alice", "profile": {"uuid": "a-1"}})
    (do,) = test.get("/_fakeidp/providers").json["providers"]
    assert do["user"] == {"login": "alice", "user_id_path": "account.uuid", "user_id": "a-1"}


def test_providers_json_refuses_a_query_parameter(client: FlaskClient) -> None:
    answer = client.get("/_fakeidp/providers?provider=uber")
    assert answer.status_code == 400
    assert answer.json["field"] == "provider"


def test_landing_page_lists_every_provider(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    base = "http://127.0.0.1:8400"
    page = client.get("/", base_url=base)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    main(["providers", "--json", "--base-url", base])
    for info in json.loads(capsys.readouterr().out)["providers"]:
        assert f'id="{info["id"]}"' in html
        for urls in info["endpoints"].values():
            assert urls["url"] in html and urls["real_url"] in html
        assert info["client"]["client_id"] in html
        assert info["client"]["client_secret"] in html
        assert info["user"]["login"] in html
    assert 'href="/_fakeidp/"' in html and 'href="/_fakeidp/openapi.json"' in html
    # JIRA's empty secret says why (provider_fixtures/jira.toml [client]).
    jira = html[html.index('id="jira"') :]
    assert re.search(r"none:\s+JIRA Server has no consumer secret", jira)


def test_landing_page_lists_the_other_users() -> None:
    app = create_app(["oidc"])
    test = app.test_client()
    test.put("/_fakeidp/users/oidc/bob", json={"profile": {"name": "Bob"}})
    html = test.get("/").get_data(as_text=True)
    assert re.search(r'class="others">\s*<code>bob</code>', html)
