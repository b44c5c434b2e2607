"""python-social-auth backends as a conformance target: ``--target social-core:BACKEND``.

The backend runs unmodified (no URL changed, nothing subclassed): fakeidp
gives it only the framework glue a backend needs outside Django (a strategy
with settings and a session, and a pipeline that ends by handing back the
uid), and answers its requests to the provider's real URLs by interception.
Its settings come from the conformance settings: ``SCOPE`` from the scopes,
``AUTH_EXTRA_ARGUMENTS`` from the static params, the test client as
``KEY``/``SECRET``.

social-auth-core is optional (``pip install social-auth-core``); without it
this target is one clear line saying so.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
import urllib.parse
import warnings
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from ..providers.model import Provider
from .environment import Environment, Outcome, Settings
from .targets import DEFAULT_REDIRECT_URI, Target, TargetError

if TYPE_CHECKING:
    from ..handle import FakeIdP

MISSING = (
    "target 'social-core:{name}': social-auth-core is not installed (pip install social-auth-core)"
)
PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "fakeidp.conformance.social_core.hand_back",
)


class LoggedIn:
    """What the pipeline hands back: the uid the backend stores, and what it read."""

    def __init__(self, uid: str, details: Mapping[str, Any], response: Any) -> None:
        self.uid, self.details, self.response = uid, dict(details), response
        self.social_user: Any = None
        self.is_new = False


def hand_back(uid: Any, details: Any, response: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The last pipeline step: the login's uid, as the user the pipeline returns."""
    return {"user": LoggedIn(str(uid), details or {}, response)}


def _social_core() -> Any:
    try:
        with _quiet_imports():
            import social_core.strategy as strategy
    except ImportError:
        return None
    return strategy


@contextmanager
def _quiet_imports() -> Iterator[None]:
    """social-core imports python3-openid, which imports a deprecated defusedxml module:
    the user's warning filters (pytest's ``error``) should not trip on a dependency's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@functools.cache
def _strategy_class() -> type[Any]:
    base = _social_core().BaseStrategy
    from social_core.storage import AssociationMixin, BaseStorage, NonceMixin

    class Nonces(NonceMixin):
        """One-use values (the state, OAuth 1.0a nonces), in memory: one set per login."""

        used: set[tuple[str, Any, str]]

        @classmethod
        def use(cls, server_url: str, timestamp: Any, salt: str) -> bool:
            key = (server_url, int(timestamp), salt)
            if key in cls.used:
                return False
            cls.used.add(key)
            return True

        @classmethod
        def get(cls, server_url: str, salt: str) -> Any:
            return next(((u, t, s) for u, t, s in cls.used if u == server_url and s == salt), None)

        @classmethod
        def delete(cls, nonce: Any) -> None:
            cls.used.discard(nonce)

        @classmethod
        def consume(cls, server_url: str, timestamp: int, salt: str) -> bool:
            key = (server_url, int(timestamp), salt)
            if key not in cls.used:
                return False
            cls.used.discard(key)
            return True

    class Associations(AssociationMixin):
        """OpenID Connect nonces (social-core keeps them as associations), in memory."""

        stored: list[Any]

        @classmethod
        def store(cls, server_url: str, association: Any) -> None:
            entry = cls()
            entry.id = len(cls.stored) + 1  # type: ignore[attr-defined]
            entry.server_url, entry.handle = server_url, association.handle
            entry.secret, entry.issued = association.secret, association.issued
            entry.lifetime, entry.assoc_type = association.lifetime, association.assoc_type
            cls.stored.append(entry)

        @classmethod
        def get(cls, server_url: str | None = None, handle: str | None = None) -> list[Any]:
            return [
                a
                for a in cls.stored
                if (server_url is None or a.server_url == server_url)
                and (handle is None or a.handle == handle)
            ]

        @classmethod
        def remove(cls, ids_to_delete: Any) -> None:
            cls.stored[:] = [a for a in cls.stored if a.id not in set(ids_to_delete)]

    class Strategy(base):  # type: ignore[misc,valid-type]
        """Settings, a session and the callback's query: the glue Django would give."""

        def __init__(self, settings: Mapping[str, Any], redirect_uri: str) -> None:
            nonces = type("Nonces", (Nonces,), {"used": set()})
            associations = type("Associations", (Associations,), {"stored": []})
            storage = type(
                "Storage", (BaseStorage,), {"nonce": nonces, "association": associations}
            )
            super().__init__(storage=storage)
            self.settings = dict(settings)
            self.session: dict[str, Any] = {}
            self.data: dict[str, Any] = {}
            self.redirect_uri = redirect_uri

        def get_setting(self, name: str) -> Any:
            return self.settings[name]

        def redirect(self, url: str) -> str:
            return url

        def html(self, content: str) -> str:
            return content

        def render_html(self, *args: Any, **kwargs: Any) -> str:
            return ""

        def get_request_data(self, merge: bool = True) -> dict[str, Any]:
            return dict(self.data)

        def request_host(self) -> str:
            return urllib.parse.urlsplit(self.redirect_uri).netloc

        def session_get(self, name: str, default: Any = None) -> Any:
            return self.session.get(name, default)

        def session_set(self, name: str, value: Any) -> None:
            self.session[name] = value

        def session_pop(self, name: str) -> Any:
            return self.session.pop(name, None)

        def build_absolute_uri(self, path: str | None = None) -> str:
            return urllib.parse.urljoin(self.redirect_uri, path or "")

        def request_is_secure(self) -> bool:
            return self.redirect_uri.startswith("https:")

        def request_path(self) -> str:
            return urllib.parse.urlsplit(self.redirect_uri).path

        def request_port(self) -> int:
            return urllib.parse.urlsplit(self.redirect_uri).port or 80

        def request_get(self) -> dict[str, Any]:
            return dict(self.data)

        def request_post(self) -> dict[str, Any]:
            return {}

    return Strategy


