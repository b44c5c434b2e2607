"""Fault injection: make the fake IdP fail the way real providers fail.

A :class:`Fault` names a provider, optionally one of its endpoints (none: the
next endpoint where the fault makes sense), a kind, and how often it applies
(once by default, ``times=N``, or ``persistent=True`` until cleared). The same
fields arrive from the Python handle (``idp.fault("uber", "token",
kind="status", status=503)``), a pytest marker's keyword arguments, the control
API (``POST /_fakeidp/faults``) and the ``[[faults]]`` of a config file; every
path goes through :meth:`Fault.from_dict` or the dataclass itself, so a bad
field is reported the same way everywhere (:class:`FaultError` names it).

Every provider endpoint runs through
:func:`fakeidp.idp.fault_answers.answer_with_faults`, which applies the first
armed fault for the request; an applied fault is recorded on the request's
Exchange (``exchange.fault``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from ..providers.model import Provider
from . import oidc_faults

if TYPE_CHECKING:
    from .store import Store

FaultKind = Literal[
    "oauth_error",
    "status",
    "delay",
    "malformed",
    "truncated",
    "missing_field",
    "expired_token",
    "revoked_token",
    "rate_limit",
    # OpenID Connect and legal-but-unusual answers: fakeidp.idp.oidc_faults
    "id_token_bad_signature",
    "id_token_alg_none",
    "id_token_issuer",
    "id_token_audience",
    "id_token_audiences",
    "id_token_expired",
    "id_token_iat_future",
    "id_token_no_sub",
    "id_token_nonce",
    "id_token_no_nonce",
    "id_token_no_kid",
    "id_token_no_kid_several_keys",
    "id_token_key_rotated",
    "userinfo_sub",
    "discovery_issuer",
    "authorization_iss_wrong",
    "token_type_case",
    "scope_format",
    "expires_in_string",
    "extra_fields",
    "no_new_refresh_token",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
Role = Literal["authorize", "oauth", "api"]

# The options each kind takes besides provider, endpoint, kind, times, persistent.
KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "oauth_error": ("error", "description", "status", "error_uri"),
    "status": ("status", "error", "description"),
    "delay": ("seconds",),
    "malformed": ("body",),
    "truncated": (),
    "missing_field": ("field",),
    "expired_token": (),
    "revoked_token": (),
    "rate_limit": ("retry_after",),
    **dict.fromkeys(oidc_faults.KINDS, ()),
}
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "oauth_error": ("error",),
    "status": ("status",),
    "delay": ("seconds",),
    "missing_field": ("field",),
}
COMMON_FIELDS = ("provider", "endpoint", "kind", "times", "persistent")
ALL_FIELDS = COMMON_FIELDS + tuple(sorted({o for opts in KIND_OPTIONS.values() for o in opts}))
# Kinds that make sense where, by the endpoint's role: the browser-facing authorize
# endpoint, the OAuth endpoints answering the client (token, revoke, request_token,
# access_token), and the emulated APIs.
KINDS_BY_ROLE: dict[str, frozenset[str]] = {
    "authorize": frozenset({"oauth_error", "status", "delay", "missing_field", "rate_limit"}),
    "oauth": frozenset(FAULT_KINDS) - {"expired_token", "revoked_token"} - set(oidc_faults.KINDS),
    "api": frozenset(FAULT_KINDS) - set(oidc_faults.KINDS),
}
DEFAULT_RETRY_AFTER = 60
MAX_DELAY = 300.0  # a delay holds a server thread; longer is a mistake


class FaultError(ValueError):
    """A fault description is wrong; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


def _check(name: str, value: Any, kind: type | tuple[type, ...], what: str) -> None:
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise FaultError(name, f"expected {what}, got {value!r}")
    if not isinstance(value, kind):
        raise FaultError(name, f"expected {what}, got {type(value).__name__} {value!r}")


