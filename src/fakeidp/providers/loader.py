"""Load provider fixtures (TOML) into :class:`Provider` objects.

Every mistake in a fixture file becomes one :class:`FixtureError` naming the
file, the dotted key and what was expected, never a bare ``KeyError``.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from ..resources import shipped_dir
from .model import (
    API_ERROR_CASES,
    CLIENT_AUTH_PLACEMENTS,
    PROFILE_AUTH_SCHEMES,
    Endpoint,
    ErrorCase,
    ErrorShape,
    HeaderRule,
    Lifecycle,
    OAuth2Rules,
    OIDCRules,
    ProfileEndpoint,
    Provider,
    ProviderAnswer,
    TestClient,
    TestUser,
    TokenResponse,
)
from .oauth1 import read_oauth1
from .paths import path_params as _path_params
from .paths import string_values as _string_values
from .reader import FixtureError as FixtureError  # re-exported: callers import it from here
from .reader import Reader as _Reader
from .scopes import read_scope_needs


def fixtures_dir() -> Path:
    """The shipped fixtures: inside the wheel, or the source tree's top level."""
    return shipped_dir("provider_fixtures")


def _endpoint(r: _Reader, name: str, spec: str, hosts: Mapping[str, str]) -> Endpoint:
    host, sep, path = spec.partition(":")
    if not sep or not path.startswith("/"):
        raise r.fail(name, f"expected 'hostkey:/path', got {spec!r}")
    if host not in hosts:
        raise r.fail(name, f"host key {host!r} is not in [hosts] ({', '.join(hosts)})")
    return Endpoint(name=name, host=host, path=path)


def _endpoints(
    r: _Reader, hosts: Mapping[str, str]
) -> tuple[dict[str, Endpoint], dict[str, _Reader]]:
    """The endpoints, and the ``oauth2`` override tables of those that have one."""
    table = r.sub("endpoints")
    out: dict[str, Endpoint] = {}
    overrides: dict[str, _Reader] = {}
    for name in table.table:
        value = table.table[name]
        if isinstance(value, str):
            out[name] = _endpoint(table, name, value, hosts)
            table.used.add(name)
            if "{" in value:
                raise table.fail(name, f"path parameters are for [[profile]] URLs only: {value!r}")
        else:
            sub = table.sub(name)
            ep = _endpoint(sub, "url", sub.get("url", str), hosts)
            if "{" in ep.path:
                raise sub.fail("url", f"path parameters are for [[profile]] URLs only: {ep.path!r}")
            methods = tuple(m.upper() for m in sub.strings("methods", ["GET"]))
            role = sub.get("role", str, "")
            if "oauth2" in sub.table:
                overrides[name] = sub.sub("oauth2")
            sub.check_unknown()
            out[name] = Endpoint(name=name, host=ep.host, path=ep.path, methods=methods, role=role)
    return out, overrides


def _headers(r: _Reader, name: str, severity: str) -> tuple[HeaderRule, ...]:
    table = r.get(name, dict, {}, what="a table of header = value")
    rules = []
    for header, value in table.items():
        example: str | None
        if isinstance(value, dict):
            sub = _Reader(r.file, value, f"{r.key(name)}.{header}.")
            value, example = sub.get("match", str), sub.get("example", str)
            sub.check_unknown()
        elif isinstance(value, str):
            example = None if value == "*" or value.startswith("re:") else value
        else:
            raise r.fail(
                f"{name}.{header}", f"expected a string or {{match, example}}, got {value!r}"
            )
        rules.append(HeaderRule(header, value, severity, example))  # type: ignore[arg-type]
    return tuple(rules)


def _error_shapes(r: _Reader) -> dict[str, ErrorShape]:
    errors = r.sub("errors")
    out: dict[str, ErrorShape] = {}
    for kind in errors.table:
        e = errors.sub(kind)
        statuses = e.get("status_by_error", dict, {})
        for err, st in statuses.items():
            if not isinstance(st, int):
                raise e.fail(f"status_by_error.{err}", f"expected an HTTP status, got {st!r}")
        out[kind] = ErrorShape(
            status=e.get("status", int),
            body=e.get("body", object),
            status_by_error=MappingProxyType(dict(statuses)),
            content_type=e.get("content_type", str, "application/json"),
            cases=_error_cases(e),
        )
        e.check_unknown()
    if "oauth" not in out:
        raise errors.fail("oauth", "is missing; every provider needs an [errors.oauth] shape")
    if "api" not in out:
        raise errors.fail("api", "is missing; every provider needs an [errors.api] shape")
    return out


