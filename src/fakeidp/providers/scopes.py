"""``[profile.scopes]``: the scopes a provider's API endpoint needs.

Real providers refuse an API call whose token lacks a scope the endpoint needs
(X ``GET /2/users/me`` needs ``tweet.read`` and ``users.read``), or leave a
field out of the answer (Twitch Helix ``/users`` ``email`` needs
``user:read:email``). provider_fixtures/README.md documents the keys.
"""

from __future__ import annotations

from types import MappingProxyType

from .model import OAuth2Rules, ScopeNeeds
from .reader import Reader


def read_scope_needs(p: Reader, oauth2: OAuth2Rules | None) -> ScopeNeeds:
    """``[profile.scopes]``: the scopes an API endpoint needs, and the fields they release."""
    if oauth2 is None:
        raise p.fail("scopes", 'needs protocol = "oauth2" (OAuth 1.0a has no scopes)')
    if oauth2.scope_ignored:
        raise p.fail("scopes", "the provider has no scopes (oauth2.scope_ignored = true)")
    s = p.sub("scopes")
    required, any_of = s.strings("required", []), s.strings("any_of", [])
    fields = s.get("fields", dict, {}, what="a table of 'dotted.path' = scope")
    for name, value in (("required", required), ("any_of", any_of)):
        if any(not scope.strip() or " " in scope for scope in value):
            raise s.fail(name, f"expected scope names without spaces, got {list(value)!r}")
    if len(any_of) == 1:
        raise s.fail("any_of", f"one scope is not a choice; put {any_of[0]!r} in required")
    for path, scope in fields.items():
        if not isinstance(scope, str) or not scope.strip() or " " in scope:
            raise s.fail(f"fields.{path}", f"expected one scope name, got {scope!r}")
        if not all(path.split(".")):
            raise s.fail(f"fields.{path}", "expected a dotted path into the answer (data.0.email)")
    needs = ScopeNeeds(
        source=s.get("source", str, what="where the provider says so"),
        required=required,
        any_of=any_of,
        fields=MappingProxyType(dict(fields)),
        description=s.get("description", str, None),
    )
    s.check_unknown()
    if not (required or any_of or fields):
        raise s.fail("required", "is missing; expected required, any_of or fields")
    return needs
