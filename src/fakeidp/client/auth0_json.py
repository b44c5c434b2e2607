"""JSON as Auth0's docs print it, and the two slips in their published examples.

The connection bodies in "Generic OAuth 1.0 and 2.0 Examples"
(shared/seeds/002) are not valid JSON as printed:

- ``{ "client_id", "YOUR-..."`` has a comma where the colon belongs;
- most stop inside the ``fetchUserProfile`` string, without its closing quote
  and the ``}`` of ``scripts``, ``options`` and the body.

:func:`parse_json` says exactly where such a slip is and, when asked to be
forgiving, repairs those two and nothing else. Literal newlines inside strings
are accepted (``strict=False``): the JIRA body has them once decoded from the HAR.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .connection import ConnectionError

_KEY_BEFORE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*$', re.S)


def parse_json(
    text: str, key: str, forgiving: bool, source: str, repairs: list[str] | None = None
) -> Any:
    """``text`` parsed; a ConnectionError naming ``key`` (and line and column) if it is not JSON.

    Forgiving, each known slip repaired is appended to ``repairs`` (naming ``key``)."""
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        pass
    repaired, slips, error = _repair(text)
    one = len(slips) == 1
    if error is None:
        if forgiving:
            if repairs is not None:
                repairs.extend(f"{key}: {slip}" for slip in slips)
            return json.loads(repaired, strict=False)
        raise ConnectionError(
            key,
            f"is not valid JSON: {'; '.join(slips)}. "
            f"{'This is the known slip' if one else 'These are known slips'} in Auth0's "
            f"published connection examples; forgiving=True repairs {'it' if one else 'them'}",
            source,
        )
    # Repairs keep every position, so the error's line and column are the text's own.
    message = f"is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
    if slips:
        message += (
            f" (after {'repairing' if forgiving else 'the known slip' + ('' if one else 's')} "
            f"{'; '.join(slips)})"
        )
    raise ConnectionError(key, message, source)


def _repair(text: str) -> tuple[str, list[str], json.JSONDecodeError | None]:
    """The text with the known slips repaired, what they were, and the error left, if any."""
    slips: list[str] = []
    closed = False
    while True:  # each pass repairs one slip, removing a ',' or ending the open brackets
        try:
            json.loads(text, strict=False)
            return text, slips, None
        except json.JSONDecodeError as exc:
            if exc.msg == "Expecting ':' delimiter" and text[exc.pos : exc.pos + 1] == ",":
                before = _KEY_BEFORE.search(text, 0, exc.pos)
                after = f' after "{before.group(1)}"' if before else ""
                slips.append(f"line {exc.lineno} column {exc.colno}: ',' where ':' belongs{after}")
                text = text[: exc.pos] + ":" + text[exc.pos + 1 :]
                continue
            missing = None if closed else _missing_closers(text)
            if not missing:
                return text, slips, exc
            line = text.count("\n") + 1
            column = len(text) - text.rfind("\n")
            brackets = len(missing.lstrip('"'))
            inside = " inside a string" if missing.startswith('"') else ""
            slips.append(
                f"line {line} column {column}: the text ends{inside} with {brackets} "
                f"bracket{'s' if brackets != 1 else ''} still open ({missing!r} is missing)"
            )
            text, closed = text + missing, True


def _missing_closers(text: str) -> str | None:
    """What closes every string and bracket left open at the end of ``text``, if any."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]" and (not stack or stack.pop() != char):
            return None  # mismatched brackets: not a text that merely stops early
    if escaped:
        return None
    return ('"' if in_string else "") + "".join(reversed(stack)) or None