def _error_cases(e: _Reader) -> MappingProxyType[str, ErrorCase]:
    """``cases``: the provider's own error, text and status for one situation."""
    cases: dict[str, ErrorCase] = {}
    table = e.sub("cases", {})
    for name in table.table:
        if name not in API_ERROR_CASES:
            raise table.fail(name, f"expected one of {', '.join(API_ERROR_CASES)}")
        c = table.sub(name)
        cases[name] = ErrorCase(
            error=c.get("error", str, None),
            description=c.get("description", str, None),
            status=c.get("status", int, None),
        )
        c.check_unknown()
    return MappingProxyType(cases)


_TOLERANCE = ("refused", "tolerated")
REVOKE_AUTH = ("client", "bearer", "client_id")


def _client_auth_error(o: _Reader) -> ProviderAnswer | None:
    if "client_auth_error" not in o.table:
        return None
    e = o.sub("client_auth_error")
    answer = ProviderAnswer(
        error=e.get("error", str),
        description=e.get("error_description", str),
        status=e.get("status", int),
        source=e.get("source", str),
    )
    e.check_unknown()
    return answer


def _oauth2(r: _Reader) -> OAuth2Rules:
    return _oauth2_rules(r.sub("oauth2"))


def _oauth2_rules(o: _Reader) -> OAuth2Rules:
    placements = CLIENT_AUTH_PLACEMENTS
    client_auth = o.strings("client_auth")
    for p in client_auth:
        if p not in placements:
            raise o.fail("client_auth", f"expected values from {placements}; got {p!r}")
    documented = o.strings("client_auth_documented", list(client_auth))
    params = o.get("authorize_params", dict, {})
    rules = OAuth2Rules(
        scope_separator=o.get("scope_separator", str),
        scope_ignored=o.get("scope_ignored", bool, False),
        default_scope=o.strings("default_scope", []),
        client_auth=client_auth,
        client_auth_documented=documented,
        pkce=o.choice("pkce", ("required", "optional", "unsupported")),  # type: ignore[arg-type]
        pkce_methods=o.strings("pkce_methods", ["S256", "plain"]),
        state_required=o.get("state_required", bool, False),
        redirect_uri_check=o.choice("redirect_uri_check", ("exact", "registered"), "exact"),  # type: ignore[arg-type]
        redirect_uri_required=o.get("redirect_uri_required", bool, True),
        token_methods=tuple(m.upper() for m in o.strings("token_methods", ["POST"])),
        token_content_types=o.strings("token_content_types", ["application/x-www-form-urlencoded"]),
        grant_type_required=o.get("grant_type_required", bool, True),
        grants=o.strings("grants", ["authorization_code"]),
        access_token_lifetime=o.get("access_token_lifetime", int, 0),
        refresh="refresh_token" in o.strings("grants", ["authorization_code"]),
        rotate_refresh_token=o.get("rotate_refresh_token", bool, False),
        refresh_requires_scope=o.get("refresh_requires_scope", str, ""),
        authorize_params=MappingProxyType({str(k): str(v) for k, v in params.items()}),
        required_authorize_params=o.strings("required_authorize_params", []),
        token_headers=_headers(o, "token_required_headers", "error")
        + _headers(o, "token_expected_headers", "warning"),
        code_lifetime=o.get("code_lifetime", int, 600),
        token_params_in_query=o.get("token_params_in_query", bool, "query" in client_auth),
        pkce_methods_case_insensitive=o.get("pkce_methods_case_insensitive", bool, False),
        pkce_verifier_format=o.choice("pkce_verifier_format", _TOLERANCE, "tolerated"),  # type: ignore[arg-type]
        pkce_without_secret=o.choice("pkce_without_secret", _TOLERANCE, "tolerated"),  # type: ignore[arg-type]
        public_clients=o.get("public_clients", bool, False),
        revoke_auth=o.strings("revoke_auth", ["client"]),
        revoke_response=o.get("revoke_response", dict, None, what="a table (the JSON body)"),
        rotated_refresh_token_reuse=o.choice(
            "rotated_refresh_token_reuse",
            _TOLERANCE,
            "tolerated",  # type: ignore[arg-type]
        ),
        client_auth_error=_client_auth_error(o),
        rotated_refresh_token_leeway=o.get("rotated_refresh_token_leeway", int, 0),
        authorize_param_values=_string_values(o, "authorize_param_values"),
    )
    if rules.rotated_refresh_token_leeway < 0 or (
        rules.rotated_refresh_token_leeway and rules.rotated_refresh_token_reuse != "tolerated"
    ):
        raise o.fail(
            "rotated_refresh_token_leeway",
            "expected seconds >= 0, and only with rotated_refresh_token_reuse = 'tolerated'",
        )
    for way in rules.revoke_auth:
        if way not in REVOKE_AUTH:
            raise o.fail("revoke_auth", f"expected values from {REVOKE_AUTH}; got {way!r}")
    o.check_unknown()
    return rules


