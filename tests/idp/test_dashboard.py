"""The dashboard's exchange pages and its one script, without a browser."""

from __future__ import annotations

import re

import fakeidp


def test_an_unknown_exchange_is_a_404_naming_it(idp: fakeidp.FakeIdP) -> None:
    answer = idp.app.test_client().get("/_fakeidp/exchange/999")
    assert answer.status_code == 404
    assert "no exchange #999" in answer.json["error_description"]


def test_only_the_reset_script_may_run_and_only_fetch_this_origin(idp: fakeidp.FakeIdP) -> None:
    answer = idp.app.test_client().get("/_fakeidp/?token=%22%3E%3Cscript%3E")
    policy = answer.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
    assert nonce and "connect-src 'self'" in policy
    page = answer.get_data(as_text=True)
    assert page.count("<script") == 1 and f'<script nonce="{nonce.group(1)}">' in page
    assert '"><script>' not in page  # the token is data in the script, escaped


def test_the_exchange_page_has_no_script_and_redacts(idp: fakeidp.FakeIdP) -> None:
    fakeidp.OAuth2Client(idp.connection("uber"), idp.session()).login()
    token_exchange = next(e for e in idp.exchanges() if e.endpoint == "token")
    answer = idp.app.test_client().get(f"/_fakeidp/exchange/{token_exchange.id}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<script" not in page
    assert idp.credentials("uber").client_secret not in page
    assert "[redacted]" in page
