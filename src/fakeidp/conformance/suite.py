"""The shipped conformance suite (``conformance/``): where it is and its per-provider settings.

The directory sits at the top of the source tree and inside the wheel
(``fakeidp/_data/conformance``), found the same way as the provider fixtures.
``settings.toml`` there says how the connector under test is configured for
each provider (:class:`~fakeidp.conformance.environment.Settings`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..providers.loader import FixtureError
from ..providers.model import Provider
from ..resources import shipped_dir
from .environment import Settings

SETTING_KEYS = ("scopes", "static_params", "dynamic_params", "login_params", "token_headers")


def suite_dir() -> Path:
    """The shipped suite: inside the wheel, or the source tree's top level."""
    return shipped_dir("conformance")


def suite_file() -> Path:
    return suite_dir() / "test_fakeidp_conformance.py"


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise FixtureError(str(path), "(document)", f"not valid TOML: {exc}") from None


def _table(file: str, data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """One settings table, its keys and value types checked; errors name file and key."""
    result: dict[str, Any] = {}
    for name, value in data.items():
        where = f"{key}.{name}"
        if name not in SETTING_KEYS:
            raise FixtureError(
                file, where, f"unknown key; expected one of {', '.join(SETTING_KEYS)}"
            )
        if name == "scopes":
            if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
                raise FixtureError(file, where, "expected an array of strings")
            result[name] = tuple(value)
        else:
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise FixtureError(file, where, "expected a table of strings")
            result[name] = dict(value)
    return result


def load_settings(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """``{"default": {...}, "<provider id>": {...}}`` from the suite's settings.toml."""
    path = path or suite_dir() / "settings.toml"
    data = _read(path)
    out = {"default": _table(str(path), data.get("default", {}), "default")}
    providers = data.get("providers", {})
    if not isinstance(providers, dict):
        raise FixtureError(str(path), "providers", "expected a table of provider tables")
    for pid, table in providers.items():
        if not isinstance(table, dict):
            raise FixtureError(str(path), f"providers.{pid}", "expected a table")
        out[pid] = _table(str(path), table, f"providers.{pid}")
    return out


def default_settings(
    provider: Provider, table: Mapping[str, Mapping[str, Any]] | None = None
) -> Settings:
    """How the suite configures a connector for ``provider``."""
    table = table if table is not None else load_settings()
    values: dict[str, Any] = {**table.get("default", {}), **table.get(provider.id, {})}
    rules = provider.oauth2
    if "scopes" not in values and rules is not None and not rules.scope_ignored:
        values["scopes"] = rules.default_scope
    scopes = tuple(values.get("scopes", ()))
    if rules is not None and rules.scope_ignored:
        scopes = ()
    if scopes and rules is not None:
        # X: /2/users/me needs tweet.read and users.read; refresh tokens need offline.access.
        profile = provider.primary_profile
        for needed in (
            *(profile.scopes.asked() if profile.scopes else ()),
            rules.refresh_requires_scope,
        ):
            if needed and needed not in scopes:
                scopes = (*scopes, needed)
    values["scopes"] = scopes
    if provider.protocol != "oauth2":
        values.pop("token_headers", None)
    return Settings(**values)
