"""The ``fakeidp`` command, as a user runs it."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

import fakeidp
from fakeidp.cli import main
from tests.expected import EXPECTED_USER_IDS

FAKEIDP = [sys.executable, "-m", "fakeidp.cli"]


def test_providers_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "--json", "--base-url", "http://localhost:9000/"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {p["id"]: p for p in data["providers"]}
    do = by_id["digitalocean"]
    assert do["endpoints"]["account"] == {
        "url": "http://localhost:9000/digitalocean/api/v2/account",
        "real_url": "https://api.digitalocean.com/v2/account",
    }
    assert do["client"]["client_id"] == "fakeidp-digitalocean-client-id"
    assert {pid: p["user"]["user_id"] for pid, p in by_id.items() if pid in EXPECTED_USER_IDS} == (
        EXPECTED_USER_IDS
    )


def test_providers_text_names_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "uber"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Uber (uber, oauth2)")
    assert "http://127.0.0.1:8400/uber/login/oauth/token" in out
    assert "stands for https://login.uber.com/oauth/token" in out


def test_unknown_provider_is_one_line() -> None:
    with pytest.raises(SystemExit, match="unknown provider 'myspace'; known: "):
        main(["providers", "myspace"])


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [*FAKEIDP, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = re.search(r"on (http://127\.0\.0\.1:\d+)", first)
    assert match, first + proc.stderr.read() if proc.stderr else first
    try:
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_login_with_requests_oauthlib_then_sigint(
    served: tuple[subprocess.Popen[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from requests_oauthlib import OAuth2Session

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    proc, base = served
    urls = fakeidp.FakeIdP(["digitalocean"]).urls("digitalocean", base)
    session = OAuth2Session(
        "fakeidp-digitalocean-client-id", redirect_uri="http://127.0.0.1/cb", scope=["read"]
    )
    url, _ = session.authorization_url(urls["authorize"])
    callback = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    session.fetch_token(
        urls["token"],
        authorization_response=callback,
        client_secret="fakeidp-digitalocean-client-secret",
        include_client_id=True,
    )
    account = session.get(urls["account"]).json()["account"]
    assert account["uuid"] == EXPECTED_USER_IDS["digitalocean"]
    # The control API saw it all.
    exchanges = requests.get(f"{base}/_fakeidp/exchanges?provider=digitalocean", timeout=5).json()
    assert [e["endpoint"] for e in exchanges["exchanges"]] == ["authorize", "token", "account"]
    assert requests.get(f"{base}/_fakeidp/findings", timeout=5).json()["findings"] == []

    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "fakeidp stopped." in out
    assert "Traceback" not in err


def test_serve_on_a_taken_port_is_one_clear_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [*FAKEIDP, "serve", "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"fakeidp: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_serve_warns_when_exposed() -> None:
    proc = subprocess.Popen(
        [*FAKEIDP, "serve", "uber", "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert "WARNING: listening on 0.0.0.0" in err
