"""``fakeidp serve`` for long runs: argument errors, the control token, slow clients, noise."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fakeidp.cli import main
from fakeidp.config import load_config
from fakeidp.serving import QueueSummary, control_access

FAKEIDP = [sys.executable, "-m", "fakeidp.cli"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--port", "70000"], "--port 70000 is not a TCP port"),
        (["--port", "-1"], "--port -1 is not a TCP port"),
        (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid' does not resolve"),
        (["--threads", "0"], "--threads 0 must be at least 1"),
        (["--connection-limit", "0"], "--connection-limit 0 must be at least 1"),
        (["--max-body", "-5"], "--max-body -5 must be at least 1"),
    ],
)
def test_serve_refuses_a_bad_argument_in_one_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err


def test_a_usage_error_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "eighty"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid int value: 'eighty'" in err


def test_conformance_refuses_an_unwritable_report_path_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["conformance", "--target", "reference", "--html", f"{blocker}/r.html"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a directory" in err
    assert main(["conformance", "--target", "reference", "--json", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_conformance_refuses_a_non_utf8_auth0_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "connection.json"
    bad.write_bytes(b'\xff\xfe{"name": "x"}')
    assert main(["conformance", "--target", f"auth0:{bad}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not UTF-8 text" in err


# -- the control token ------------------------------------------------------------------
def test_the_token_comes_from_the_command_line_then_the_environment_then_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "fakeidp.toml"
    config.write_text('control_token = "from-file"\n')
    from_file = load_config(config).control_token
    assert from_file == "from-file"
    monkeypatch.delenv("FAKEIDP_CONTROL_TOKEN", raising=False)
    assert control_access("127.0.0.1", None, from_file).token == "from-file"
    monkeypatch.setenv("FAKEIDP_CONTROL_TOKEN", "from-env")
    assert control_access("127.0.0.1", None, from_file).token == "from-env"
    assert control_access("127.0.0.1", "from-cli", from_file).token == "from-cli"


def test_on_loopback_no_token_is_needed_off_loopback_one_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FAKEIDP_CONTROL_TOKEN", raising=False)
    local = control_access("127.0.0.1", None, None)
    assert (local.token, local.made, local.allowed_hosts) == (None, False, "loopback")
    remote = control_access("0.0.0.0", None, None)
    assert remote.made and remote.token and len(remote.token) >= 32
    assert remote.allowed_hosts is None  # reached by any name; the token guards it
    given = control_access("0.0.0.0", "mine", None)
    assert (given.token, given.made) == ("mine", False)


def _serve(*argv: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [*FAKEIDP, "serve", "uber", "--port", "0", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = re.search(r"on http://[^:]+:(\d+)", first)
    if not match:
        _stop(proc)
        raise AssertionError(first + (proc.stderr.read() if proc.stderr else ""))
    return proc, f"http://127.0.0.1:{match.group(1)}"


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.communicate(timeout=10)  # and close its pipes


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


def test_serve_off_loopback_makes_prints_and_requires_a_token(http: requests.Session) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FAKEIDP_CONTROL_TOKEN"}
    proc = subprocess.Popen(
        [*FAKEIDP, "serve", "uber", "--port", "0", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        port = re.search(r":(\d+)", proc.stdout.readline())
        assert port
        base = f"http://127.0.0.1:{port.group(1)}"
        warnings = [proc.stderr.readline() for _ in range(3)]
        token = re.search(r"Bearer (\S+)", "".join(warnings))
        assert token, warnings
        assert f"/_fakeidp/?token={token.group(1)}" in "".join(warnings)
        assert http.post(f"{base}/_fakeidp/reset", timeout=5).status_code == 401
        ok = http.post(
            f"{base}/_fakeidp/reset",
            headers={"Authorization": f"Bearer {token.group(1)}"},
            timeout=5,
        )
        assert ok.status_code == 200
        assert http.get(f"{base}/_fakeidp/health", timeout=5).status_code == 200
    finally:
        _stop(proc)


def test_serve_takes_the_token_from_the_environment(http: requests.Session) -> None:
    proc, base = _serve(env={"FAKEIDP_CONTROL_TOKEN": "env-token"})
    try:
        assert http.get(f"{base}/_fakeidp/mode", timeout=5).status_code == 401
        headers = {"Authorization": "Bearer env-token"}
        assert http.get(f"{base}/_fakeidp/mode", headers=headers, timeout=5).status_code == 200
    finally:
        _stop(proc)


# -- slow clients and noise -------------------------------------------------------------
def test_slow_clients_below_the_connection_limit_do_not_lock_out_others(
    http: requests.Session,
) -> None:
    proc, base = _serve("--connection-limit", "300")
    port = int(base.rsplit(":", 1)[1])
    slow = []
    try:
        for _ in range(150):  # waitress's old default limit was 100
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /_fakeidp/health HTTP/1.1\r\nHost: localhost\r\n")  # never ends
            slow.append(s)
        time.sleep(0.2)
        answer = http.get(f"{base}/_fakeidp/health", timeout=5)
        assert answer.status_code == 200
    finally:
        for s in slow:
            s.close()
        _stop(proc)


def test_queue_warnings_become_one_summary_every_few_seconds() -> None:
    summary = QueueSummary(threads=8, every=5.0)

    def record(depth: int) -> logging.LogRecord:
        return logging.LogRecord(
            "waitress.queue", logging.WARNING, __file__, 1, "Task queue depth is %d", (depth,), None
        )

    passed = [r for r in (record(d) for d in range(1, 201)) if summary.filter(r)]
    assert len(passed) == 1  # the first, then silence for five seconds
    summary.last -= 6  # five seconds on
    later = record(3)
    assert summary.filter(later)
    assert later.getMessage() == (
        "fakeidp: busy: 200 request(s) waited for one of 8 threads (queue up to 200 deep) "
        "since the last note; --threads raises it"
    )
