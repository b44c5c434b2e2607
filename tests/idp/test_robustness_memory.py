"""Bounded memory: the sweep by the IdP's clock, the caps and what they make visible (counts).

RSS is measured in ``bench/bench_memory.py``, never here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import fakeidp
from fakeidp.idp import store as store_module

from .flow import Flow

THIRTY_ONE_DAYS = 31 * 24 * 3600  # past DigitalOcean's 30-day access tokens


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> Iterator[fakeidp.FakeIdP]:
    """A fake IdP whose caps are small enough to reach in a test."""
    monkeypatch.setattr(store_module, "MAX_TOKENS", 3)
    monkeypatch.setattr(store_module, "MAX_CODES", 4)
    monkeypatch.setattr(store_module, "MAX_FINDINGS", 10)
    monkeypatch.setattr(store_module, "MAX_EXCHANGES", 50)
    monkeypatch.setattr(store_module, "MAX_EXCHANGE_BYTES", 50_000)
    yield fakeidp.FakeIdP(["digitalocean"])


def messages(idp: fakeidp.FakeIdP, rule: str) -> list[str]:
    return [f.message for f in idp.findings() if f.rule == rule]


def test_expired_codes_and_tokens_are_swept_by_the_idps_clock() -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    flow = Flow(idp, "digitalocean")
    tokens = [flow.login_token() for _ in range(5)]
    usage = idp.store.usage()
    assert (usage["codes"], usage["access_tokens"], usage["refresh_tokens"]) == (5, 5, 5)
    assert idp.store.sweep() == 0  # nothing has expired yet
    idp.advance_clock(THIRTY_ONE_DAYS)
    assert idp.store.sweep() == 10  # five codes (10 minutes), five access tokens (30 days)
    usage = idp.store.usage()
    assert (usage["codes"], usage["access_tokens"], usage["refresh_tokens"]) == (0, 0, 5)
    # The swept token gets the provider's answer, and the finding says why.
    answer = flow.profile(tokens[0]["access_token"])
    assert answer.status_code == 401
    assert messages(idp, "api.profile.token") == ["access token expired (and since swept)"]
    # Refresh tokens do not expire: they still work.
    refreshed = flow.token(
        {"grant_type": "refresh_token", "refresh_token": tokens[0]["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)


def test_the_sweep_runs_by_itself_as_codes_and_tokens_are_issued(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_module, "SWEEP_EVERY", 4)
    idp = fakeidp.FakeIdP(["digitalocean"])
    flow = Flow(idp, "digitalocean")
    for _ in range(3):
        flow.login_token()
    idp.advance_clock(THIRTY_ONE_DAYS)
    for _ in range(3):
        flow.login_token()
    usage = idp.store.usage()
    assert usage["codes"] + usage["access_tokens"] < 12  # the old ones went without a call


def test_revoked_tokens_are_swept_but_a_rotated_refresh_token_is_still_named() -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    flow = Flow(idp, "digitalocean")
    first, second = flow.login_token(), flow.login_token()
    revoked = flow.client.post(
        flow.urls["revoke"],
        data={"token": first["access_token"]},
        headers=flow.basic(),
    )
    assert revoked.status_code == 200
    rotated = flow.token({"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert rotated.status_code == 200
    idp.store.sweep()
    assert first["access_token"] not in idp.store.tokens
    assert flow.profile(first["access_token"]).status_code == 401
    assert messages(idp, "api.profile.token") == ["access token revoked (and since swept)"]
    # DigitalOcean rotates refresh tokens; whether the old one dies is unverified, so reusing
    # it is answered (digitalocean.toml) and stays its own finding, a warning.
    again = flow.token({"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert again.status_code == 200
    last = idp.findings()[-1]
    assert (last.rule, last.severity) == ("oauth2.token.refresh_token_rotated", "warning")


def test_a_token_evicted_by_the_cap_gets_invalid_token_and_a_finding_saying_so(
    small: fakeidp.FakeIdP,
) -> None:
    flow = Flow(small, "digitalocean")
    tokens = [flow.login_token() for _ in range(5)]
    usage = small.store.usage()
    assert usage["access_tokens"] == 3 and usage["evicted"]["access_tokens"] == 2
    assert usage["codes"] == 4 and usage["evicted"]["codes"] == 1
    assert flow.profile(tokens[-1]["access_token"]).status_code == 200
    answer = flow.profile(tokens[0]["access_token"])
    assert answer.status_code == 401
    assert answer.get_json() == {"id": "unauthorized", "message": "Unable to authenticate you"}
    [message] = messages(small, "api.profile.token")
    assert message.startswith("access token evicted: the IdP keeps a bounded number")
    refresh = flow.token(
        {"grant_type": "refresh_token", "refresh_token": tokens[0]["refresh_token"]}
    )
    assert refresh.status_code == 400
    assert messages(small, "oauth2.token.refresh_token")[0].startswith("refresh token evicted")


def test_exchanges_are_capped_by_bytes_and_big_bodies_stored_truncated(
    small: fakeidp.FakeIdP,
) -> None:
    flow = Flow(small, "digitalocean")
    for _ in range(10):
        flow.client.post(flow.urls["token"], data={"grant_type": "x", "pad": "p" * 300_000})
    usage = small.store.usage()
    assert usage["exchange_bytes"] <= 50_000
    assert usage["exchanges"] + usage["dropped"]["exchanges"] == 10
    assert usage["dropped"]["exchanges"] > 0
    [*_, last] = small.exchanges()
    assert last.form["[fakeidp]"].startswith("body of 300")
    assert len(last.form["pad"]) < 10_000
    assert last.form["grant_type"] == "x"


def test_exchanges_are_capped_by_count(small: fakeidp.FakeIdP) -> None:
    flow = Flow(small, "digitalocean")
    for _ in range(60):
        flow.client.get(flow.urls["authorize"])
    usage = small.store.usage()
    assert (usage["exchanges"], usage["dropped"]["exchanges"]) == (50, 10)
    assert small.exchanges()[0].id == 11


def test_findings_are_capped_with_a_count_of_the_dropped(small: fakeidp.FakeIdP) -> None:
    flow = Flow(small, "digitalocean")
    for _ in range(25):
        flow.token({"code": "nope"})  # an unknown code: one finding each
    usage = small.store.usage()
    assert (usage["findings"], usage["dropped"]["findings"]) == (10, 15)
    # An exchange still finds its own finding by index; the dashboard shows the rule.
    last = small.exchanges()[-1]
    assert [small.store.finding(i).rule for i in last.findings] == ["oauth2.token.code"]  # type: ignore[union-attr]
    assert small.store.finding(0) is None  # dropped
    page = small.app.test_client().get("/_fakeidp/")
    assert page.status_code == 200 and b"oauth2.token.code" in page.data


def test_a_reset_gives_everything_back(small: fakeidp.FakeIdP) -> None:
    flow = Flow(small, "digitalocean")
    for _ in range(5):
        flow.login_token()
    small.reset()
    usage = small.store.usage()
    assert usage["access_tokens"] == usage["exchanges"] == usage["exchange_bytes"] == 0
    assert usage["evicted"]["access_tokens"] == 0
