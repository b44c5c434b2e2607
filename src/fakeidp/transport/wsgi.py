"""One HTTP request, handed to a WSGI application in this process: the shared core.

The requests adapter and the httpx transports both turn their client's request
into a PEP 3333 environ here and read the answer back, so every client reaches
the fake IdP the same way. Clients send what a socket would carry: header
names and values as ``str`` or ``bytes`` (requests-oauthlib's OAuth1 sets
bytes), bodies as bytes, text, files or iterables of chunks.
"""

from __future__ import annotations

import io
import sys
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

IN_PROCESS_BASE = "http://fakeidp.invalid"  # RFC 2606: a name that never resolves

Headers = Mapping[str, str] | Mapping[bytes, bytes] | Mapping[Any, Any] | Iterable[tuple[Any, Any]]


@dataclass
class WSGIAnswer:
    """What the application answered: status line, headers (in order) and the whole body."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def text(value: str | bytes) -> str:
    """A header name or value as PEP 3333 wants it: bytes are read as latin-1 (PEP 3333
    "native strings": the bytes of the wire, one char per byte)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return value


def body_bytes(body: Any) -> bytes:
    """A request body, as a client library would put it on the wire.

    Text is UTF-8 (urllib3 and httpx encode it so); a file is read to its end
    (text files encoded as UTF-8); any other iterable (a generator: a chunked
    upload) is joined chunk by chunk.
    """
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if hasattr(body, "read"):
        return body_bytes(body.read())
    try:
        chunks = iter(body)
    except TypeError:
        raise TypeError(
            f"fakeidp: cannot send a request body of type {type(body).__name__}; "
            "send bytes, str, a file object or an iterable of chunks"
        ) from None
    return b"".join(body_bytes(chunk) for chunk in chunks)


def _header_items(headers: Headers) -> Iterable[tuple[Any, Any]]:
    items = getattr(headers, "items", None)
    return items() if items is not None else headers  # type: ignore[return-value]


def wsgi_environ(method: str, url: str, headers: Headers, body: bytes) -> dict[str, Any]:
    """A PEP 3333 environ for one request, built directly (EnvironBuilder costs 3x more).

    ``headers`` is a mapping or a list of pairs; names and values may be str or
    bytes. A header sent twice is joined with ", " (RFC 9110 §5.3), a cookie
    with "; " (RFC 6265 §5.4).
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme or "http"
    port = str(parts.port or (443 if scheme == "https" else 80))
    environ: dict[str, Any] = {
        "REQUEST_METHOD": text(method).upper(),
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
        # The whole body is here, de-chunked, as a server hands it over (werkzeug's own
        # server sets this flag too): the app may read a chunked upload to its end.
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in _header_items(headers):
        name, value = text(raw_name), text(raw_value)
        if not value.isascii():
            _check_latin1(name, value)
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key in ("CONTENT_LENGTH", "HOST"):
            continue
        else:
            key = f"HTTP_{key}"
            if key in environ:
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ", ") + value
            environ[key] = value
    return environ


def _check_latin1(name: str, value: str) -> None:
    """Refuse what a real client refuses: http.client (under requests) sends header values
    as latin-1 and raises on anything else, so a connector must not pass here and crash
    against the real provider."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise UnicodeEncodeError(
            exc.encoding,
            exc.object,
            exc.start,
            exc.end,
            f"header {name} cannot be sent: header values go on the wire as latin-1 "
            "(http.client, RFC 9110 §5.5); encode it yourself (bytes) or percent-encode it",
        ) from None


def call_app(app: Any, environ: dict[str, Any]) -> WSGIAnswer:
    """Run the WSGI application on ``environ`` and collect its whole answer."""
    captured: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, headers]
        return lambda data: None

    app_iter = app(environ, start_response)
    try:
        content = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close:
            close()
    status, headers = captured
    code, _, reason = status.partition(" ")
    # The body is whole: how a server would have framed it on the wire no longer applies.
    headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
    return WSGIAnswer(int(code), reason, headers, content)


def mark_intercepted(environ: dict[str, Any]) -> None:
    """The client called the provider's real URL: URLs the IdP hands out (OIDC discovery,
    the issuer) must be the real ones too."""
    environ["fakeidp.intercepted"] = True
