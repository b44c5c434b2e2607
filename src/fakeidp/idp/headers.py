"""Header rules from fixtures: ``"*"``, ``"re:<pattern>"`` or an exact value."""

from __future__ import annotations

import re

from flask import request

from ..providers.model import HeaderRule
from .context import RequestContext
from .rules import Rule


def header_ok(rule: HeaderRule, value: str | None, client_id: str | None) -> bool:
    if value is None:
        return False
    if rule.value == "*":
        return True
    if rule.value.startswith("re:"):
        return re.fullmatch(rule.value[3:], value) is not None
    return value == rule.value.replace("${client_id}", client_id or "")


def check_headers(
    ctx: RequestContext,
    header_rules: tuple[HeaderRule, ...],
    required: Rule,
    expected: Rule,
    client_id: str | None,
) -> bool:
    """Flag every header rule the request breaks; True when the provider would refuse it."""
    refuse = False
    for rule in header_rules:
        value = request.headers.get(rule.name)
        if header_ok(rule, value, client_id):
            continue
        want = rule.value.replace("${client_id}", client_id or "<client_id>")
        f = ctx.flag(
            required if rule.severity == "error" else expected,
            f"header {rule.name} is {'missing' if value is None else 'wrong'}",
            {rule.name: want},
            {rule.name: value},
        )
        refuse = refuse or ctx.refuse(f)
    return refuse
