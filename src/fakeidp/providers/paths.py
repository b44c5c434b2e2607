"""Small fixture readers: tables of strings, and the path parameters of profile URLs.

A ``[[profile]]`` URL may hold whole ``{name}`` segments (Jira Cloud's
``/ex/jira/{cloudid}/rest/api/3/myself``); ``path_params`` gives each one the template of the
value the user's grant reaches (provider_fixtures/README.md, ``[[profile]]``).
"""

from __future__ import annotations

import re
from types import MappingProxyType

from .reader import Reader as _Reader


def string_values(r: _Reader, key: str) -> MappingProxyType[str, str]:
    """A table of ``name = "string"``; a value of another type names the key."""
    table = r.get(key, dict, {})
    for name, value in table.items():
        if not isinstance(value, str):
            raise r.fail(f"{key}.{name}", f"expected a string, got {value!r}")
    return MappingProxyType(dict(table))


_SEGMENT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def path_params(p: _Reader, path: str) -> MappingProxyType[str, str]:
    """``path_params``: one template per ``{name}`` segment of the URL, and no other."""
    params = string_values(p, "path_params")
    named = []
    for segment in path.split("/"):
        if "{" in segment or "}" in segment:
            match = _SEGMENT.fullmatch(segment)
            if match is None:
                raise p.fail(
                    "url", f"a path parameter must be a whole segment /{{name}}, got {path!r}"
                )
            named.append(match.group(1))
    for name in named:
        if name not in params:
            raise p.fail("path_params", f"has no template for {{{name}}} in the URL {path!r}")
    for name in params:
        if name not in named:
            raise p.fail(f"path_params.{name}", f"the URL {path!r} has no {{{name}}} segment")
    return params
