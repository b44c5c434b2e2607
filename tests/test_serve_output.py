"""What ``fakeidp serve`` prints: a short banner, then one line per request."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

import fakeidp

FAKEIDP = [sys.executable, "-m", "fakeidp"]


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    proc = subprocess.Popen(
        [*FAKEIDP, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    served = Served(proc)
    try:
        yield served
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Served:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.banner: list[str] = []
        for line in proc.stdout:  # the banner ends where the request lines begin
            self.banner.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C") or line.startswith("{"):
                break
        match = re.search(r"(http://127\.0\.0\.1:\d+)", "\n".join(self.banner))
        assert match, "\n".join(self.banner) + (proc.stderr.read() if proc.stderr else "")
        self.base = match.group(1)

    def stop(self) -> list[str]:
        """Ctrl-C; the lines printed after the banner."""
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=10)
        assert self.proc.returncode == 0, err
        return out.splitlines()


def _bad_twitch_token_request(base: str) -> None:
    # Twitch refuses HTTP Basic client credentials (PROVIDERS.md, Twitch).
    requests.post(
        f"{base}/twitch/id/oauth2/token",
        auth=("fakeidp-twitch-client-id", "fakeidp-twitch-client-secret"),
        data={"grant_type": "authorization_code", "code": "x", "redirect_uri": "http://l/cb"},
        timeout=5,
    )


def test_banner_is_short_and_says_where_to_look() -> None:
    with serving() as s:
        base = s.base
        lines = s.stop()
    banner = "\n".join(s.banner)
    assert len(s.banner) <= 10, banner
    assert f"on {base} (strict)" in s.banner[0]
    assert f"{base}/_fakeidp/ " in banner  # the dashboard
    assert f"{base}/_fakeidp/openapi.json" in banner
    assert f"landing page  {base}/ " in banner
    # Credentials are behind --verbose or on the landing page, not in the way.
    assert "client_secret" not in banner
    assert "fakeidp stopped." in lines


def test_one_line_per_request_with_the_broken_rule() -> None:
    with serving("twitch", "uber") as s:
        _bad_twitch_token_request(s.base)
        requests.get(f"{s.base}/_fakeidp/health", timeout=5)
        lines = s.stop()
    requests_logged = [line for line in lines if line != "fakeidp stopped."]
    assert len(requests_logged) == 2, lines
    line = requests_logged[0]
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d POST twitch token 401 "
        r"broke oauth2\.token\.client_auth_placement \(error\) #1",
        line,
    ), line
    assert requests_logged[1].endswith("GET /_fakeidp/health 200")


def test_fault_is_in_the_line() -> None:
    with serving("uber") as s:
        requests.post(
            f"{s.base}/_fakeidp/faults",
            json={"provider": "uber", "endpoint": "token", "kind": "status", "status": 503},
            timeout=5,
        )
        requests.post(f"{s.base}/uber/login/oauth/token", timeout=5)
        lines = s.stop()
    assert any(" POST uber token 503 " in line and "fault status" in line for line in lines)


def test_quiet_prints_no_request_lines() -> None:
    with serving("--quiet") as s:
        _bad_twitch_token_request(s.base)
        lines = s.stop()
    assert "One line per request" not in s.banner[-1]
    assert lines == ["fakeidp stopped."]


def test_log_json() -> None:
    with serving("twitch", "--log-json") as s:
        _bad_twitch_token_request(s.base)
        lines = s.stop()
    start = json.loads(s.banner[0])
    assert start["event"] == "serving"
    assert start["dashboard"] == f"{s.base}/_fakeidp/"
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 1
    assert entries[0]["provider"] == "twitch"
    assert entries[0]["endpoint"] == "token"
    assert entries[0]["status"] == 401
    assert entries[0]["findings"] == [
        {"rule": "oauth2.token.client_auth_placement", "severity": "error"}
    ]


def test_verbose_prints_credentials_and_why_one_is_empty() -> None:
    with serving("jira", "uber", "--verbose", "--quiet") as s:
        s.stop()
    banner = "\n".join(s.banner)
    assert "client_secret  fakeidp-uber-client-secret" in banner
    # JIRA's consumer has no secret: RSA-SHA1 (provider_fixtures/jira.toml [client]).
    assert re.search(r"client_secret  \(none: JIRA Server has no consumer secret: .*RSA", banner)


def test_config_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "fakeidp.toml"
    config.write_text('[providers.uber.user]\nlogin = "alice"\n')
    with serving("uber", "--quiet", env={"FAKEIDP_CONFIG": str(config)}) as s:
        user = requests.get(f"{s.base}/_fakeidp/users/uber", timeout=5).json()
        s.stop()
    assert f"config        {config}" in "\n".join(s.banner)
    assert user["login"] == "alice"


def test_bad_config_from_environment_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "fakeidp.toml"
    config.write_text("mode = 'sloppy'\n")
    proc = subprocess.run(
        [*FAKEIDP, "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "FAKEIDP_CONFIG": str(config)},
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"fakeidp: bad config: {config}: key 'mode': expected 'strict' or 'lenient', got 'sloppy'"
    ]


def test_version() -> None:
    proc = subprocess.run([*FAKEIDP, "--version"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"fakeidp {fakeidp.__version__}"
