"""``limit`` and ``since`` on exchanges and findings: a poller fetches only what is new."""

from __future__ import annotations

from typing import Any

import pytest

import fakeidp

from .flow import Flow


@pytest.fixture
def flow() -> Flow:
    return Flow(fakeidp.FakeIdP(["digitalocean"]), "digitalocean")


def get(flow: Flow, path: str, **query: Any) -> Any:
    answer = flow.client.get(path, query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_poller_of_exchanges_gets_each_once(flow: Flow) -> None:
    for _ in range(3):
        flow.login_token()  # two exchanges each: authorize, token
    first = get(flow, "/_fakeidp/exchanges", limit=4)
    assert [e["id"] for e in first["exchanges"]] == [1, 2, 3, 4]
    assert first["next"] == 4 and first["dropped"] == 0
    rest = get(flow, "/_fakeidp/exchanges", since=first["next"])
    assert [e["id"] for e in rest["exchanges"]] == [5, 6]
    none = get(flow, "/_fakeidp/exchanges", since=rest["next"])
    assert none == {"exchanges": [], "next": 6, "dropped": 0}
    flow.login_token()
    new = get(flow, "/_fakeidp/exchanges", since=none["next"], endpoint="token")
    assert [(e["id"], e["endpoint"]) for e in new["exchanges"]] == [(8, "token")]


def test_a_poller_of_findings_gets_each_once(flow: Flow) -> None:
    for _ in range(3):
        flow.token({"code": "nope"})
    first = get(flow, "/_fakeidp/findings", limit=2)
    assert [f["id"] for f in first["findings"]] == [0, 1] and first["next"] == 1
    rest = get(flow, "/_fakeidp/findings", since=first["next"])
    assert [f["id"] for f in rest["findings"]] == [2]
    assert get(flow, "/_fakeidp/findings", since=2)["findings"] == []
    # An exchange's findings are these ids.
    last = get(flow, "/_fakeidp/exchanges")["exchanges"][-1]
    assert last["findings"] == [2]


@pytest.mark.parametrize("value", ["-1", "x", "²", "1.5", "", "9" * 30])
@pytest.mark.parametrize("name", ["limit", "since"])
def test_a_bad_limit_or_since_is_a_400_naming_it(flow: Flow, name: str, value: str) -> None:
    for path in ("/_fakeidp/exchanges", "/_fakeidp/findings"):
        answer = flow.client.get(path, query_string={name: value})
        assert answer.status_code == 400
        assert answer.get_json()["field"] == name


def test_limit_zero_is_refused(flow: Flow) -> None:
    assert flow.client.get("/_fakeidp/exchanges?limit=0").get_json()["field"] == "limit"
