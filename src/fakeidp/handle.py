"""``FakeIdP``: the Python handle over one fake IdP app.

The same operations as the control API: each provider's URLs and test
credentials, recorded exchanges and findings, the logged-in test user,
strictness, expectations, and the three transports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from flask import Flask

from .browser import Browser
from .client.connection import Connection
from .idp import users as user_book
from .idp.app import create_app, store_of
from .idp.faults import Fault, InjectedFault, inject
from .idp.rules import Finding
from .idp.store import Client, Store, User
from .providers.hosts import HostOverrides
from .providers.model import Provider
from .transport import (
    IN_PROCESS_BASE,
    LiveServer,
    httpx_support,
    in_process_session,
    intercepting,
)

if TYPE_CHECKING:  # httpx and httpx2 are optional: only their types are named here
    import httpx
    import httpx2


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str | None


class FakeIdP:
    def __init__(
        self,
        providers: Iterable[str] | None = None,
        *,
        strict: bool = True,
        interactive: bool = False,
        app: Flask | None = None,
        host_overrides: HostOverrides | None = None,
    ) -> None:
        self.app = app or create_app(
            providers, strict=strict, interactive=interactive, host_overrides=host_overrides
        )
        self.base_url = IN_PROCESS_BASE
        self._server: LiveServer | None = None

    # -- state ---------------------------------------------------------------
    @property
    def store(self) -> Store:
        return store_of(self.app)

    @property
    def providers(self) -> dict[str, Provider]:
        return self.store.providers

    def provider(self, provider_id: str) -> Provider:
        try:
            return self.providers[provider_id]
        except KeyError:
            raise KeyError(
                f"unknown provider {provider_id!r}; known: {', '.join(sorted(self.providers))}"
            ) from None

    @property
    def strict(self) -> bool:
        return self.store.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.store.strict = value

    @property
    def interactive(self) -> bool:
        """Whether authorize shows a login and consent page instead of auto-approving."""
        return self.store.interactive

    @interactive.setter
    def interactive(self, value: bool) -> None:
        self.store.interactive = value

    def reset(self) -> None:
        self.store.reset()

    def advance_clock(self, seconds: float) -> None:
        self.store.advance_clock(seconds)

    # -- test clients and users -------------------------------------------------
    def credentials(self, provider_id: str) -> Credentials:
        p = self.provider(provider_id)
        return Credentials(p.client.client_id, p.client.client_secret)

    def register_client(
        self,
        provider_id: str,
        client_id: str,
        client_secret: str | None = None,
        redirect_uris: Iterable[str] = (),
        rsa_public_key: str | None = None,
    ) -> None:
        self.provider(provider_id)
        self.store.register_client(
            provider_id, Client(client_id, client_secret, list(redirect_uris), rsa_public_key)
        )

    def register_redirect_uri(
        self, provider_id: str, uri: str, client_id: str | None = None
    ) -> None:
        """Tighten redirect checks: once any URI is registered, only registered ones pass."""
        client = self.store.client(
            provider_id, client_id or self.provider(provider_id).client.client_id
        )
        if client is None:
            raise KeyError(f"no client {client_id!r} at {provider_id}")
        with self.store.lock:
            client.redirect_uris.append(uri)

    def user(self, provider_id: str) -> User:
        self.provider(provider_id)
        return self.store.user(provider_id)

    def set_user(self, provider_id: str, login: str | None = None, /, **profile: Any) -> User:
        """Change the test user; profile keys (a ``login`` field too) merge over the current."""
        self.provider(provider_id)
        return self.store.set_user(provider_id, login, **profile)

    def update_user(self, provider_id: str, user: Mapping[str, Any], /) -> User:
        """Change the default user, as ``PUT /_fakeidp/users/<provider>`` and the config's
        ``[providers.<id>.user]``: ``{"login", "profile", "claims"}`` (see idp/users.py)."""
        spec = user_book.parse(user, allowed=user_book.FIELDS[:3])
        return user_book.update_default(self.store, self.provider(provider_id).id, spec)

    def put_user(self, provider_id: str, user: Mapping[str, Any], /) -> User:
        """Add a user or merge into one, as ``PUT /_fakeidp/users/<provider>/<login>`` and
        ``[[providers.<id>.users]]``: ``{"login", "profile", "claims", "default"}``.

        A login picks it with ``login_hint`` (X: ``screen_name``) or on the login page."""
        return user_book.put(self.store, self.provider(provider_id), user_book.parse(user))

    def users(self, provider_id: str) -> list[User]:
        """Every user of the provider, the default first."""
        return user_book.all_users(self.store, self.provider(provider_id).id)

    def remove_user(self, provider_id: str, login: str) -> None:
        user_book.remove(self.store, self.provider(provider_id).id, login)

    def deny_next(self, provider_id: str) -> None:
        """The next authorize request for ``provider_id`` is denied by the user."""
        self.provider(provider_id)
        self.store.denials[provider_id] = True

    def expect(
        self,
        provider_id: str,
        *,
        authorize_params: dict[str, str] | None = None,
        dynamic_params: dict[str, str] | None = None,
        scope: Iterable[str] | None = None,
        token_headers: dict[str, str] | None = None,
        profile_headers: dict[str, str] | None = None,
    ) -> None:
        """Declare what the connection under test should send; differences become findings."""
        self.provider(provider_id)
        expected: dict[str, Any] = {}
        if authorize_params:
            expected["authorize_params"] = dict(authorize_params)
        if dynamic_params:
            expected["dynamic_params"] = dict(dynamic_params)
        if scope is not None:
            expected["scope"] = list(scope)
        if token_headers:
            expected["token_headers"] = dict(token_headers)
        if profile_headers:
            expected["profile_headers"] = dict(profile_headers)
        self.store.expectations[provider_id] = expected

    def set_strict(self, provider_id: str, strict: bool | None) -> None:
        """Strict or lenient for one provider; None: follow the global ``strict``."""
        self.provider(provider_id)
        with self.store.lock:
            if strict is None:
                self.store.strict_by_provider.pop(provider_id, None)
            else:
                self.store.strict_by_provider[provider_id] = strict

    def is_strict(self, provider_id: str) -> bool:
        self.provider(provider_id)
        return self.store.is_strict(provider_id)

    def clients(self, provider_id: str) -> list[Client]:
        self.provider(provider_id)
        with self.store.lock:
            return list(self.store.clients.get(provider_id, {}).values())

    # -- faults (fakeidp.idp.faults; README "Fault injection") -----------------
    def fault(
        self, provider: str | Fault, endpoint: str | None = None, **options: Any
    ) -> InjectedFault:
        """Inject a fault: ``idp.fault("uber", "token", kind="status", status=503)``.

        Takes the fields of :class:`~fakeidp.idp.faults.Fault` as keywords (the
        same as a control API body or a config ``[[faults]]`` table), or a Fault.
        A wrong field raises FaultError naming it.
        """
        if isinstance(provider, Fault):
            return inject(self.store, provider)
        return inject(self.store, {"provider": provider, "endpoint": endpoint, **options})

    def faults(self, provider: str | None = None) -> list[InjectedFault]:
        """Injected faults (used up ones too: ``remaining == 0``), oldest first."""
        return self.store.faults.all(provider)

    def remove_fault(self, fault_id: int) -> None:
        if not self.store.faults.remove(fault_id):
            raise KeyError(f"no fault with id {fault_id}")

    def clear_faults(self, provider: str | None = None) -> int:
        """Remove every fault (or one provider's); returns how many were removed."""
        return self.store.faults.clear(provider)

    # -- what happened --------------------------------------------------------
    def exchanges(self, provider: str | None = None, endpoint: str | None = None) -> list[Any]:
        with self.store.lock:
            return [
                e
                for e in self.store.exchanges
                if (provider is None or e.provider == provider)
                and (endpoint is None or e.endpoint == endpoint)
            ]

    def findings(
        self, provider: str | None = None, severity: str | None = None, rule: str | None = None
    ) -> list[Finding]:
        with self.store.lock:
            return [
                f
                for f in self.store.findings
                if (provider is None or f.provider == provider)
                and (severity is None or f.severity == severity)
                and (rule is None or f.rule == rule)
            ]

    def errors(self, provider: str | None = None) -> list[Finding]:
        return [f for f in self.findings(provider, "error") if not f.acknowledged]

    def acknowledge(self, rule: str | None = None) -> list[Finding]:
        """Mark findings (all, or one rule's) as expected by the test; returns them."""
        found = self.findings(rule=rule)
        for f in found:
            f.acknowledged = True
        return found

    # -- URLs and transports -----------------------------------------------------
    def urls(self, provider_id: str, base_url: str | None = None) -> dict[str, str]:
        """Endpoint name -> URL on ``base_url`` (default: this handle's base)."""
        p = self.provider(provider_id)
        base = (base_url or self.base_url).rstrip("/")
        return {e.name: base + p.fake_path(e) for e in p.all_endpoints()}

    def real_urls(self, provider_id: str) -> dict[str, str]:
        p = self.provider(provider_id)
        return {e.name: p.real_url(e) for e in p.all_endpoints()}

    def connection(
        self, provider_id: str, *, real_urls: bool = False, **overrides: Any
    ) -> Connection:
        """A correct connection for ``provider_id`` pointing at this IdP (or the real URLs)."""
        p = self.provider(provider_id)
        urls = self.real_urls(provider_id) if real_urls else self.urls(provider_id)
        return Connection.for_provider(p, urls, **overrides)

    def session(self) -> requests.Session:
        """A requests Session that reaches this IdP in-process, at ``self.base_url``."""
        return in_process_session(self.app, IN_PROCESS_BASE)

    @property
    def browser(self) -> Browser:
        """The user's browser at this IdP: approve, deny or log in as someone (fakeidp.browser)."""
        return Browser(self)

    def httpx_client(self, **kwargs: Any) -> httpx.Client:
        """An httpx Client that reaches this IdP in-process (its ``base_url`` is the IdP's).

        Needs httpx (``pip install httpx``); ``kwargs`` go to ``httpx.Client``.
        """
        client: httpx.Client = self._in_process("idp.httpx_client()", "httpx", kwargs)
        return client

    def async_httpx_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """The async twin of :meth:`httpx_client`: an ``httpx.AsyncClient``, no socket."""
        client: httpx.AsyncClient = self._in_process("idp.async_httpx_client()", "httpx", kwargs)
        return client

    def httpx2_client(self, **kwargs: Any) -> httpx2.Client:
        """:meth:`httpx_client` for httpx2 (httpx's successor): an ``httpx2.Client``.

        Needs httpx2 (``pip install httpx2``); ``kwargs`` go to ``httpx2.Client``.
        """
        client: httpx2.Client = self._in_process("idp.httpx2_client()", "httpx2", kwargs)
        return client

    def async_httpx2_client(self, **kwargs: Any) -> httpx2.AsyncClient:
        """The async twin of :meth:`httpx2_client`: an ``httpx2.AsyncClient``, no socket."""
        what = "idp.async_httpx2_client()"
        client: httpx2.AsyncClient = self._in_process(what, "httpx2", kwargs)
        return client

    def _in_process(self, what: str, library: str, kwargs: dict[str, Any]) -> Any:
        """The client of ``library`` that ``what`` names (async if it says so), on this app."""
        support = httpx_support(what, library)
        make = support.async_client if "async_" in what else support.client
        return make(library, self.app, **kwargs)

    @contextmanager
    def serve(self) -> Iterator[LiveServer]:
        """Serve on 127.0.0.1 (free port) while the block runs; URLs use the live base."""
        self.store.warm_up()
        server = LiveServer(self.app).start()
        previous, self.base_url = self.base_url, server.base_url
        try:
            yield server
        finally:
            self.base_url = previous
            server.stop()

    @contextmanager
    def intercepting(self) -> Iterator[FakeIdP]:
        """Answer requests, httpx and httpx2 calls to the providers' real URLs while the block
        runs; any other client trying to reach a provider's host fails with NetworkBlocked."""
        with intercepting(self.app, self.providers):
            yield self


@contextmanager
def intercept(
    providers: Iterable[str] | None = None,
    *,
    strict: bool = True,
    host_overrides: HostOverrides | None = None,
) -> Iterator[FakeIdP]:
    """``with fakeidp.intercept() as idp:`` requests, httpx and httpx2 calls to the providers'
    real URLs reach a fake IdP in-process; any other way to a provider's host fails at once with
    :class:`~fakeidp.NetworkBlocked`."""
    idp = FakeIdP(providers, strict=strict, host_overrides=host_overrides)
    with idp.intercepting():
        yield idp
