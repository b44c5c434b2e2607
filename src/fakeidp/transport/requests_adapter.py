"""A requests transport adapter that answers from a WSGI application: no socket.

It takes what :class:`requests.adapters.HTTPAdapter` takes and answers the way
it answers: the response's ``raw`` is a :class:`urllib3.HTTPResponse` over the
body (so ``stream=True``, ``iter_content`` and ``raw.read()`` work), cookies
are extracted into ``response.cookies``, and redirects are left to the caller
(``Session.send`` follows them and fills ``history``), as requests does.
"""

from __future__ import annotations

import datetime
import http.client
import io
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPHeaderDict, HTTPResponse

from .wsgi import IN_PROCESS_BASE, WSGIAnswer, body_bytes, call_app, mark_intercepted, wsgi_environ


class _OriginalResponse:
    """What requests' cookie extraction reads from an http.client response: its ``msg``."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = http.client.HTTPMessage()
        for name, value in headers:
            self.msg[name] = value  # appends: every Set-Cookie is kept

    def isclosed(self) -> bool:
        return True

    def close(self) -> None:
        pass


class WSGIAdapter(BaseAdapter):
    """Answer requests by calling a WSGI application in this process.

    ``rewrite`` maps the URL a client asked for to the app's URL for it
    (interception); the request is then marked as intercepted.
    """

    def __init__(self, app: Any, rewrite: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.app = app
        self.rewrite = rewrite

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        target = self.rewrite(url) if self.rewrite else url
        return self.answer(request, target, target != url, stream)

    def answer(
        self, request: requests.PreparedRequest, target: str, intercepted: bool, stream: bool
    ) -> requests.Response:
        """Call the app for ``request`` at ``target`` and build what HTTPAdapter would."""
        start = time.perf_counter()
        environ = wsgi_environ(
            request.method or "GET", target, request.headers, body_bytes(request.body)
        )
        if intercepted:
            mark_intercepted(environ)
        response = self.build(request, call_app(self.app, environ), stream)
        response.elapsed = datetime.timedelta(seconds=time.perf_counter() - start)
        return response

    def build(
        self, request: requests.PreparedRequest, answer: WSGIAnswer, stream: bool
    ) -> requests.Response:
        """requests.adapters.HTTPAdapter.build_response over a urllib3 response."""
        body = io.BytesIO(answer.body)
        if not stream:
            body.seek(0, io.SEEK_END)  # read to its end, as requests does when not streaming
        raw = HTTPResponse(
            body=body,
            headers=HTTPHeaderDict(answer.headers),
            status=answer.status,
            reason=answer.reason,
            version=11,
            version_string="HTTP/1.1",
            preload_content=False,
            decode_content=False,
            enforce_content_length=False,
            request_method=request.method,
            request_url=request.url,
        )
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(raw.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.reason = answer.reason
        response.url = request.url or ""
        if any(name.lower() == "set-cookie" for name, _ in answer.headers):
            raw._original_response = _OriginalResponse(answer.headers)  # type: ignore[assignment]
            extract_cookies_to_jar(response.cookies, request, raw)  # type: ignore[no-untyped-call]
        response.request = request
        response.connection = self  # type: ignore[assignment]
        if not stream:
            # What Session.send does after any adapter when not streaming: the body is read.
            response._content = answer.body
            response._content_consumed = True  # type: ignore[attr-defined]
        return response

    def close(self) -> None:
        pass


def in_process_session(app: Any, base_url: str = IN_PROCESS_BASE) -> requests.Session:
    """A requests Session whose requests to ``base_url`` go to ``app`` without a socket."""
    session = requests.Session()
    # No network is involved: skip requests' per-request scan of proxy variables
    # in the environment, which costs more than the fake IdP's own work.
    session.trust_env = False
    session.mount(base_url, WSGIAdapter(app))
    return session
