"""The fake IdP on a real socket: 127.0.0.1, a free port, a daemon thread."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


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
