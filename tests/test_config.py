"""``fakeidp serve --config FILE``: the TOML config of clients, users, strictness, faults."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import fakeidp
from fakeidp.cli import main
from fakeidp.config import load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fakeidp.toml"
CALLBACK = "http://localhost:3000/auth/uber/callback"


def test_the_example_file_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.strict is True
    uber = config.providers["uber"]
    assert (uber.strict, uber.redirect_uris, uber.login) == (False, (CALLBACK,), "alice")
    assert [(c.client_id, c.client_secret) for c in uber.clients] == [("my-app", "my-app-secret")]
    assert [(f.provider, f.endpoint, f.kind, f.status) for f in config.faults] == [
        ("twitch", "token", "status", 503)
    ]


def test_a_configured_idp_logs_in_with_the_configured_client_and_user() -> None:
    idp = fakeidp.FakeIdP(["uber", "twitch"])
    load_config(EXAMPLE).install(idp.store)
    connection = idp.connection(
        "uber", client_id="my-app", client_secret="my-app-secret", redirect_uri=CALLBACK
    )
    result = fakeidp.OAuth2Client(connection, idp.session()).login()
    assert result.user_id == "alice-rider-id"
    assert result.profile["first_name"] == "Alice"
    assert not idp.is_strict("uber") and idp.is_strict("twitch")
    # The default client now only takes the registered redirect URI.
    default = fakeidp.OAuth2Client(idp.connection("uber"), idp.session())
    with pytest.raises(fakeidp.LoginError, match="authorize_failed"):
        default.login()
    idp.acknowledge()
    # The configured fault: Twitch's first token request fails, then it is used up.
    twitch = fakeidp.OAuth2Client(idp.connection("twitch"), idp.session())
    with pytest.raises(fakeidp.LoginError, match="server_error"):
        twitch.login()
    assert twitch.login().user_id == "12345"
    # A reset returns to the configured start state: the fault is armed again.
    idp.reset()
    assert [f.remaining for f in idp.faults()] == [1]
    assert [c.client_id for c in idp.clients("uber")] == ["fakeidp-uber-client-id", "my-app"]
    assert idp.user("uber").login == "alice"


def test_interactive_from_the_config_survives_a_reset(tmp_path: Path) -> None:
    from fakeidp.config import parse_config

    idp = fakeidp.FakeIdP(["uber"])
    parse_config({"interactive": True}, "fakeidp.toml", idp.providers).install(idp.store)
    assert idp.interactive
    idp.reset()
    assert idp.interactive
    page = idp.app.test_client().get(
        "/uber/login/oauth/authorize",
        query_string={
            "client_id": "fakeidp-uber-client-id",
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "state": "s",
        },
    )
    assert page.status_code == 200 and "Approve" in page.get_data(as_text=True)


def test_providers_not_served_are_skipped() -> None:
    idp = fakeidp.FakeIdP(["digitalocean"])
    load_config(EXAMPLE).install(idp.store)
    assert idp.faults() == []


BAD = [
    ("mode = 'loose'\n", "key 'mode': expected 'strict' or 'lenient', got 'loose'"),
    (
        "port = 8400\n",
        "key 'port': is not a known key (expected one of mode, interactive, providers, faults, control_token)",
    ),
    ("[providers.myspace]\n", "key 'providers.myspace': unknown provider; known: "),
    (
        "[providers.uber]\nmode = true\n",
        "key 'providers.uber.mode': expected 'strict' or 'lenient'",
    ),
    (
        "[providers.uber]\nredirect_uris = 'x'\n",
        "key 'providers.uber.redirect_uris': expected a list of strings",
    ),
    (
        "[[providers.uber.clients]]\nclient_secret = 's'\n",
        "key 'providers.uber.clients[0].client_id': is missing; expected a string",
    ),
    (
        "[[providers.uber.clients]]\nclient_id = 'a'\nsecret = 's'\n",
        "key 'providers.uber.clients[0].secret': is not a known key",
    ),
    (
        "[providers.uber.user]\nprofile = 'alice'\n",
        "key 'providers.uber.user.profile': expected a table, got str",
    ),
    (
        "[providers.uber.user]\nname = 'alice'\n",
        "key 'providers.uber.user.name': is not a known key",
    ),
    ("faults = {}\n", "key 'faults': expected an array of tables ([[faults]])"),
    ("[[faults]]\nprovider = 'uber'\n", "key 'faults[0].kind': is required"),
    (
        "[[faults]]\nprovider = 'uber'\nkind = 'status'\n",
        "key 'faults[0].status': is required for kind 'status'",
    ),
    (
        "[[faults]]\nprovider = 'uber'\nkind = 'delay'\nseconds = 1\nstatus = 500\n",
        "key 'faults[0].status': does not apply to kind 'delay'",
    ),
    (
        "[[faults]]\nprovider = 'uber'\nkind = 'malformed'\nendpoint = 'users'\n",
        "key 'faults[0].endpoint': uber has no endpoint 'users'",
    ),
    (
        "[[faults]]\nprovider = 'myspace'\nkind = 'malformed'\n",
        "key 'faults[0].provider': unknown provider 'myspace'",
    ),
    ("mode = \n", "not valid TOML: "),
    ("interactive = 'yes'\n", "key 'interactive': expected true or false, got 'yes'"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_config_is_one_line_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "fakeidp.toml"
    path.write_text(text)
    assert main(["serve", "--config", str(path), "--port", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"fakeidp: bad config: {path}: {message}"), line


def test_a_missing_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["serve", "--config", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"fakeidp: bad config: {missing}: cannot read: No such file or directory\n"
    )


def test_serve_honours_the_config(tmp_path: Path) -> None:
    config = tmp_path / "fakeidp.toml"
    config.write_text(
        EXAMPLE.read_text()
        + "\n[[faults]]\nprovider = 'uber'\nendpoint = 'me'\nkind = 'rate_limit'\nretry_after = 9\n"
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fakeidp.cli",
            "serve",
            "uber",
            "twitch",
            "--config",
            str(config),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", proc.stdout.readline())
        assert match
        base = match.group(1)
        header = [line.strip() for line in iter(proc.stdout.readline, "\n")]
        assert any(line.startswith("mode: strict") for line in header), header
        assert f"config: {config} (1 client(s), 2 user(s), 2 fault(s))" in header
        get = lambda path: requests.get(base + path, timeout=5).json()  # noqa: E731
        assert get("/_fakeidp/mode")["providers"] == {"twitch": "strict", "uber": "lenient"}
        clients = get("/_fakeidp/clients?provider=uber")["clients"]
        assert [c["client_id"] for c in clients] == ["fakeidp-uber-client-id", "my-app"]
        assert get("/_fakeidp/users/uber")["profile"]["uuid"] == "alice-uuid"

        idp = fakeidp.FakeIdP(["uber"])  # only for a connection to the served URLs
        idp.base_url = base
        live = idp.connection(
            "uber", client_id="my-app", client_secret="my-app-secret", redirect_uri=CALLBACK
        )
        with pytest.raises(fakeidp.LoginError) as caught:
            fakeidp.OAuth2Client(live, requests.Session()).login()
        assert (caught.value.kind, caught.value.retry_after) == ("rate_limited", 9)
        assert fakeidp.OAuth2Client(live, requests.Session()).login().user_id == "alice-rider-id"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