def find_backend(name: str) -> type[Any]:
    """The social-core backend class named ``name`` (its ``name``, e.g. ``twitter-oauth2``),
    or a dotted path to one. TargetError when there is none."""
    if _social_core() is None:
        raise TargetError(MISSING.format(name=name))
    from social_core.backends.base import BaseAuth

    if "." in name:
        module_name, _, attr = name.rpartition(".")
        try:
            with _quiet_imports():
                found = getattr(importlib.import_module(module_name), attr, None)
        except ImportError as exc:
            raise TargetError(f"target 'social-core:{name}': {exc}") from None
        if isinstance(found, type) and issubclass(found, BaseAuth):
            return found
        raise TargetError(f"target 'social-core:{name}': {attr} is not a social-core backend")
    import social_core.backends as package

    guesses = [name.replace("-", "_"), name.split("-")[0].replace("-", "_")]
    others = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name not in guesses]
    for module_name in (*guesses, *others):
        try:
            with _quiet_imports():
                module = importlib.import_module(f"social_core.backends.{module_name}")
        except Exception:  # an optional dependency of another backend: not ours to load
            continue
        found = {
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, BaseAuth)
            and value.__module__ == module.__name__
            and getattr(value, "name", None) == name
        }
        if len(found) > 1:  # twitch: TwitchOAuth2 and TwitchOpenIdConnect share the name
            paths = sorted(f"{c.__module__}.{c.__qualname__}" for c in found)
            raise TargetError(
                f"target 'social-core:{name}': several backends are named {name!r}; "
                f"name one by its path: {' or '.join('social-core:' + p for p in paths)}"
            )
        if found:
            backend: type[Any] = found.pop()
            return backend
    raise TargetError(f"target 'social-core:{name}': social-auth-core has no backend {name!r}")


def _urls_of(backend: type[Any]) -> list[tuple[str, bool]]:
    """(URL, is a prefix): the token, request-token and authorization URLs, then an OIDC
    backend's issuer (its endpoints come from discovery)."""
    urls = [
        (getattr(backend, attr, "") or "", False)
        for attr in ("ACCESS_TOKEN_URL", "REQUEST_TOKEN_URL", "AUTHORIZATION_URL")
    ]
    urls.append((getattr(backend, "OIDC_ENDPOINT", "") or "", True))
    return [(u, prefix) for u, prefix in urls if u]


def provider_of_backend(backend: type[Any], available: Mapping[str, Provider]) -> str:
    """The provider whose real endpoints the backend calls (token URL first)."""
    for url, prefix in _urls_of(backend):
        wanted = url.split("?", 1)[0].rstrip("/").lower()
        for pid, p in available.items():
            for endpoint in p.all_endpoints():
                for base in p.real_bases(endpoint.host):
                    real = (base + endpoint.path).rstrip("/").lower()
                    if real == wanted or (prefix and real.startswith(wanted + "/")):
                        return pid
    raise TargetError(
        f"target 'social-core:{backend.name}': none of its URLs "
        f"({', '.join(u for u, _p in _urls_of(backend)) or 'none'}) is a provider of the "
        "fake IdP"
    )


def _kind(exc: BaseException) -> str:
    """A psa exception as the engine's error kinds (fakeidp.client.errors)."""
    name = type(exc).__name__
    kinds = {
        "AuthCanceled": "cancelled",
        "AuthStateMissing": "state_mismatch",
        "AuthStateForbidden": "state_mismatch",
        "AuthTokenError": "token_error",
        "AuthTokenRevoked": "token_error",
        "AuthUnreachableProvider": "server_error",
        "JSONDecodeError": "malformed_response",
    }
    if name in kinds:
        return kinds[name]
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        return "server_error" if status >= 500 else "token_error"
    return name


