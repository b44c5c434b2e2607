"""The framework glue python-social-auth needs to run outside a web framework.

Only glue: a Strategy (settings, session and request data in dicts, as
social-core's own ``social_core/tests/strategy.py`` keeps them), a Storage with
the models a login touches (the nonce that makes OAuth 2.0 ``state`` single-use,
the association that keeps an OpenID Connect ``nonce``), and a last pipeline
step that hands back what the app would store.
The backends themselves are social-core's, unmodified, with their own URLs.
"""

from __future__ import annotations

import urllib.parse
import warnings
from dataclasses import dataclass
from typing import Any

with warnings.catch_warnings():
    # python3-openid, which social_core.strategy imports, imports defusedxml.cElementTree,
    # deprecated; the suite turns warnings into errors.
    warnings.simplefilter("ignore", DeprecationWarning)
    from social_core.strategy import BaseStrategy, BaseTemplateStrategy
from social_core.backends.base import BaseAuth
from social_core.storage import AssociationMixin, BaseStorage, NonceMixin

from .helpers import browser

CALLBACK = "https://app.example/complete/{name}/"


class _Nonce(NonceMixin):
    used: set[tuple[str, int, str]] = set()

    @classmethod
    def use(cls, server_url: str, timestamp: Any, salt: str) -> bool:
        key = (server_url, int(timestamp), salt)
        if key in cls.used:
            return False
        cls.used.add(key)
        return True

    @classmethod
    def consume(cls, server_url: str, timestamp: int, salt: str) -> bool:
        key = (server_url, int(timestamp), salt)
        if key not in cls.used:
            return False
        cls.used.discard(key)
        return True


class _Association(AssociationMixin):
    """psa's OpenID Connect backends keep the authorize request's nonce here."""

    saved: dict[int, _Association] = {}

    def __init__(self, server_url: str, association: Any) -> None:
        self.id = len(self.saved) + 1
        self.server_url, self.handle = server_url, association.handle
        self.issued, self.lifetime = association.issued, association.lifetime
        self.assoc_type = association.assoc_type

    @classmethod
    def store(cls, server_url: str, association: Any) -> None:
        saved = cls(server_url, association)
        cls.saved[saved.id] = saved

    @classmethod
    def get(cls, server_url: str | None = None, handle: str | None = None) -> list[Any]:
        return [
            a
            for a in cls.saved.values()
            if server_url in (None, a.server_url) and handle in (None, a.handle)
        ]

    @classmethod
    def remove(cls, ids_to_delete: list[int]) -> None:
        for i in ids_to_delete:
            cls.saved.pop(i, None)


class Storage(BaseStorage):
    nonce = _Nonce
    association = _Association

    @classmethod
    def is_integrity_error(cls, exception: Exception) -> bool:
        return False


def fresh_storage() -> type[Storage]:
    """A storage of its own for each app: nothing one test stores is seen by another."""
    nonce = type("Nonce", (_Nonce,), {"used": set()})
    association = type("Association", (_Association,), {"saved": {}})
    return type("AppStorage", (Storage,), {"nonce": nonce, "association": association})


class _Templates(BaseTemplateStrategy):
    def render_template(self, tpl: str, context: dict[str, Any] | None) -> str:
        return tpl

    def render_string(self, html: str, context: dict[str, Any] | None) -> str:
        return html


@dataclass
class SignedIn:
    """What the pipeline's last step receives: the app would create or find its user here."""

    uid: str
    details: dict[str, Any]
    response: dict[str, Any]
    is_authenticated: bool = True


def signed_in(uid: str, details: dict[str, Any], response: Any, **_: Any) -> dict[str, Any]:
    """Pipeline step (by dotted path, as apps list theirs): the end of a login."""
    return {"user": SignedIn(uid, dict(details), dict(response))}


PIPELINE = [
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "tests.connectors.psa.signed_in",
]


class Strategy(BaseStrategy[Any]):
    DEFAULT_TEMPLATE_STRATEGY = _Templates

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = {"PIPELINE": PIPELINE, **settings}
        self.session: dict[str, Any] = {}
        self.request: dict[str, Any] = {}
        super().__init__(fresh_storage())

    def get_setting(self, name: str) -> Any:
        return self.settings[name]

    def redirect(self, url: str) -> str:
        return url

    def html(self, content: str) -> str:
        return content

    def get_request_data(self, merge: bool = True) -> dict[str, Any]:
        return dict(self.request)

    def request_host(self) -> str:
        return "app.example"

    def request_is_secure(self) -> bool:
        return True

    def request_path(self) -> str:
        return ""

    def request_port(self) -> int:
        return 443

    def request_get(self) -> dict[str, Any]:
        return dict(self.request)

    def request_post(self) -> dict[str, Any]:
        return {}

    def session_get(self, name: str, default: Any = None) -> Any:
        return self.session.get(name, default)

    def session_set(self, name: str, value: Any) -> None:
        self.session[name] = value

    def session_pop(self, name: str) -> Any:
        return self.session.pop(name, None)

    def build_absolute_uri(self, path: str | None = None) -> str:
        return urllib.parse.urljoin("https://app.example/", path or "")


class App:
    """One user's browser session with an app that logs in with ``backend_class``."""

    def __init__(self, backend_class: type[BaseAuth[Any]], key: str, secret: str | None) -> None:
        self.backend_class = backend_class
        self.strategy = Strategy({"KEY": key, "SECRET": secret})
        self.redirect_uri = CALLBACK.format(name=backend_class.name)

    def backend(self) -> BaseAuth[Any]:
        # A framework builds a backend per request, reading that request's data.
        return self.backend_class(self.strategy, redirect_uri=self.redirect_uri)

    def start(self) -> str:
        """The app's login view: the URL it redirects the browser to."""
        return self.backend().auth_url()

    def complete(self, callback: str) -> SignedIn:
        """The app's callback view, given the URL the provider redirected the browser to."""
        query = urllib.parse.urlsplit(callback).query
        self.strategy.request = dict(urllib.parse.parse_qsl(query))
        user = self.backend().complete()
        assert isinstance(user, SignedIn), user
        return user

    def login(self) -> SignedIn:
        """Start, let the browser go through the provider, complete."""
        return self.complete(browser(self.start()))
