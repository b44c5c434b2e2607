"""Three ways to reach the fake IdP with the same flow.

- :class:`WSGIAdapter`: a requests transport adapter that calls the WSGI app
  directly (no socket): the fastest, the default in tests.
- :class:`LiveServer`: a real HTTP server on 127.0.0.1, port 0, in a
  background thread, for code that must see a real URL.
- :func:`intercept_requests`: requests made through ``requests`` to a
  provider's real URLs are answered by the fake IdP, so an unmodified
  connector can be tested.
"""

from __future__ import annotations

import io
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .providers.model import Provider

IN_PROCESS_BASE = "http://fakeidp.invalid"  # RFC 2606: a name that never resolves


class WSGIAdapter(BaseAdapter):
    """Answer requests by calling a WSGI application in this process."""

    def __init__(self, app: Any, rewrite: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.app = app
        self.rewrite = rewrite

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        url = self.rewrite(request.url or "") if self.rewrite else (request.url or "")
        body = request.body
        if hasattr(body, "read"):
            body = body.read()  # type: ignore[union-attr]
        if isinstance(body, str):
            body = body.encode("utf-8")
        environ = wsgi_environ(request.method or "GET", url, request.headers, body or b"")
        if url != request.url:
            # Interception: the connector called the provider's real URL, so URLs the IdP
            # hands out (OIDC discovery, issuer) must be the real ones too.
            environ["fakeidp.intercepted"] = True
        captured: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured[:] = [status, headers]
            return lambda data: None

        app_iter = self.app(environ, start_response)
        try:
            content = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close:
                close()
        status, response_headers = captured
        response = requests.Response()
        response.status_code = int(status.split(" ", 1)[0])
        response.reason = status.split(" ", 1)[1] if " " in status else ""
        response.headers = CaseInsensitiveDict(response_headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = io.BytesIO(content)
        response._content = content
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        pass


def wsgi_environ(method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """A PEP 3333 environ for one request, built directly (EnvironBuilder costs 3x more)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme or "http"
    port = str(parts.port or (443 if scheme == "https" else 80))
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        # PEP 3333: PATH_INFO is the decoded path's bytes, as latin-1.
        "PATH_INFO": urllib.parse.unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": parts.netloc,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key not in ("CONTENT_LENGTH", "HOST"):
            environ[f"HTTP_{key}"] = value
    return environ


def in_process_session(app: Any, base_url: str = IN_PROCESS_BASE) -> requests.Session:
    """A requests Session whose requests to ``base_url`` go to ``app`` without a socket."""
    session = requests.Session()
    # No network is involved: skip requests' per-request scan of proxy variables
    # in the environment, which costs more than the fake IdP's own work.
    session.trust_env = False
    session.mount(base_url, WSGIAdapter(app))
    return session


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: exchanges are recorded by the IdP itself."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LiveServer:
    """The app on a real socket: 127.0.0.1, a free port, a daemon thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app, self.host, self.port = app, host, port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        try:
            self._server = make_server(
                self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler
            )
        except SystemExit:  # werkzeug exits the process when the bind fails
            raise OSError(f"cannot listen on {self.host}:{self.port}: address in use") from None
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(
            # A short poll interval keeps stop() fast; the loop is idle otherwise.
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            daemon=True,
            name=f"fakeidp-live-{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def real_url_map(providers: Mapping[str, Provider]) -> dict[str, list[tuple[str, str, str]]]:
    """Real origin -> [(path prefix, provider id, host key)], longest prefix first."""
    table: dict[str, list[tuple[str, str, str]]] = {}
    for p in providers.values():
        for endpoint in p.all_endpoints():
            for origin in p.real_bases(endpoint.host):
                table.setdefault(origin, []).append((endpoint.path, p.id, endpoint.host))
    for entries in table.values():
        entries.sort(key=lambda e: -len(e[0]))
    return table


def make_rewriter(providers: Mapping[str, Provider]) -> Callable[[str], str | None]:
    """Map a real provider URL to the fake IdP's URL for it, or None if it is not one."""
    table = real_url_map(providers)

    def rewrite(url: str) -> str | None:
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        for path, pid, host in table.get(origin, ()):
            if parts.path == path or parts.path.startswith(path.rstrip("/") + "/"):
                fake = urllib.parse.urlsplit(IN_PROCESS_BASE)
                return urllib.parse.urlunsplit(
                    (fake.scheme, fake.netloc, f"/{pid}/{host}{parts.path}", parts.query, "")
                )
        # Same origin, unknown path: still answered by the fake (a 404 in the provider's name),
        # never sent to the real provider.
        for _path, pid, host in table.get(origin, ())[:1]:
            return f"{IN_PROCESS_BASE}/{pid}/{host}{parts.path}" + (
                f"?{parts.query}" if parts.query else ""
            )
        return None

    return rewrite


@contextmanager
def intercept_requests(app: Any, providers: Mapping[str, Provider]) -> Iterator[None]:
    """Route requests to the providers' real URLs, from any requests Session, to ``app``."""
    rewrite = make_rewriter(providers)
    adapter = WSGIAdapter(app, rewrite=lambda url: rewrite(url) or url)
    original = HTTPAdapter.send

    def send(
        self: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if request.url and rewrite(request.url) is not None:
            return adapter.send(request, **kwargs)
        return original(self, request, *args, **kwargs)

    HTTPAdapter.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        HTTPAdapter.send = original  # type: ignore[method-assign]
