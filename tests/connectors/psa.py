"""python-social-auth's backends run as an app runs them, outside a web framework.

The framework glue (a strategy with settings, a session and the request's data; in-memory
nonces and OpenID Connect associations; a last pipeline step that hands back the uid) is
the one fakeidp ships for its ``social-core:BACKEND`` conformance target
(``fakeidp.conformance.social_core``): the same glue social-core's own test suite keeps in
``social_core/tests/strategy.py`` and ``models.py``. The backends are social-core's,
unmodified, with their own URLs.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from social_core.backends.base import BaseAuth

from fakeidp.conformance.social_core import PIPELINE, LoggedIn, _strategy_class

from .helpers import browser

CALLBACK = "https://app.example/complete/{name}/"


class App:
    """One user's browser session with an app that logs in with ``backend_class``."""

    def __init__(
        self, backend_class: type[BaseAuth[Any]], key: str, secret: str | None, **settings: Any
    ) -> None:
        self.backend_class = backend_class
        self.redirect_uri = CALLBACK.format(name=backend_class.name)
        self.strategy = _strategy_class()(
            {"KEY": key, "SECRET": secret, "PIPELINE": list(PIPELINE), **settings},
            self.redirect_uri,
        )

    def backend(self) -> BaseAuth[Any]:
        # A framework builds a backend per request, reading that request's data.
        return self.backend_class(self.strategy, redirect_uri=self.redirect_uri)

    def start(self) -> str:
        """The app's login view: the URL it redirects the browser to."""
        return str(self.backend().auth_url())

    def complete(self, callback: str) -> LoggedIn:
        """The app's callback view, given the URL the provider redirected the browser to."""
        self.strategy.data = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
        user = self.backend().complete()
        assert isinstance(user, LoggedIn), user
        return user

    def login(self) -> LoggedIn:
        """Start, let the browser go through the provider, complete."""
        return self.complete(browser(self.start()))