class SocialCoreTarget(Target):
    """One social-auth-core backend, unmodified, against the provider it talks to."""

    transport = "in_process"

    def __init__(self, backend_name: str, redirect_uri: str = DEFAULT_REDIRECT_URI) -> None:
        self.backend_class = find_backend(backend_name)
        self.backend_name = self.backend_class.name
        self.name = f"social-core backend {self.backend_name} ({self.backend_class.__module__})"
        self.redirect_uri = redirect_uri
        oauth1 = hasattr(self.backend_class, "REQUEST_TOKEN_URL") and bool(
            getattr(self.backend_class, "REQUEST_TOKEN_URL", "")
        )
        caps = {"login", "callback", "scopes", "static_params"}
        caps |= {"oauth1"} if oauth1 else {"refresh"}
        # An OpenID Connect backend validates ID tokens: the OIDC checks judge it.
        if any(c.__name__ == "OpenIdConnectAuth" for c in self.backend_class.__mro__):
            caps.add("oidc")
        self.capabilities = frozenset(caps)
        self._stack = ExitStack()
        self._settings: Mapping[str, Settings] = {}

    def providers(self, available: Mapping[str, Provider]) -> list[str]:
        return [provider_of_backend(self.backend_class, available)]

    def settings(self, provider: Provider, default: Settings) -> Settings:
        """The suite's settings, with the scopes psa really asks for: ``SCOPE`` and then the
        backend's ``DEFAULT_SCOPE`` (which an OIDC backend needs for ``openid``)."""
        defaults = list(getattr(self.backend_class, "DEFAULT_SCOPE", None) or [])
        extra = [scope for scope in default.scopes if scope not in defaults]
        return dataclasses.replace(default, scopes=tuple(extra + defaults))

    def open(self, idp: FakeIdP, settings: Mapping[str, Settings]) -> None:
        from ..transport import make_rewriter

        self._settings = settings
        self._rewrite = make_rewriter(idp.providers)
        self._stack.enter_context(idp.intercepting())

    def close(self) -> None:
        self._stack.close()

    def _backend(self, env: Environment) -> Any:
        from social_core.utils import setting_name

        name = self.backend_name
        s = env.settings
        settings: dict[str, Any] = {
            setting_name(name, "KEY"): env.client_id,
            setting_name(name, "SECRET"): env.client_secret or "",
            setting_name("PIPELINE"): list(PIPELINE),
        }
        defaults = list(getattr(self.backend_class, "DEFAULT_SCOPE", None) or [])
        extra = [scope for scope in s.scopes if scope not in defaults]
        if extra:
            settings[setting_name(name, "SCOPE")] = extra
        if s.static_params:
            settings[setting_name(name, "AUTH_EXTRA_ARGUMENTS")] = dict(s.static_params)
        strategy = _strategy_class()(settings, env.redirect_uri)
        return self.backend_class(strategy, redirect_uri=env.redirect_uri)

    def authorize(self, env: Environment) -> str:
        backend = self._backend(env)
        env.scratch["backend"] = backend
        url = str(backend.auth_url())
        # The browser goes to the provider's real URL; the engine plays it on the fake's.
        return self._rewrite(url) or url

    def callback(self, env: Environment, url: str) -> Outcome:
        backend = env.scratch["backend"]
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        backend.strategy.data = query
        backend.data = query
        try:
            user = backend.auth_complete()
        except Exception as exc:  # the backend's own error: the connector's verdict
            return Outcome(error=_kind(exc), message=f"{type(exc).__name__}: {exc}"[:500])
        if not isinstance(user, LoggedIn):
            return Outcome(error="no_result", message=f"the pipeline returned {user!r}"[:500])
        env.scratch["response"] = user.response
        return Outcome(user_id=user.uid)

    def refresh(self, env: Environment) -> Outcome:
        backend = env.scratch["backend"]
        response = env.scratch.get("response") or {}
        token = response.get("refresh_token") if isinstance(response, dict) else None
        if not token:
            return Outcome(error="token_error", message="the login gave no refresh token")
        try:
            answer = backend.refresh_token(token)
            data = backend.user_data(answer["access_token"], response=answer) or {}
            merged = {**answer, **data}
            details = backend.get_user_details(merged)
            uid = backend.get_user_id(details, merged)
        except Exception as exc:
            return Outcome(error=_kind(exc), message=f"{type(exc).__name__}: {exc}"[:500])
        env.scratch["response"] = {**response, **answer}
        return Outcome(user_id=str(uid))


__all__ = ["SocialCoreTarget", "find_backend", "hand_back", "provider_of_backend"]
