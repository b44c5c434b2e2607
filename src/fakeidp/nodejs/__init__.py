"""Run a connection's own JavaScript in Node.js, its HTTP answered by the fake IdP.

An Auth0 custom social connection maps the provider's profile to a user in a
``fetchUserProfile`` script that Auth0 runs in Node.js with the ``request``
module in scope (shared/seeds/000, "Fetch User Profile Script"); an
integration.app connector may replace the token exchange with JavaScript
methods (shared/seeds/003, 004). ``runner.js``, shipped beside this module,
runs such code in a ``vm`` sandbox with what those platforms give it
(``request``'s callback API, node-oauth's ``OAuth`` for OAuth 1.0a, ``fetch``)
and hands every HTTP request back here: :func:`run_script` answers each one
with the ``fetch`` function it is given, so the fake IdP records and judges
what the script actually sent.

Node.js is found on PATH (or ``FAKEIDP_NODE``). Without it :func:`find_node`
returns None and callers say "script not executed: node not found".
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("runner.js")
NODE_MISSING = "script not executed: node not found (install Node.js 18+)"
DEFAULT_TIMEOUT = 10.0
STARTUP_LIMIT = 20.0  # seconds for Node.js to start and compile the script, however loaded


class RefusedRequest(Exception):
    """The script asked for something the fake will not answer (another host, say)."""


@dataclass(frozen=True)
class HttpCall:
    method: str
    url: str
    headers: Mapping[str, str]
    body: str | None


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: Mapping[str, str]
    body: str


@dataclass
class ScriptRun:
    """What a script did: its value, or its error with the line it came from."""

    value: Any = None
    error: str | None = None
    line: int | None = None
    calls: list[HttpCall] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe_error(self, filename: str = "the script") -> str:
        where = f" ({filename}, line {self.line})" if self.line else ""
        return f"{self.error}{where}"


def find_node() -> str | None:
    """The Node.js executable: ``FAKEIDP_NODE``, else ``node`` or ``nodejs`` on PATH."""
    explicit = os.environ.get("FAKEIDP_NODE")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    return shutil.which("node") or shutil.which("nodejs")


def run_script(
    source: str,
    args: Sequence[Any],
    fetch: Callable[[HttpCall], HttpAnswer],
    *,
    kind: str = "auth0",
    filename: str = "script.js",
    timeout: float = DEFAULT_TIMEOUT,
    node: str | None = None,
    globals: Mapping[str, Any] | None = None,
    export: str = "",
) -> ScriptRun:
    """Run ``source`` (a function expression) with ``args``; ``fetch`` answers its HTTP.

    ``kind="auth0"`` calls it Auth0's way, with a callback ``(error, value)`` as the last
    argument; ``kind="function"`` awaits what it returns; ``kind="module"`` runs ``source``
    as a CommonJS file and calls (and awaits) its ``export``. A script that does not parse,
    throws, passes an error, never calls back or runs past ``timeout`` seconds comes back
    as a ScriptRun with ``error`` set, never as an exception.
    """
    node = node or find_node()
    if node is None:
        return ScriptRun(error=NODE_MISSING)
    job = {
        "kind": kind,
        "source": source,
        "filename": filename,
        "export": export,
        "args": list(args),
        "timeout_ms": int(timeout * 1000),
        "globals": dict(globals or {}),
    }
    try:
        process = subprocess.Popen(
            [node, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        return ScriptRun(error=f"script not executed: cannot start {node}: {exc.strerror or exc}")
    run = ScriptRun()
    assert process.stdin is not None and process.stdout is not None
    try:
        _send(process, job)
        _converse(process, fetch, run, timeout)
    finally:
        if process.poll() is None:
            process.kill()
        try:
            _out, err = process.communicate(timeout=5)
        except (subprocess.TimeoutExpired, ValueError, OSError):
            err = b""
        run.stderr = (err or b"").decode("utf-8", "replace")[-4000:]
    return run


def _send(process: subprocess.Popen[bytes], message: Mapping[str, Any]) -> None:
    assert process.stdin is not None
    try:
        process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
        process.stdin.flush()
    except (BrokenPipeError, OSError):
        pass  # the runner has ended; its last words are on stdout


class _Lines:
    """Lines from a pipe, read with select and os.read: a buffered reader would hide a
    second line already read behind the first from select."""

    def __init__(self, pipe: Any) -> None:
        self.fd = pipe.fileno()
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.fd, selectors.EVENT_READ)

    def next(self, deadline: float) -> bytes | None:
        """The next line; b"" at the end of the stream; None at the deadline."""
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(timeout=left):
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return b""
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"

    def close(self) -> None:
        self.selector.close()


def _converse(
    process: subprocess.Popen[bytes],
    fetch: Callable[[HttpCall], HttpAnswer],
    run: ScriptRun,
    timeout: float,
) -> None:
    """Answer the runner until it reports; the clock for ``timeout`` starts when the script
    is called (the runner says "started"), so a slow Node.js start is never the script's."""
    lines = _Lines(process.stdout)
    deadline = time.monotonic() + STARTUP_LIMIT
    try:
        while True:
            line = lines.next(deadline)
            if line is None:
                run.error = (
                    f"the script did not call back within {timeout:g} s "
                    "(a request never answered, an endless loop, or a callback never called)"
                )
                return
            if not line:
                run.error = "the Node.js runner ended without an answer"
                return
            try:
                message = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue  # not ours: a stray write to stdout
            kind = message.get("type")
            if kind == "started":
                # The runner's vm timeout names a synchronous loop first; this deadline,
                # a little later, catches what it cannot see (an async loop, no callback).
                deadline = time.monotonic() + timeout + max(0.5, timeout / 2)
            elif kind == "http":
                _send(process, _answer(message, fetch, run))
            elif kind == "result":
                run.value = message.get("value")
                return
            elif kind == "error":
                run.error = str(message.get("message") or "error")
                line_no = message.get("line")
                run.line = line_no if isinstance(line_no, int) else None
                return
    finally:
        lines.close()


def _answer(
    message: Mapping[str, Any], fetch: Callable[[HttpCall], HttpAnswer], run: ScriptRun
) -> dict[str, Any]:
    raw_headers = message.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raw_headers = {}
    headers = {str(k): str(v) for k, v in raw_headers.items()}
    body = message.get("body")
    call = HttpCall(
        str(message.get("method") or "GET"),
        str(message.get("url") or ""),
        headers,
        None if body is None else str(body),
    )
    run.calls.append(call)
    try:
        answer = fetch(call)
    except RefusedRequest as exc:
        run.refused.append(str(exc))
        return {"id": message.get("id"), "error": str(exc)}
    return {
        "id": message.get("id"),
        "status": answer.status,
        "headers": dict(answer.headers),
        "body": answer.body,
    }


__all__ = [
    "NODE_MISSING",
    "HttpAnswer",
    "HttpCall",
    "RefusedRequest",
    "ScriptRun",
    "find_node",
    "run_script",
]