def _endpoint_rules(
    base: _Reader, endpoints: dict[str, Endpoint], overrides: dict[str, _Reader]
) -> None:
    """Give each endpoint with an ``oauth2`` table its own rules: the provider's, changed."""
    for name, o in overrides.items():
        merged = _Reader(o.file, {**base.table, **o.table}, o.prefix)
        rules = _oauth2_rules(merged)
        endpoints[name] = dataclasses.replace(endpoints[name], oauth2=rules)


LIFECYCLE_STATUSES = ("retired", "deprecated", "closed")


def _lifecycle(
    r: _Reader, hosts: Mapping[str, str], endpoints: Mapping[str, Endpoint], names: set[str]
) -> tuple[Lifecycle, ...]:
    """``[[lifecycle]]``: what is retired, deprecated or closed, since when, and instead."""
    out = []
    for t in r.subs("lifecycle"):
        target = t.get("applies_to", str)
        kind, _, name = target.partition(":")
        if not (
            target == "provider"
            or (kind == "host" and name in hosts)
            or (kind == "endpoint" and (name in endpoints or name in names))
        ):
            raise t.fail(
                "applies_to",
                "expected 'provider', 'host:<key of [hosts]>' or "
                f"'endpoint:<endpoint or profile name>'; got {target!r}",
            )
        answer = t.sub("answer", {})
        fact = Lifecycle(
            applies_to=target,
            status=t.choice("status", LIFECYCLE_STATUSES),  # type: ignore[arg-type]
            since=t.get("since", str),
            source=t.get("source", str),
            replacement=t.get("replacement", str, ""),
            answer_status=answer.get("status", int, 410),
            answer_body=answer.get("body", object, None),
            answer_verified=answer.get("verified", bool, False),
        )
        answer.check_unknown()
        t.check_unknown()
        out.append(fact)
    return tuple(sorted(out, key=lambda f: f.applies_to != "provider"))


DISCOVERY_SUFFIX = "/.well-known/openid-configuration"  # OpenID Connect Discovery 1.0 §4