@dataclass(frozen=True)
class Fault:
    """One failure to inject; see the module docstring and README "Fault injection"."""

    provider: str
    kind: FaultKind
    endpoint: str | None = None  # None: the next endpoint of the provider where it applies
    times: int = 1  # how many matching requests it answers
    persistent: bool = False  # every matching request until cleared (``times`` is ignored)
    error: str | None = None  # oauth_error, status: the OAuth error code
    description: str | None = None  # oauth_error, status: error_description
    status: int | None = None  # status: the HTTP status; oauth_error: overrides the shape's
    seconds: float | None = None  # delay
    field: str | None = None  # missing_field: a key (dotted path) or a redirect parameter
    body: str | None = None  # malformed: the text to answer with
    retry_after: int | None = None  # rate_limit: the Retry-After seconds (default 60)
    error_uri: str | None = None  # oauth_error: an error_uri (RFC 6749 §4.1.2.1, §5.2)

    def __post_init__(self) -> None:
        _check("provider", self.provider, str, "a provider id")
        if self.kind not in FAULT_KINDS:
            raise FaultError("kind", f"expected one of {', '.join(FAULT_KINDS)}; got {self.kind!r}")
        if self.endpoint is not None:
            _check("endpoint", self.endpoint, str, "an endpoint name or null")
        _check("times", self.times, int, "an integer >= 1")
        if self.times < 1:
            raise FaultError("times", f"expected an integer >= 1, got {self.times}")
        _check("persistent", self.persistent, bool, "true or false")
        takes = KIND_OPTIONS[self.kind]
        for name in ALL_FIELDS[len(COMMON_FIELDS) :]:
            if getattr(self, name) is not None and name not in takes:
                raise FaultError(
                    name,
                    f"does not apply to kind {self.kind!r}"
                    + (f" (it takes {', '.join(takes)})" if takes else " (it takes no options)"),
                )
        for name in REQUIRED_OPTIONS.get(self.kind, ()):
            if getattr(self, name) is None:
                raise FaultError(name, f"is required for kind {self.kind!r}")
        for name in ("error", "field"):
            value = getattr(self, name)
            if value is not None:
                _check(name, value, str, "a non-empty string")
                if not value:
                    raise FaultError(name, "expected a non-empty string")
        for name in ("description", "body", "error_uri"):
            if getattr(self, name) is not None:
                _check(name, getattr(self, name), str, "a string")
        if self.status is not None:
            _check("status", self.status, int, "an HTTP status from 400 to 599")
            if not 400 <= self.status <= 599:
                raise FaultError(
                    "status", f"expected an HTTP status from 400 to 599, got {self.status}"
                )
        if self.seconds is not None:
            _check("seconds", self.seconds, (int, float), "a number of seconds")
            if not 0 < self.seconds <= MAX_DELAY:
                raise FaultError("seconds", f"expected more than 0 and at most {MAX_DELAY:g}")
        if self.kind == "rate_limit":
            if self.retry_after is None:
                object.__setattr__(self, "retry_after", DEFAULT_RETRY_AFTER)
            _check("retry_after", self.retry_after, int, "a whole number of seconds")
            if self.retry_after is not None and self.retry_after < 0:
                raise FaultError("retry_after", "expected a whole number of seconds >= 0")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fault:
        """A Fault from a marker's kwargs, a control API body or a config table."""
        if not isinstance(data, Mapping):
            raise FaultError("body", "expected an object of fault fields")
        for key in data:
            if key not in ALL_FIELDS:
                raise FaultError(str(key), f"is not a fault field; known: {', '.join(ALL_FIELDS)}")
        for key in ("provider", "kind"):
            if key not in data:
                raise FaultError(key, "is required")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set; ``Fault.from_dict(f.to_dict()) == f``."""
        out = dataclasses.asdict(self)
        return {k: v for k, v in out.items() if v is not None or k == "endpoint"}

    def check(self, provider: Provider) -> None:
        """Raise FaultError unless this fault can apply to ``provider``'s endpoints."""
        names = endpoint_names(provider)
        if self.endpoint is not None:
            if self.endpoint not in names:
                raise FaultError(
                    "endpoint",
                    f"{provider.id} has no endpoint {self.endpoint!r}; it has {', '.join(names)}",
                )
            if not applies(self.kind, provider, self.endpoint):
                where = [n for n in names if applies(self.kind, provider, n)]
                raise FaultError(
                    "kind",
                    f"{self.kind} does not apply at {provider.id} {self.endpoint}"
                    + (f"; it applies at {', '.join(where)}" if where else ""),
                )
        elif not any(applies(self.kind, provider, n) for n in names):
            raise FaultError("kind", f"{self.kind} applies at no endpoint of {provider.id}")


