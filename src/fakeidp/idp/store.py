"""The fake IdP's state: clients, users, codes, tokens, exchanges, findings.

One Store per app (``app.extensions["fakeidp"]``), never module globals. All
access goes through one re-entrant lock: the live server is threaded. What it
keeps is bounded (:mod:`.limits`): expired and revoked codes and tokens are
swept by the IdP's clock, live ones capped, exchanges and findings capped by
count (and bytes), with counts of what was evicted or dropped.
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
from .limits import (
    EXCHANGE_OVERHEAD,
    MAX_CODES,
    MAX_EXCHANGE_BYTES,
    MAX_EXCHANGES,
    MAX_FINDINGS,
    MAX_TOKENS,
    SWEEP_EVERY,
    CappedDict,
    Retired,
)
from .rules import Finding


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


@dataclass(slots=True)  # held by the thousand: no per-object __dict__
class Grant:
    """What a login produced: the basis of codes, tokens and the profile."""

    provider: str
    client_id: str
    user: User | None  # None: a client_credentials token
    scope: list[str]
    params: dict[str, str]
    auth_time: float | None = None  # when the user logged in (OIDC Core §2 auth_time)


@dataclass(slots=True)  # held by the thousand: no per-object __dict__
class Code:
    grant: Grant
    redirect_uri: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    used: bool = False
    issued_tokens: list[str] = field(default_factory=list)


@dataclass(slots=True)  # held by the thousand: no per-object __dict__
class Token:
    grant: Grant
    expires_at: float | None  # None: never expires
    revoked: bool = False
    refresh_token: str | None = None


@dataclass(slots=True)  # held by the thousand: no per-object __dict__
class RefreshToken:
    grant: Grant
    revoked: bool = False
    rotated_to: str | None = None
    rotated_at: float = 0.0


RequestParts = tuple[dict[str, str], dict[str, str], dict[str, str]]
_CAPTURE_LOCK = threading.Lock()


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
    size: int = 0  # bytes of request text held (headers, query, stored body): the byte cap
    _parts: RequestParts | None = field(default=None, repr=False, compare=False)

    def _request(self) -> RequestParts:
        if self._parts is None:
            with _CAPTURE_LOCK:  # read outside the store's lock (control API), maybe twice at once
                if self._parts is None:
                    capture, self.capture = self.capture, None  # the raw request goes once read
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
        self._second_key: SigningKey | None = None  # the key rotation faults sign with
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
            self.retired = Retired()  # what became of codes and tokens no longer held
            self.codes: CappedDict[Code] = CappedDict(MAX_CODES, self.retired)
            self.tokens: CappedDict[Token] = CappedDict(MAX_TOKENS, self.retired)
            self.refresh_tokens: CappedDict[RefreshToken] = CappedDict(MAX_TOKENS, self.retired)
            self._issued_since_sweep = 0
            self.exchanges: deque[Exchange] = deque()
            self.exchange_bytes = 0
            self.exchanges_dropped = 0
            self.findings: deque[Finding] = deque()
            self.findings_dropped = 0
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

    def warm_up(self) -> None:
        """Make now what a server's first request would otherwise wait for: the ID-token
        signing key when an OpenID Connect provider is served (RSA key generation)."""
        if any(p.oidc is not None for p in self.providers.values()):
            self.signing_key()

    def second_signing_key(self) -> SigningKey:
        """Another key, for the key-rotation faults (:mod:`.oidc_faults`); reset() keeps it."""
        with self.lock:
            if self._second_key is None:
                self._second_key = SigningKey.generate()
            return self._second_key

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
            self._count_issue()
            self.codes[value] = code
        return value

    def _count_issue(self) -> None:
        self._issued_since_sweep += 1
        if self._issued_since_sweep >= SWEEP_EVERY:
            self.sweep()

    def sweep(self) -> int:
        """Drop expired (by the IdP's clock) and revoked codes and tokens; how many went.

        A rotated refresh token stays until the cap evicts it: its reuse is a
        finding of its own (oauth2.token.refresh_rotated).
        """
        with self.lock:
            self._issued_since_sweep = 0
            now = self.now()
            gone = [(v, "expired") for v, c in self.codes.items() if c.expires_at <= now]
            for value, why in gone:
                self.codes.retire(value, why)
            dead = [
                (v, "revoked" if t.revoked else "expired")
                for v, t in self.tokens.items()
                if t.revoked or (t.expires_at is not None and t.expires_at <= now)
            ]
            for value, why in dead:
                self.tokens.retire(value, why)
            revoked = [v for v, r in self.refresh_tokens.items() if r.revoked and not r.rotated_to]
            for value in revoked:
                self.refresh_tokens.retire(value, "revoked")
            return len(gone) + len(dead) + len(revoked)

    def why_gone(self, value: str | None) -> str | None:
        """What became of a code or token no longer held (expired, revoked, evicted), if known."""
        with self.lock:
            return self.retired.why(value)

    def issue_token(self, grant: Grant, lifetime: int, with_refresh: bool) -> tuple[str, Token]:
        value = self.new_secret(32)
        token = Token(grant, self.now() + lifetime if lifetime else None)
        if with_refresh:
            token.refresh_token = self.new_secret(32)
        with self.lock:
            self._count_issue()
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
        """Keep ``exchange``, dropping the oldest past the count and byte caps."""
        exchange.size += EXCHANGE_OVERHEAD
        with self.lock:
            exchange.id = self._next_exchange
            self._next_exchange += 1
            self.exchanges.append(exchange)
            self.exchange_bytes += exchange.size
            while len(self.exchanges) > 1 and (
                len(self.exchanges) > MAX_EXCHANGES or self.exchange_bytes > MAX_EXCHANGE_BYTES
            ):
                self.exchange_bytes -= self.exchanges.popleft().size
                self.exchanges_dropped += 1
        return exchange

    def add_finding(self, finding: Finding) -> int:
        """Keep ``finding``; its index counts every finding since the reset, dropped or not."""
        with self.lock:
            self.findings.append(finding)
            if len(self.findings) > MAX_FINDINGS:
                self.findings.popleft()
                self.findings_dropped += 1
            return self.findings_dropped + len(self.findings) - 1

    def finding(self, index: int) -> Finding | None:
        """The finding at ``index`` (as :meth:`add_finding` gave it), None once dropped."""
        with self.lock:
            position = index - self.findings_dropped
            return self.findings[position] if 0 <= position < len(self.findings) else None

    def usage(self) -> dict[str, Any]:
        """What the store holds and what its caps evicted or dropped (docs/limits.md)."""
        with self.lock:
            return {
                "codes": len(self.codes),
                "access_tokens": len(self.tokens),
                "refresh_tokens": len(self.refresh_tokens),
                "exchanges": len(self.exchanges),
                "exchange_bytes": self.exchange_bytes,
                "findings": len(self.findings),
                "evicted": {
                    "codes": self.codes.evicted,
                    "access_tokens": self.tokens.evicted,
                    "refresh_tokens": self.refresh_tokens.evicted,
                },
                "dropped": {
                    "exchanges": self.exchanges_dropped,
                    "findings": self.findings_dropped,
                },
            }