def _oidc(
    r: _Reader, hosts: Mapping[str, str], endpoints: dict[str, Endpoint]
) -> tuple[OIDCRules, ProfileEndpoint]:
    """The ``[oidc]`` table; adds the discovery and JWKS endpoints to ``endpoints``.

    Returns the rules and the UserInfo endpoint (OIDC Core §5.3), which is served
    as a profile endpoint whose body is the claims mapping and whose user id is ``sub``.
    """
    o = r.sub("oidc")
    spec = o.get("issuer", str)
    host, sep, path = spec.partition(":")
    if not sep or (path and not path.startswith("/")) or path.endswith("/"):
        raise o.fail("issuer", f"expected 'hostkey:' or 'hostkey:/path' (no final /); got {spec!r}")
    if host not in hosts:
        raise o.fail("issuer", f"host key {host!r} is not in [hosts] ({', '.join(hosts)})")
    issuer = Endpoint(name="issuer", host=host, path=path)
    for name in ("discovery", "jwks"):
        if name in endpoints:
            raise r.fail(f"endpoints.{name}", "is defined by the [oidc] table; remove it here")
    endpoints["discovery"] = Endpoint("discovery", host, path + DISCOVERY_SUFFIX)
    jwks = _endpoint(o, "jwks", o.get("jwks", str), hosts)
    endpoints["jwks"] = jwks
    ui = _endpoint(o, "userinfo", o.get("userinfo", str), hosts)
    claims = o.get("claims", dict, what="a table of claim = template")
    if "sub" not in claims:
        raise o.fail("claims.sub", "is missing; every OpenID provider returns sub (OIDC Core §2)")
    scope_claims: dict[str, tuple[str, ...]] = {}
    sc = o.sub("scope_claims", {})
    for scope in sc.table:
        scope_claims[scope] = sc.strings(scope)
        for claim in scope_claims[scope]:
            if claim not in claims:
                raise sc.fail(scope, f"claim {claim!r} is not in oidc.claims")
    require = o.get("claims_require_scope", dict, {}, what="a table of claim = scope")
    for claim, scope in require.items():
        if claim not in claims or not isinstance(scope, str):
            raise o.fail(f"claims_require_scope.{claim}", "expected a claim of oidc.claims = scope")
    rules = OIDCRules(
        issuer=issuer,
        claims=MappingProxyType(dict(claims)),
        scope_claims=MappingProxyType(scope_claims),
        claims_require_scope=MappingProxyType(dict(require)),
        scope_claims_in_id_token=o.get("scope_claims_in_id_token", bool, False),
        claims_parameter_supported=o.get("claims_parameter_supported", bool, False),
        scopes_supported=o.strings("scopes_supported", ["openid"]),
        token_endpoint_auth_methods_supported=o.strings("token_endpoint_auth_methods_supported"),
        id_token_lifetime=o.get("id_token_lifetime", int, 3600),
        authorization_response_iss=o.get("authorization_response_iss", bool, False),
    )
    o.check_unknown()
    userinfo = ProfileEndpoint(
        endpoint=Endpoint("userinfo", ui.host, ui.path, ("GET", "POST")),
        auth=("bearer",),
        body=dict(claims),
        user_id="sub",
        source="OIDC Core §5.3 (UserInfo); claims from [oidc.claims]",
    )
    return rules, userinfo


def _profiles(
    r: _Reader,
    hosts: Mapping[str, str],
    optional: bool = False,
    oauth2: OAuth2Rules | None = None,
) -> tuple[ProfileEndpoint, ...]:
    out = []
    for p in r.subs("profile"):
        ep = _endpoint(p, "url", p.get("url", str), hosts)
        name = p.get("name", str)
        auth = p.strings("auth")
        for scheme in auth:
            if scheme not in PROFILE_AUTH_SCHEMES:
                raise p.fail("auth", f"expected values from {PROFILE_AUTH_SCHEMES}; got {scheme!r}")
        query = p.get("query", dict, {})
        out.append(
            ProfileEndpoint(
                endpoint=Endpoint(name=name, host=ep.host, path=ep.path),
                auth=auth,
                body=p.get("body", object),
                # Empty: the endpoint names no user (Atlassian's accessible-resources).
                user_id=p.get("user_id", str, ""),
                headers=_headers(p, "required_headers", "error")
                + _headers(p, "expected_headers", "warning"),
                query=MappingProxyType({str(k): str(v) for k, v in query.items()}),
                source=p.get("source", str, ""),
                other_user_ids=p.strings("other_user_ids", []),
                scopes=read_scope_needs(p, oauth2) if "scopes" in p.table else None,
                path_params=_path_params(p, ep.path),
            )
        )
        p.check_unknown()
    if not out and not optional:
        raise r.fail("profile", "is missing; expected at least one [[profile]] endpoint")
    if out and not any(p.user_id for p in out):
        raise r.fail("profile", "no [[profile]] has a user_id; expected one that names the user")
    return tuple(out)


