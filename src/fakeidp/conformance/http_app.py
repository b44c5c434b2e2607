"""An HTTP application under test, in any language: started as a command, driven over HTTP.

How the app learns the fake IdP. The engine serves the fake IdP on
127.0.0.1 and runs the app's command with these environment variables:

``PORT``
    the port the app must listen on, at 127.0.0.1;
``FAKEIDP_BASE_URL``
    the fake IdP's base URL (``http://127.0.0.1:<port>``);
``FAKEIDP_CONFIG``
    a JSON file: ``fakeidp providers --json`` for that base URL (each
    provider's endpoint URLs and the real URLs they stand for, the test client
    credentials, the test user), plus for each provider ``redirect_uri``
    (``http://127.0.0.1:<PORT>/callback``), ``settings`` (the scopes, static
    and dynamic authorize params, login-request fields and custom token
    headers to use) and ``connection`` (what a correct connector would be
    configured with: scope separator, where client credentials go, PKCE, the
    profile URL, its auth scheme and headers, where the user id is). The app
    may use ``connection`` or its own knowledge of the provider: its own is
    what is being checked.

What the app must expose:

``GET /login?provider=<id>[&<login request fields>]``
    302 to the provider's authorization URL. Keep the state where the app
    usually does (a cookie works: each login has its own cookie jar).
``GET /callback?...``
    The redirect URI. Finish the login and answer JSON (any status):
    ``{"user_id": "..."}`` or ``{"error": {"kind": "<kind>", "message": "..."}}``
    with a kind such as ``cancelled`` or ``state_mismatch``.
``POST /refresh?provider=<id>`` (optional)
    The access token has expired: call the profile API again for the session,
    refreshing first if the app does; answer as ``/callback``.
``GET /capabilities`` (optional)
    ``{"capabilities": [...]}`` from :data:`~fakeidp.conformance.environment.CAPABILITIES`;
    without it, ``login`` and ``callback``.

``examples/http_app/app.py`` is a complete app on Python's standard library.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from ..client.connection import Connection
from ..info import provider_info
from .environment import CAPABILITIES, Environment, Outcome, Settings, configured_connection
from .targets import Target, TargetError

if TYPE_CHECKING:
    from ..handle import FakeIdP

STARTUP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 15.0


class AppError(Exception):
    """The app refused a step; ``kind`` is the error kind it reported."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def connection_dict(connection: Connection) -> dict[str, Any]:
    """A Connection as plain JSON data."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(connection):
        value = getattr(connection, f.name)
        if isinstance(value, Mapping):
            value = dict(value)
        elif isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[f.name] = value
    return out


class HttpAppTarget(Target):
    transport = "live"

    def __init__(self, command: str, *, cwd: str | None = None, name: str | None = None) -> None:
        self.command = command
        self.cwd = cwd
        self.name = name or f"HTTP app: {command}"
        self.capabilities = frozenset({"login", "callback"})
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def open(self, idp: FakeIdP, settings: Mapping[str, Settings]) -> None:
        self.port = free_port()
        self.redirect_uri = f"{self.app_url}/callback"
        self._tmp = tempfile.TemporaryDirectory(prefix="fakeidp-app-")
        config = Path(self._tmp.name) / "fakeidp.json"
        config.write_text(json.dumps(self.config(idp, settings), indent=2))
        log = Path(self._tmp.name) / "app.log"
        env = {
            **os.environ,
            "PORT": str(self.port),
            "FAKEIDP_BASE_URL": idp.base_url,
            "FAKEIDP_CONFIG": str(config),
        }
        try:
            with log.open("wb") as out:
                self._process = subprocess.Popen(
                    shlex.split(self.command), cwd=self.cwd, env=env, stdout=out, stderr=out
                )
        except OSError as exc:
            raise TargetError(f"cannot start {self.command!r}: {exc.strerror or exc}") from None
        self._wait_until_up(log)

    def config(self, idp: FakeIdP, settings: Mapping[str, Settings]) -> dict[str, Any]:
        providers: dict[str, Any] = {}
        for pid, s in settings.items():
            info = provider_info(idp.provider(pid), idp.base_url)
            info["redirect_uri"] = self.redirect_uri
            info["settings"] = s.to_dict()
            connection = configured_connection(idp, pid, s, self.redirect_uri)
            info["connection"] = connection_dict(connection)
            providers[pid] = info
        return {"base_url": idp.base_url, "providers": providers}

    def _wait_until_up(self, log: Path) -> None:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                self.close()
                raise TargetError(
                    f"{self.command!r} exited with status {code}"
                    + (": " + " | ".join(tail) if tail else "")
                )
            try:
                response = requests.get(f"{self.app_url}/capabilities", timeout=1)
            except requests.RequestException:
                time.sleep(0.05)
                continue
            if response.status_code == 200:
                declared = response.json().get("capabilities", [])
                unknown = sorted(set(declared) - set(CAPABILITIES))
                if unknown:
                    self.close()
                    raise TargetError(f"{self.command!r}: unknown capability {unknown[0]!r}")
                self.capabilities = frozenset({"login", "callback", *declared})
            return
        self.close()
        raise TargetError(
            f"{self.command!r} did not answer on port {self.port} in {STARTUP_TIMEOUT:g}s"
        )

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- one login -------------------------------------------------------------------
    def _browser(self, env: Environment, new: bool = False) -> requests.Session:
        if new or "browser" not in env.scratch:
            session = requests.Session()
            session.trust_env = False
            env.scratch["browser"] = session
        browser: requests.Session = env.scratch["browser"]
        return browser

    def authorize(self, env: Environment) -> str:
        browser = self._browser(env, new=True)
        response = browser.get(
            f"{self.app_url}/login",
            params={"provider": env.provider, **env.login_params},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        location = response.headers.get("Location")
        if response.status_code not in (301, 302, 303, 307) or not location:
            outcome = Outcome.coerce(_json(response))
            raise AppError(
                outcome.error or "authorize_failed",
                outcome.message or f"/login answered {response.status_code} without a redirect",
            )
        return location

    def callback(self, env: Environment, url: str) -> Outcome:
        if not url.startswith(self.app_url + "/"):
            return Outcome(error="authorize_failed", message=f"redirected elsewhere: {url[:200]}")
        response = self._browser(env).get(url, allow_redirects=False, timeout=REQUEST_TIMEOUT)
        return Outcome.coerce(_json(response))

    def refresh(self, env: Environment) -> Outcome:
        response = self._browser(env).post(
            f"{self.app_url}/refresh", params={"provider": env.provider}, timeout=REQUEST_TIMEOUT
        )
        return Outcome.coerce(_json(response))


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {
            "error": "app_error",
            "message": f"the app answered {response.status_code} without JSON: "
            + response.text[:200],
        }
