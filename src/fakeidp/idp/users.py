"""Test users: several per provider, each with profile fields and OIDC claims.

One JSON shape everywhere (the config file, the control API, the Python handle)::

    {"login": "alice", "profile": {...}, "claims": {...}, "default": true}

``profile`` is the provider's own profile shape (its fixture's ``[user.profile]``);
its keys merge over the user's current ones. ``claims`` are extra OpenID Connect
claims put into the ID token and the UserInfo answer, over the mapped ones.
``default`` makes the user the one a login returns when nothing chooses one.

A provider has a default user (``store.users[pid]``, the fixture's test user
unless changed) and any number of others (``store.other_users[pid]``, by login).
A login chooses one by ``login_hint`` (X: ``screen_name``) or on the login page.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..info import user_id
from ..providers.model import Provider
from .store import Store, User

FIELDS = ("login", "profile", "claims", "default")


class UserError(ValueError):
    """A user's JSON is wrong; ``field`` names the key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class UserSpec:
    login: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    default: bool = False


def parse(data: Any, *, allowed: tuple[str, ...] = FIELDS, prefix: str = "") -> UserSpec:
    """Check a user's JSON object; every mistake names its key (``prefix`` + key)."""
    if not isinstance(data, Mapping):
        raise UserError(prefix.rstrip(".") or "body", "expected an object")
    for key in data:
        if key not in allowed:
            raise UserError(f"{prefix}{key}", f"is not a known field (known: {', '.join(allowed)})")
    login = data.get("login")
    if login is not None and (not isinstance(login, str) or not login.strip()):
        raise UserError(f"{prefix}login", f"expected a non-empty string, got {login!r}")
    out: dict[str, dict[str, Any]] = {}
    for key in ("profile", "claims"):
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            raise UserError(f"{prefix}{key}", f"expected an object, got {type(value).__name__}")
        out[key] = copy.deepcopy(dict(value))
    default = data.get("default", False)
    if not isinstance(default, bool):
        raise UserError(f"{prefix}default", f"expected true or false, got {default!r}")
    return UserSpec(login and login.strip(), out["profile"], out["claims"], default)


def to_dict(user: User, default: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "login": user.login,
        "profile": copy.deepcopy(user.profile),
        "claims": copy.deepcopy(user.claims),
    }
    if default is not None:
        out["default"] = default
    return out


def all_users(store: Store, pid: str) -> list[User]:
    """The default user first, then the others in the order they were added."""
    with store.lock:
        return [store.users[pid], *store.other_users.get(pid, {}).values()]


def find(store: Store, pid: str, login: str | None) -> User | None:
    if not login:
        return None
    with store.lock:
        default = store.users[pid]
        return default if default.login == login else store.other_users.get(pid, {}).get(login)


def for_login(store: Store, pid: str, hint: str | None) -> User:
    """The user a login returns: the one ``hint`` names, else the default."""
    return find(store, pid, hint) or store.user(pid)


def update_default(store: Store, pid: str, spec: UserSpec) -> User:
    """Change the default user: a new login renames it (its id stays), the rest merges."""
    with store.lock:
        current = store.users[pid]
        if spec.login and spec.login != current.login and find(store, pid, spec.login):
            raise UserError("login", f"{spec.login!r} is already another user of {pid}")
        user = User(
            spec.login or current.login,
            {**current.profile, **spec.profile},
            {**current.claims, **spec.claims},
        )
        store.users[pid] = user
        return user


def put(store: Store, provider: Provider, spec: UserSpec) -> User:
    """Add the user ``spec.login``, or merge into the one of that name."""
    if not spec.login:
        raise UserError("login", "is required")
    pid = provider.id
    with store.lock:
        others = store.other_users.setdefault(pid, {})
        current = find(store, pid, spec.login)
        if current is None:
            current = _new_user(store, provider, spec.login)
        user = User(
            current.login,
            {**current.profile, **spec.profile},
            {**current.claims, **spec.claims},
        )
        if store.users[pid].login == user.login:
            store.users[pid] = user
        elif spec.default:
            old = store.users[pid]
            others.pop(user.login, None)
            store.users[pid] = user
            others[old.login] = old
        else:
            others[user.login] = user
        return user


def remove(store: Store, pid: str, login: str) -> None:
    with store.lock:
        if store.users[pid].login == login:
            raise UserError("login", f"{login!r} is the default user of {pid}; it stays")
        if store.other_users.get(pid, {}).pop(login, None) is None:
            raise UserError("login", f"{pid} has no user {login!r}")


def _new_user(store: Store, provider: Provider, login: str) -> User:
    """The fixture's test user under a new login and with an id of its own."""
    base = provider.user
    old_id = user_id(provider)
    taken = {user_id(provider, u.login, u.profile) for u in all_users(store, provider.id)}
    new_id = _fresh_id(old_id, login, taken)

    def follow(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: follow(v) for k, v in value.items()}
        if isinstance(value, list):
            return [follow(v) for v in value]
        if value == base.login:
            return login
        if old_id is not None and not isinstance(value, bool) and str(value) == old_id:
            return int(new_id) if isinstance(value, int) else new_id
        return value

    return User(login, follow(copy.deepcopy(base.profile)))


def _fresh_id(old_id: str | None, login: str, taken: set[str | None]) -> str:
    if old_id and old_id.isdigit():
        n = int(old_id) + 1
        while str(n) in taken:
            n += 1
        return str(n)
    candidate = f"{old_id}-{login}" if old_id and old_id != login else f"{login}-id"
    while candidate in taken:
        candidate += "-2"
    return candidate


def edited(user: User, text: str, *, with_claims: bool) -> User:
    """``user`` with the profile (and claims) a tester typed on the login page, as JSON."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UserError("profile JSON", f"is not valid JSON: {exc}") from None
    allowed = ("profile", "claims") if with_claims else ("profile",)
    spec = parse(data, allowed=allowed)
    profile = spec.profile if "profile" in data else user.profile
    claims = spec.claims if "claims" in data else user.claims
    return User(user.login, profile, claims)


def page_json(user: User, *, with_claims: bool) -> str:
    """What the login page's editor starts with for ``user``."""
    data: dict[str, Any] = {"profile": user.profile}
    if with_claims:
        data["claims"] = user.claims
    return json.dumps(data, indent=2, ensure_ascii=False)