def _hosts(r: _Reader) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """``[hosts]``: host key = base URL, or a list of base URLs for one service under
    several names (``["https://api.twitter.com", "https://api.x.com"]``): the first is
    the primary (``real_urls``), every one is intercepted and served."""
    table = r.get("hosts", dict, what="a table of host key = base URL (or a list of them)")
    hosts: dict[str, str] = {}
    aliases: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        bases = value if isinstance(value, list) else [value]
        if not bases or not all(
            isinstance(b, str) and b.startswith(("http://", "https://")) for b in bases
        ):
            raise r.fail(
                f"hosts.{key}", f"expected an http(s) base URL or a list of them, got {value!r}"
            )
        hosts[key] = bases[0].rstrip("/")
        if len(bases) > 1:
            aliases[key] = tuple(b.rstrip("/") for b in bases[1:])
    return hosts, aliases


def load_provider(path: Path) -> Provider:
    """Read and validate one fixture file."""
    file = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FixtureError(file, "<toml>", f"is not valid TOML: {exc}") from None
    except OSError as exc:
        raise FixtureError(file, "<file>", f"cannot be read: {exc.strerror}") from None
    r = _Reader(file, data)
    pid = r.get("id", str)
    if pid != path.stem.replace("_", "-"):
        raise r.fail(
            "id", f"must match the file name ({path.stem.replace('_', '-')!r}), got {pid!r}"
        )
    protocol = r.choice("protocol", ("oauth2", "oauth1"))
    hosts, host_aliases = _hosts(r)
    c = r.sub("client")
    client = TestClient(
        c.get("client_id", str), c.get("client_secret", str), c.strings("redirect_uris", [])
    )
    c.check_unknown()
    u = r.sub("user")
    user = TestUser(u.get("login", str), u.get("profile", dict))
    u.check_unknown()
    endpoints, endpoint_overrides = _endpoints(r, hosts)
    oauth2 = token_response = None
    if endpoint_overrides and protocol != "oauth2":
        name = next(iter(endpoint_overrides))
        raise r.fail(f"endpoints.{name}.oauth2", 'needs protocol = "oauth2"')
    if protocol == "oauth2":
        for needed in ("authorize", "token"):
            if needed not in endpoints:
                raise r.fail(f"endpoints.{needed}", "is missing; an oauth2 provider needs it")
        oauth2 = _oauth2(r)
        _endpoint_rules(r.sub("oauth2"), endpoints, endpoint_overrides)
        t = r.sub("token_response")
        token_response = TokenResponse(
            token_type=t.get("token_type", str, None),
            scope=t.choice("scope", ("string", "array", "null", "omit"), "string"),  # type: ignore[arg-type]
            extra=t.get("extra", dict, {}),
        )
        t.check_unknown()
    oauth1 = read_oauth1(r) if protocol == "oauth1" else None
    oidc, userinfo = None, None
    if "oidc" in r.table:
        if protocol != "oauth2":
            raise r.fail("oidc", 'OpenID Connect needs protocol = "oauth2"')
        oidc, userinfo = _oidc(r, hosts, endpoints)
    profiles = _profiles(r, hosts, optional=oidc is not None, oauth2=oauth2)
    if userinfo is not None:
        profiles += (userinfo,)
    lifecycle = _lifecycle(r, hosts, endpoints, {p.endpoint.name for p in profiles})
    provider = Provider(
        id=pid,
        name=r.get("name", str),
        protocol=protocol,  # type: ignore[arg-type]
        source_file=file,
        docs=r.strings("docs", []),
        hosts=MappingProxyType(hosts),
        host_aliases=MappingProxyType(host_aliases),
        endpoints=MappingProxyType(endpoints),
        client=client,
        user=user,
        profiles=profiles,
        errors=MappingProxyType(_error_shapes(r)),
        oauth2=oauth2,
        token_response=token_response,
        oauth1=oauth1,
        oidc=oidc,
        lifecycle=lifecycle,
    )
    r.check_unknown()
    return provider


def load_providers(directory: Path | None = None) -> dict[str, Provider]:
    """Every ``*.toml`` fixture in ``directory`` (default: the shipped ones), by id."""
    directory = directory or fixtures_dir()
    providers: dict[str, Provider] = {}
    for path in sorted(directory.glob("*.toml")):
        provider = load_provider(path)
        providers[provider.id] = provider
    if not providers:
        raise FixtureError(str(directory), "<dir>", "holds no *.toml provider fixtures")
    return providers


@functools.cache
def builtin_providers() -> MappingProxyType[str, Provider]:
    """The shipped providers, loaded once per process (they are immutable)."""
    return MappingProxyType(load_providers())
