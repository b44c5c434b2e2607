"""The ``[oauth1]`` table of a provider fixture: OAuth 1.0a rules (RFC 5849).

The loader calls :func:`read_oauth1` for a fixture with
``protocol = "oauth1"``, which gets an :class:`OAuth1Rules`;
``provider_fixtures/README.md`` documents every key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from .reader import Reader as _Reader

SIGNATURE_METHODS = ("HMAC-SHA1", "RSA-SHA1", "PLAINTEXT")
# RFC 5849 §3.5: the three places protocol parameters may travel.
PLACEMENTS = ("header", "query", "body")
# Problems the fake IdP reports, named as in the OAuth Problem Reporting
# extension (wiki.oauth.net/ProblemReporting), which JIRA speaks natively, plus
# two finer names that fall back to a Problem Reporting one when a fixture's
# [oauth1.problems] does not map them.
PROBLEMS = (
    "version_rejected",
    "parameter_absent",
    "parameter_rejected",
    "timestamp_refused",
    "nonce_used",
    "signature_method_rejected",
    "signature_invalid",
    "consumer_key_unknown",
    "token_used",
    "token_rejected",
    "callback_rejected",
    "verifier_invalid",
)
PROBLEM_FALLBACK = {"callback_rejected": "parameter_rejected", "verifier_invalid": "token_rejected"}


@dataclass(frozen=True)
class ProblemAnswer:
    """What the provider calls one problem: its error value and, optionally, its message."""

    error: str | int
    description: str | None = None


@dataclass(frozen=True)
class ProfileStep:
    """A further profile call whose query is filled from the previous answer (JIRA)."""

    profile: str
    query: MappingProxyType[str, str]


@dataclass(frozen=True)
class OAuth1Rules:
    signature_methods: tuple[str, ...]
    placements: tuple[str, ...]
    timestamp_window: int
    rsa_public_key: str | None
    test_private_key: str | None
    authorize_params: MappingProxyType[str, str]
    callback_params: tuple[str, ...]
    access_token_extra: Any
    denial: MappingProxyType[str, str]
    api_unexpected_params: tuple[str, ...]
    problems: MappingProxyType[str, ProblemAnswer]
    profile_steps: tuple[ProfileStep, ...]

    def problem(self, name: str) -> ProblemAnswer:
        """The provider's answer for ``name``; the Problem Reporting name when unmapped."""
        found = self.problems.get(name)
        if found is None and name in PROBLEM_FALLBACK:
            return self.problem(PROBLEM_FALLBACK[name])
        return found or ProblemAnswer(name)


def _strings_from(r: _Reader, name: str, allowed: tuple[str, ...], default: Any) -> tuple[str, ...]:
    values = r.strings(name, default)
    for value in values:
        if value not in allowed:
            raise r.fail(name, f"expected values from {', '.join(allowed)}; got {value!r}")
    if not values:
        raise r.fail(name, "must not be empty")
    return values


def _string_table(r: _Reader, name: str) -> MappingProxyType[str, str]:
    table = r.get(name, dict, {}, what="a table of name = string")
    for key, value in table.items():
        if not isinstance(value, str):
            raise r.fail(f"{name}.{key}", f"expected a string, got {value!r}")
    return MappingProxyType(dict(table))


def _problems(r: _Reader) -> MappingProxyType[str, ProblemAnswer]:
    table = r.get("problems", dict, {}, what="a table of problem = error")
    out: dict[str, ProblemAnswer] = {}
    for name, value in table.items():
        if name not in PROBLEMS:
            raise r.fail(f"problems.{name}", f"is not a known problem ({', '.join(PROBLEMS)})")
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            out[name] = ProblemAnswer(value)
        elif isinstance(value, dict):
            sub = _Reader(r.file, value, f"{r.key('problems')}.{name}.")
            error = sub.get("error", object)
            if not isinstance(error, (str, int)) or isinstance(error, bool):
                raise sub.fail("error", f"expected a string or an integer, got {error!r}")
            out[name] = ProblemAnswer(error, sub.get("description", str, None))
            sub.check_unknown()
        else:
            raise r.fail(f"problems.{name}", f"expected an error value or a table, got {value!r}")
    return MappingProxyType(out)


def _profile_steps(r: _Reader, profile_names: set[str]) -> tuple[ProfileStep, ...]:
    steps = []
    for step in r.subs("profile_steps"):
        name = step.get("profile", str)
        if name not in profile_names:
            raise step.fail("profile", f"names no [[profile]] ({', '.join(sorted(profile_names))})")
        steps.append(ProfileStep(name, _string_table(step, "query")))
        step.check_unknown()
    return tuple(steps)


def _pem(r: _Reader, name: str, private: bool) -> str | None:
    if name not in r.table:
        return None
    value = r.get(name, str)
    try:
        if private:
            load_pem_private_key(value.encode(), password=None)
        else:
            load_pem_public_key(value.encode())
    except (ValueError, TypeError) as exc:
        kind = "private" if private else "public"
        raise r.fail(name, f"is not a PEM RSA {kind} key: {exc}") from None
    return value


def read_oauth1(r: _Reader) -> OAuth1Rules:
    """Read and check the ``[oauth1]`` table (the loader calls this for oauth1 fixtures)."""
    o = r.sub("oauth1")
    methods = _strings_from(o, "signature_methods", SIGNATURE_METHODS, ...)
    public_key = _pem(o, "rsa_public_key", private=False)
    if "RSA-SHA1" in methods and public_key is None:
        raise o.fail("rsa_public_key", "is missing; RSA-SHA1 needs the test client's public key")
    profiles = r.table.get("profile", [])
    names = {p.get("name") for p in profiles if isinstance(p, Mapping)}
    rules = OAuth1Rules(
        signature_methods=methods,
        placements=_strings_from(o, "placements", PLACEMENTS, ["header"]),
        timestamp_window=o.get("timestamp_window", int, 300),
        rsa_public_key=public_key,
        test_private_key=_pem(o, "test_private_key", private=True),
        authorize_params=_string_table(o, "authorize_params"),
        callback_params=o.strings("callback_params", []),
        access_token_extra=o.get("access_token_extra", dict, {}),
        denial=_string_table(o, "denial"),
        api_unexpected_params=o.strings("api_unexpected_params", []),
        problems=_problems(o),
        profile_steps=_profile_steps(o, {str(n) for n in names}),
    )
    if not rules.denial:
        raise o.fail("denial", "is missing; what the callback carries when the user denies")
    if rules.timestamp_window <= 0:
        raise o.fail("timestamp_window", "must be a positive number of seconds")
    o.check_unknown()
    return rules
