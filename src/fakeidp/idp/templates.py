"""Fill in the ``${...}`` placeholders of fixture templates.

See ``provider_fixtures/README.md`` (Templates). A string that is exactly one
placeholder keeps the value's type; placeholders inside longer strings are
formatted into the string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_MISSING = object()


def lookup(data: Any, path: str) -> Any:
    """Follow a dotted path (``data.0.id``) through dicts and lists; _MISSING if absent."""
    current = data
    for part in path.split(".") if path else ():
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif (
            isinstance(current, list)
            and part.isascii()
            and part.isdigit()
            and int(part) < len(current)
        ):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def get_path(data: Any, path: str) -> Any | None:
    """Like :func:`lookup`, but ``None`` when the path is absent."""
    value = lookup(data, path)
    return None if value is _MISSING else value


def _resolve(expr: str, context: Mapping[str, Any]) -> Any:
    if expr.endswith(":str"):
        value = _resolve(expr[:-4], context)
        return None if value is None else str(value)
    for alternative in expr.split("|"):
        name, _, rest = alternative.strip().partition(".")
        if name == "user":
            value = lookup(context.get("profile"), rest)
        elif name == "param":
            value = context.get("params", {}).get(rest, _MISSING)
        else:
            value = context.get(alternative.strip(), _MISSING)
        if value is not _MISSING and value not in ("", None):
            return value
    return None


def render(template: Any, context: Mapping[str, Any]) -> Any:
    """A deep copy of ``template`` with every placeholder filled from ``context``."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            return _resolve(whole.group(1), context)
        return _PLACEHOLDER.sub(lambda m: _text(_resolve(m.group(1), context)), template)
    if isinstance(template, Mapping):
        return {k: render(v, context) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, context) for v in template]
    return template


def _text(value: Any) -> str:
    return "" if value is None else str(value)