def endpoint_names(provider: Provider) -> list[str]:
    return list(provider.endpoints) + [p.endpoint.name for p in provider.profiles]


def role_of(provider: Provider, endpoint: str) -> Role:
    if any(p.endpoint.name == endpoint for p in provider.profiles):
        return "api"
    if endpoint in ("authorize", "authenticate"):
        return "authorize"
    return "oauth"


def applies(kind: str, provider: Provider, endpoint: str) -> bool:
    if kind in oidc_faults.KINDS:
        return oidc_faults.applies(kind, provider, endpoint)
    role = role_of(provider, endpoint)
    if role == "authorize" and kind == "oauth_error" and provider.protocol != "oauth2":
        return False  # OAuth 1.0a has no error redirect (RFC 5849 §2.2)
    if endpoint == "revoke" and kind in ("malformed", "truncated", "missing_field"):
        return False  # RFC 7009 §2.2: the answer is a bare 200, no body to alter
    return kind in KINDS_BY_ROLE[role]


@dataclass
class InjectedFault:
    """A fault in the store: its id, how many uses remain (None: persistent), how many applied."""

    id: int
    fault: Fault
    remaining: int | None
    applied: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.fault.to_dict(),
            "remaining": self.remaining,
            "applied": self.applied,
        }


class FaultSet:
    """The injected faults of one store, in the order they were injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[InjectedFault] = []
        self._next_id = 1

    def add(self, fault: Fault) -> InjectedFault:
        with self._lock:
            injected = InjectedFault(
                self._next_id, fault, None if fault.persistent else fault.times
            )
            self._next_id += 1
            self._items.append(injected)
            return injected

    def all(self, provider: str | None = None) -> list[InjectedFault]:
        with self._lock:
            return [f for f in self._items if provider is None or f.fault.provider == provider]

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._items)
            self._items = [f for f in self._items if f.id != fault_id]
            return len(self._items) != before

    def clear(self, provider: str | None = None) -> int:
        with self._lock:
            kept = [f for f in self._items if provider is not None and f.fault.provider != provider]
            removed = len(self._items) - len(kept)
            self._items = kept
            return removed

    def take(self, provider: Provider, endpoint: str) -> InjectedFault | None:
        """The first armed fault for this request, with one use taken."""
        with self._lock:
            for injected in self._items:
                f = injected.fault
                if (
                    f.provider == provider.id
                    and (f.endpoint is None or f.endpoint == endpoint)
                    and (injected.remaining is None or injected.remaining > 0)
                    and applies(f.kind, provider, endpoint)
                ):
                    if injected.remaining is not None:
                        injected.remaining -= 1
                    injected.applied += 1
                    return injected
            return None

    def give_back(self, injected: InjectedFault) -> None:
        """The answer had nothing for the fault to alter: it stays armed."""
        with self._lock:
            if injected.remaining is not None:
                injected.remaining += 1
            injected.applied -= 1


def inject(store: Store, fault: Fault | Mapping[str, Any]) -> InjectedFault:
    """Validate ``fault`` against the store's providers and arm it."""
    if not isinstance(fault, Fault):
        fault = Fault.from_dict(fault)
    provider = store.providers.get(fault.provider)
    if provider is None:
        raise FaultError(
            "provider",
            f"unknown provider {fault.provider!r}; served: {', '.join(sorted(store.providers))}",
        )
    fault.check(provider)
    return store.faults.add(fault)
