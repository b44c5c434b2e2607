"""Typed reading of one TOML table of a provider fixture, with errors naming file and key.

The loader (:mod:`fakeidp.providers.loader`) and the ``[oauth1]`` reader
(:mod:`fakeidp.providers.oauth1`) both read tables through :class:`Reader`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


class FixtureError(ValueError):
    """A provider fixture file is wrong; the message names file and key."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key = file, key
        super().__init__(f"{file}: key '{key}': {message}")


class Reader:
    """Typed access to one TOML table, with errors that name file and key."""

    def __init__(self, file: str, table: Mapping[str, Any], prefix: str = "") -> None:
        self.file, self.table, self.prefix = file, table, prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, message: str) -> FixtureError:
        return FixtureError(self.file, self.key(name), message)

    def get(self, name: str, kind: type[T], default: Any = ..., what: str = "") -> T:
        self.used.add(name)
        if name not in self.table:
            if default is ...:
                raise self.fail(name, f"is missing; expected {what or kind.__name__}")
            return default  # type: ignore[no-any-return]
        value = self.table[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(
                name,
                f"expected {what or kind.__name__}, got {type(value).__name__} {value!r}",
            )
        return value

    def strings(self, name: str, default: Any = ...) -> tuple[str, ...]:
        value = self.get(name, list, default, what="a list of strings")
        if not all(isinstance(v, str) for v in value):
            raise self.fail(name, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def choice(self, name: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.get(name, str, default)
        if value not in choices:
            raise self.fail(name, f"expected one of {', '.join(choices)}; got {value!r}")
        return value

    def sub(self, name: str, default: Any = ...) -> Reader:
        table = self.get(name, dict, default, what="a table")
        return Reader(self.file, table, f"{self.key(name)}.")

    def subs(self, name: str) -> list[Reader]:
        tables = self.get(name, list, [], what="an array of tables")
        out = []
        for i, table in enumerate(tables):
            if not isinstance(table, dict):
                raise self.fail(f"{name}[{i}]", "expected a table")
            out.append(Reader(self.file, table, f"{self.key(name)}[{i}]."))
        return out

    def check_unknown(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.fail(unknown[0], "is not a known key (see provider_fixtures/README.md)")
