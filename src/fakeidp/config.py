"""The ``fakeidp serve --config FILE`` file (TOML): clients, users, strictness, faults.

The format is documented in ``docs/config.md`` (example:
``examples/fakeidp.toml``). Every mistake is one :class:`ConfigError` naming
the file, the dotted key and what was expected, the way provider fixtures
report theirs. A loaded :class:`Config` is applied to a store at every reset,
so ``POST /_fakeidp/reset`` returns to the configured start state.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .idp.faults import Fault, FaultError
from .idp.store import Client, Store
from .providers.loader import builtin_providers
from .providers.model import Provider

MODES = ("strict", "lenient")


class ConfigError(ValueError):
    """A config file is wrong; the message names file and key."""

    def __init__(self, file: str, key: str | None, message: str) -> None:
        self.file, self.key = file, key
        where = f"key '{key}': " if key else ""
        super().__init__(f"{file}: {where}{message}")


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    client_secret: str | None
    redirect_uris: tuple[str, ...] = ()
    rsa_public_key: str | None = None


@dataclass(frozen=True)
class ProviderConfig:
    strict: bool | None = None  # None: follow the global mode
    redirect_uris: tuple[str, ...] = ()  # registered on the default test client
    clients: tuple[ClientConfig, ...] = ()
    login: str | None = None
    profile: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    source: str
    strict: bool | None = None  # None: as the command line says
    providers: Mapping[str, ProviderConfig] = field(default_factory=dict)
    faults: tuple[Fault, ...] = ()
    interactive: bool | None = None  # None: as the command line says
    control_token: str | None = None  # serve: the control API's bearer token (docs/security.md)

    def apply(self, store: Store) -> None:
        """Put the configuration into ``store``; providers it does not serve are skipped."""
        with store.lock:
            if self.strict is not None:
                store.strict = self.strict
            if self.interactive is not None:
                store.interactive = self.interactive
            for pid, pc in self.providers.items():
                provider = store.providers.get(pid)
                if provider is None:
                    continue
                if pc.strict is not None:
                    store.strict_by_provider[pid] = pc.strict
                default = store.client(pid, provider.client.client_id)
                if default is not None:
                    default.redirect_uris.extend(pc.redirect_uris)
                for c in pc.clients:
                    store.register_client(
                        pid,
                        Client(
                            c.client_id, c.client_secret, list(c.redirect_uris), c.rsa_public_key
                        ),
                    )
                if pc.login is not None or pc.profile:
                    store.set_user(pid, pc.login, **pc.profile)
            for fault in self.faults:
                if fault.provider in store.providers:
                    store.faults.add(fault)

    def install(self, store: Store) -> None:
        """Apply now and after every reset."""
        store.setup.append(self.apply)
        store.reset()

    def summary(self) -> str:
        clients = sum(len(p.clients) for p in self.providers.values())
        users = sum(1 for p in self.providers.values() if p.login is not None or p.profile)
        return f"{clients} client(s), {users} user(s), {len(self.faults)} fault(s)"


class _Table:
    """Typed access to one TOML table; errors name the dotted key."""

    def __init__(self, file: str, table: Mapping[str, Any], prefix: str = "") -> None:
        self.file, self.table, self.prefix = file, table, prefix

    def fail(self, name: str, message: str) -> ConfigError:
        return ConfigError(self.file, f"{self.prefix}{name}", message)

    def allow(self, *names: str) -> None:
        for key in self.table:
            if key not in names:
                raise self.fail(key, f"is not a known key (expected one of {', '.join(names)})")

    def string(self, name: str, required: bool = False) -> str | None:
        value = self.table.get(name)
        if value is None:
            if required:
                raise self.fail(name, "is missing; expected a string")
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(name, f"expected a non-empty string, got {value!r}")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(name, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def mode(self, name: str) -> bool | None:
        value = self.table.get(name)
        if value is None:
            return None
        if value not in MODES:
            raise self.fail(name, f"expected 'strict' or 'lenient', got {value!r}")
        return bool(value == "strict")

    def sub(self, name: str) -> _Table:
        value = self.table.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(name, f"expected a table, got {type(value).__name__}")
        return _Table(self.file, value, f"{self.prefix}{name}.")

    def subs(self, name: str) -> list[_Table]:
        value = self.table.get(name, [])
        if not isinstance(value, list):
            raise self.fail(name, f"expected an array of tables ([[{self.prefix}{name}]])")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{name}[{i}]", "expected a table")
            out.append(_Table(self.file, item, f"{self.prefix}{name}[{i}]."))
        return out


def load_config(path: str | Path, known: Mapping[str, Provider] | None = None) -> Config:
    """Read and check a config file; ``known`` defaults to the shipped providers."""
    file = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(file, None, f"cannot read: {reason}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, None, f"not valid TOML: {exc}") from None
    return parse_config(data, file, dict(builtin_providers()) if known is None else known)


def parse_config(data: Mapping[str, Any], file: str, known: Mapping[str, Provider]) -> Config:
    top = _Table(file, data)
    top.allow("mode", "interactive", "providers", "faults", "control_token")
    providers: dict[str, ProviderConfig] = {}
    for pid in top.sub("providers").table:
        if pid not in known:
            raise top.fail(
                f"providers.{pid}", f"unknown provider; known: {', '.join(sorted(known))}"
            )
        providers[pid] = _provider(top.sub("providers").sub(pid))
    faults = []
    for i, table in enumerate(top.subs("faults")):
        faults.append(_fault(table, i, known))
    interactive = top.table.get("interactive")
    if interactive is not None and not isinstance(interactive, bool):
        raise top.fail("interactive", f"expected true or false, got {interactive!r}")
    control_token = top.string("control_token")
    return Config(file, top.mode("mode"), providers, tuple(faults), interactive, control_token)


def _provider(t: _Table) -> ProviderConfig:
    t.allow("mode", "redirect_uris", "clients", "user")
    clients = []
    for c in t.subs("clients"):
        c.allow("client_id", "client_secret", "redirect_uris", "rsa_public_key")
        client_id = c.string("client_id", required=True)
        assert client_id is not None
        clients.append(
            ClientConfig(
                client_id,
                c.string("client_secret"),
                c.strings("redirect_uris"),
                c.string("rsa_public_key"),
            )
        )
    user = t.sub("user")
    user.allow("login", "profile")
    return ProviderConfig(
        strict=t.mode("mode"),
        redirect_uris=t.strings("redirect_uris"),
        clients=tuple(clients),
        login=user.string("login"),
        profile=_json_values(user.sub("profile").table),
    )


def _fault(t: _Table, index: int, known: Mapping[str, Provider]) -> Fault:
    try:
        fault = Fault.from_dict(t.table)
        provider = known.get(fault.provider)
        if provider is None:
            raise FaultError("provider", f"unknown provider {fault.provider!r}")
        fault.check(provider)
    except FaultError as exc:
        raise t.fail(exc.field, exc.message) from None
    return fault


def _json_values(value: Any) -> Any:
    """TOML's dates and times as RFC 3339 strings: a profile is served as JSON."""
    if isinstance(value, dict):
        return {k: _json_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_values(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    return value
