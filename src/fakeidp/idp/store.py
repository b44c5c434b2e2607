"""The fake IdP's state: clients, users, codes, tokens, exchanges, findings.

One Store per app (``app.extensions["fakeidp"]``), never module globals. All
access goes through one re-entrant lock: the live server is threaded.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..providers.model import Provider
from .faults import FaultSet
from .keys import SigningKey
from .rules import Finding

MAX_EXCHANGES = 5000


@dataclass
class Client:
    client_id: str
    client_secret: str | None
    redirect_uris: list[str]
    rsa_public_key: str | None = None  # OAuth 1.0a RSA-SHA1 consumers (JIRA)


@dataclass
class User:
    login: str
    profile: dict[str, Any]
    claims: dict[str, Any] = field(default_factory=dict)  # extra OIDC claims (idp/users.py)


@dataclass
class Grant:
    """What a login produced: the basis of codes, tokens and the profile."""

    provider: str
    client_id: str
    user: User | None  # None: a client_credentials token
    scope: list[str]
    params: dict[str, str]
    auth_time: float | None = None  # when the user logged in (OIDC Core §2 auth_time)


@dataclass
class Code:
    grant: Grant
    redirect_uri: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    used: bool = False
    issued_tokens: list[str] = field(default_factory=list)


@dataclass
class Token:
    grant: Grant
    expires_at: float | None  # None: never expires
    revoked: bool = False
    refresh_token: str | None = None


@dataclass
class RefreshToken:
    grant: Grant
    revoked: bool = False
    rotated_to: str | None = None


RequestParts = tuple[dict[str, str], dict[str, str], dict[str, str]]


@dataclass
class Exchange:
    """One request the IdP received and what it answered, secrets redacted.

    ``capture`` turns the request into redacted (headers, query, form) on first
    read: a login that breaks no rule never pays for the redaction.
    """

    id: int
    time: float
    provider: str
    endpoint: str
    method: str
    url: str
    capture: Callable[[], RequestParts] | None = field(default=None, repr=False, compare=False)
    status: int = 0
    response: Any = None
    findings: list[int] = field(default_factory=list)
    fault: dict[str, Any] | None = None  # the injected fault that shaped the answer
    _parts: RequestParts | None = field(default=None, repr=False, compare=False)

    def _request(self) -> RequestParts:
        if self._parts is None:
            capture, self.capture = self.capture, None  # the raw request is dropped once read
            self._parts = capture() if capture else ({}, {}, {})
        return self._parts

    @property
    def headers(self) -> dict[str, str]:
        return self._request()[0]

    @property
    def query(self) -> dict[str, str]:
        return self._request()[1]

    @property
    def form(self) -> dict[str, str]:
        return self._request()[2]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": self.time,
            "provider": self.provider,
            "endpoint": self.endpoint,
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "query": dict(self.query),
            "form": dict(self.form),
            "status": self.status,
            "response": copy.deepcopy(self.response),
            "findings": list(self.findings),
            "fault": copy.deepcopy(self.fault),
        }


class Store:
    def __init__(
        self, providers: dict[str, Provider], strict: bool = True, interactive: bool = False
    ) -> None:
        self.providers = providers
        self.lock = threading.RLock()
        self.default_strict = strict
        # Interactive: authorize shows a login and consent page instead of auto-approving.
        self.default_interactive = interactive
        self._signing_key: SigningKey | None = None  # made on first use; reset() keeps it
        # Run at the end of every reset: a config file's clients, users, modes, faults.
        self.setup: list[Callable[[Store], None]] = []
        self.reset()

    def reset(self) -> None:
        """Back to the state of a new app: default clients and users, nothing recorded."""
        with self.lock:
            self.strict = self.default_strict
            self.interactive = self.default_interactive
            self.strict_by_provider: dict[str, bool] = {}
            self.clock_offset = 0.0
            self.clients: dict[str, dict[str, Client]] = {}
            self.users: dict[str, User] = {}  # the default user of each provider
            self.other_users: dict[str, dict[str, User]] = {}  # by login (idp/users.py)
            for p in self.providers.values():
                self.clients[p.id] = {
                    p.client.client_id: Client(
                        p.client.client_id,
                        p.client.client_secret,
                        list(p.client.redirect_uris),
                        getattr(p.oauth1, "rsa_public_key", None) if p.oauth1 else None,
                    )
                }
                self.users[p.id] = User(p.user.login, copy.deepcopy(p.user.profile))
            self.codes: dict[str, Code] = {}
            self.tokens: dict[str, Token] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.exchanges: deque[Exchange] = deque(maxlen=MAX_EXCHANGES)
            self.findings: list[Finding] = []
            self.expectations: dict[str, dict[str, Any]] = {}
            self.denials: dict[str, bool] = {}
            self.extra: dict[str, Any] = {}  # per-protocol state (OAuth 1.0a tokens, nonces)
            self._next_exchange = 1
            self.faults = FaultSet()
            for step in self.setup:
                step(self)

    # -- time -------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the IdP's clock forward: tokens and codes expire as if time had passed."""
        with self.lock:
            self.clock_offset += seconds

    # -- ID token signing (OIDC) ---------------------------------------------
    def signing_key(self) -> SigningKey:
        with self.lock:
            if self._signing_key is None:
                self._signing_key = SigningKey.generate()
            return self._signing_key

    # -- mode -------------------------------------------------------------
    def is_strict(self, provider: str) -> bool:
        return self.strict_by_provider.get(provider, self.strict)

    # -- registration -----------------------------------------------------
    def client(self, provider: str, client_id: str | None) -> Client | None:
        if client_id is None:
            return None
        return self.clients.get(provider, {}).get(client_id)

    def register_client(self, provider: str, client: Client) -> None:
        with self.lock:
            self.clients.setdefault(provider, {})[client.client_id] = client

    def user(self, provider: str) -> User:
        return self.users[provider]

    def set_user(self, provider: str, login: str | None = None, /, **profile: Any) -> User:
        """Change the test user a login returns; profile keys merge over the current ones."""
        # Positional-only: a profile may have its own "login" key (Twitch Helix).
        with self.lock:
            current = self.users[provider]
            merged = {**current.profile, **copy.deepcopy(profile)}
            self.users[provider] = User(login or current.login, merged, current.claims)
            return self.users[provider]

    # -- codes and tokens ---------------------------------------------------
    def new_secret(self, nbytes: int = 24) -> str:
        return secrets.token_urlsafe(nbytes)

    def issue_code(self, code: Code) -> str:
        value = self.new_secret()
        with self.lock:
            self.codes[value] = code
        return value

    def issue_token(self, grant: Grant, lifetime: int, with_refresh: bool) -> tuple[str, Token]:
        value = self.new_secret(32)
        token = Token(grant, self.now() + lifetime if lifetime else None)
        if with_refresh:
            token.refresh_token = self.new_secret(32)
        with self.lock:
            self.tokens[value] = token
            if token.refresh_token:
                self.refresh_tokens[token.refresh_token] = RefreshToken(grant)
        return value, token

    def revoke_tokens(self, values: list[str]) -> None:
        with self.lock:
            for value in values:
                token = self.tokens.get(value)
                if token:
                    token.revoked = True
                    if token.refresh_token and token.refresh_token in self.refresh_tokens:
                        self.refresh_tokens[token.refresh_token].revoked = True

    def valid_token(self, value: str | None, provider: str) -> Token | None:
        if not value:
            return None
        token = self.tokens.get(value)
        if token is None or token.revoked or token.grant.provider != provider:
            return None
        if token.expires_at is not None and token.expires_at <= self.now():
            return None
        return token

    # -- recording ---------------------------------------------------------
    def record_exchange(self, exchange: Exchange) -> Exchange:
        with self.lock:
            exchange.id = self._next_exchange
            self._next_exchange += 1
            self.exchanges.append(exchange)
        return exchange

    def add_finding(self, finding: Finding) -> int:
        with self.lock:
            self.findings.append(finding)
            return len(self.findings) - 1
