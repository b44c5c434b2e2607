"""The immutable Provider model: what one real OAuth provider does.

A Provider is built from one TOML file in ``provider_fixtures/`` by
:mod:`fakeidp.providers.loader`; ``provider_fixtures/README.md`` documents
every key. Nothing here knows about Flask or HTTP: it is data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

Protocol = Literal["oauth2", "oauth1"]
PkcePolicy = Literal["required", "optional", "unsupported"]
ClientAuth = Literal["basic", "body", "query"]
RedirectCheck = Literal["exact", "registered"]
LifecycleStatus = Literal["retired", "deprecated", "closed"]
Tolerance = Literal["refused", "tolerated"]

CLIENT_AUTH_PLACEMENTS: tuple[ClientAuth, ...] = ("basic", "body", "query")
PROFILE_AUTH_SCHEMES: tuple[str, ...] = (
    "bearer",
    "oauth",
    "query:access_token",
    "query:oauth_token",
    "oauth1",
)


@dataclass(frozen=True)
class Endpoint:
    """One URL of the real provider, as ``host key`` + ``path``."""

    name: str
    host: str
    path: str
    methods: tuple[str, ...] = ("GET",)
    # The view that serves it (``token``); empty: the name. Lets one provider serve a
    # protocol endpoint at several URLs (Uber's legacy /oauth/token and /oauth/v2/token).
    role: str = ""
    # OAuth 2.0 rules of this URL where they differ from the provider's ``[oauth2]``.
    oauth2: OAuth2Rules | None = None

    @property
    def view(self) -> str:
        return self.role or self.name


@dataclass(frozen=True)
class HeaderRule:
    """A header a request must (error) or should (warning) carry.

    ``value`` is ``"*"`` (any value), an exact value that may hold
    ``${client_id}``, or ``re:<pattern>`` matched against the whole value.
    ``example`` is what a correct client sends (the reference client uses it).
    """

    name: str
    value: str
    severity: Literal["error", "warning"]
    example: str | None = None


@dataclass(frozen=True)
class ScopeNeeds:
    """The scopes an API endpoint needs (``[profile.scopes]``): without them the provider
    refuses the call, or leaves scope-bound fields out of its answer."""

    source: str
    # Every one of these must have been granted (X /2/users/me: tweet.read and users.read).
    required: tuple[str, ...] = ()
    # At least one of these (Uber /v3/me: profile, eats.pos_provisioning or profile.internal_uuid).
    any_of: tuple[str, ...] = ()
    # Dotted path in the answer -> the scope without which the provider leaves it out
    # (Twitch Helix /users data.0.email: user:read:email).
    fields: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The refusal's text where it differs from [errors.api.cases] scope_missing; ${scopes}.
    description: str | None = None

    def missing(self, granted: Iterable[str]) -> tuple[str, ...]:
        """The scopes the endpoint needs that ``granted`` lacks; ``any_of`` counts whole."""
        have = set(granted)
        lacking = tuple(s for s in self.required if s not in have)
        if self.any_of and not have.intersection(self.any_of):
            lacking += tuple(s for s in self.any_of if s not in lacking)
        return lacking

    def describe(self, lacking: tuple[str, ...]) -> str:
        """``tweet.read`` / ``tweet.read and users.read`` / ``one of profile, …``."""
        required = [s for s in lacking if s in self.required]
        parts = [" and ".join(required)] if required else []
        if any(s in self.any_of and s not in self.required for s in lacking):
            parts.append("one of " + ", ".join(self.any_of))
        return " and ".join(parts)

    def asked(self) -> tuple[str, ...]:
        """The scopes a careful connector asks for: the required ones, the first alternative."""
        return self.required + (self.any_of[:1] if self.any_of else ())


@dataclass(frozen=True)
class ProfileEndpoint:
    """An emulated API endpoint that answers with the user's profile."""

    endpoint: Endpoint
    auth: tuple[str, ...]
    body: Any
    user_id: str
    headers: tuple[HeaderRule, ...] = ()
    query: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""
    # Other stable ids of the same account that real connectors key users by (Tumblr: the
    # primary blog's uuid, which python-social-auth uses), as dotted paths into the body.
    other_user_ids: tuple[str, ...] = ()
    # The scopes this endpoint needs (``[profile.scopes]``); None: any token will do.
    scopes: ScopeNeeds | None = None
    # ``{name}`` segments of the URL (Jira Cloud's ``/ex/jira/{cloudid}/...``): name -> a
    # template of the value the provider accepts for this user (a list: any of them).
    path_params: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ErrorCase:
    """The provider's own answer to one situation (a missing token, an invalid one)."""

    error: str | None = None
    description: str | None = None
    status: int | None = None


# The situations an [errors.api.cases] table may name (provider_fixtures/README.md).
API_ERROR_CASES = (
    "token_missing",
    "token_invalid",
    "header_missing",
    "header_wrong",
    "scope_missing",
    "path_wrong",
)


@dataclass(frozen=True)
class ErrorShape:
    """How the provider answers an error: status and a JSON body template."""

    status: int
    body: Any
    status_by_error: MappingProxyType[str, int] = field(
        default_factory=lambda: MappingProxyType({})
    )
    content_type: str = "application/json"
    cases: MappingProxyType[str, ErrorCase] = field(default_factory=lambda: MappingProxyType({}))

    def status_for(self, error: str) -> int:
        return self.status_by_error.get(error, self.status)


@dataclass(frozen=True)
class ProviderAnswer:
    """How a provider words one refusal: its error code, description and status."""

    error: str
    description: str
    status: int
    source: str


@dataclass(frozen=True)
class Lifecycle:
    """A provider, host or endpoint that is retired, deprecated or closed to new apps.

    ``applies_to`` is ``"provider"``, ``"host:<key>"`` or ``"endpoint:<name>"`` (an
    endpoint or profile name). A retired one is answered today with ``answer``
    (status and body); ``answer_verified`` says whether that answer has a source.
    """

    applies_to: str
    status: LifecycleStatus
    since: str
    source: str
    replacement: str
    answer_status: int = 410
    answer_body: Any = None
    answer_verified: bool = False

    def applies(self, endpoint: Endpoint) -> bool:
        kind, _, name = self.applies_to.partition(":")
        if kind == "provider":
            return True
        return name == (endpoint.host if kind == "host" else endpoint.name)

    def describe(self, what: str) -> str:
        verb = {
            "retired": "was retired",
            "deprecated": "is deprecated",
            "closed": "is closed to new applications",
        }[self.status]
        text = f"{what} {verb} (since {self.since}; {self.source})"
        return f"{text}; use instead: {self.replacement}" if self.replacement else text


@dataclass(frozen=True)
class OAuth2Rules:
    scope_separator: str
    scope_ignored: bool
    default_scope: tuple[str, ...]
    client_auth: tuple[str, ...]
    client_auth_documented: tuple[str, ...]
    pkce: PkcePolicy
    pkce_methods: tuple[str, ...]
    state_required: bool
    redirect_uri_check: RedirectCheck
    redirect_uri_required: bool
    token_methods: tuple[str, ...]
    token_content_types: tuple[str, ...]
    grant_type_required: bool
    grants: tuple[str, ...]
    access_token_lifetime: int
    refresh: bool
    rotate_refresh_token: bool
    refresh_requires_scope: str
    authorize_params: MappingProxyType[str, str]
    required_authorize_params: tuple[str, ...]
    token_headers: tuple[HeaderRule, ...]
    code_lifetime: int = 600
    # Token params read from the query string too (X's SDK sends them there).
    token_params_in_query: bool = False
    # code_challenge_method matched case-insensitively (X accepts "s256").
    pkce_methods_case_insensitive: bool = False
    # A code_verifier outside RFC 7636 §4.1 (43-128 unreserved characters).
    pkce_verifier_format: Tolerance = "tolerated"
    # A client registered with a secret that drops it because it used PKCE (RFC 6749 §4.1.3).
    pkce_without_secret: Tolerance = "tolerated"
    # Clients registered without a secret refresh and revoke with client_id alone.
    public_clients: bool = False
    # How a revoke request may authenticate: "client" (RFC 7009 §2.1), "bearer" (the token).
    revoke_auth: tuple[str, ...] = ("client",)
    # The revoke answer's JSON body (X {"revoked": true}); None: an empty 200.
    revoke_response: Any = None
    # A rotated-out refresh token used again: "refused" only where a source says so.
    rotated_refresh_token_reuse: Tolerance = "tolerated"
    # Seconds a tolerated reuse is tolerated (Atlassian: 10 minutes); later it is refused and
    # the token's whole chain revoked. 0: no limit.
    rotated_refresh_token_leeway: int = 0
    # The provider's answer to a confidential client that did not authenticate where it must.
    client_auth_error: ProviderAnswer | None = None
    # Authorize parameters that must have one value when sent (Atlassian audience).
    authorize_param_values: MappingProxyType[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )


@dataclass(frozen=True)
class TokenResponse:
    token_type: str | None
    scope: Literal["string", "array", "null", "omit"]
    extra: Any


@dataclass(frozen=True)
class OIDCRules:
    """OpenID Connect on top of the provider's OAuth 2.0 (OIDC Core 1.0, Discovery 1.0).

    ``issuer`` is an Endpoint whose path may be empty; discovery lives at the
    issuer plus ``/.well-known/openid-configuration`` (Discovery §4).
    ``claims`` maps each claim to a template over the test user's profile.
    """

    issuer: Endpoint
    claims: MappingProxyType[str, Any]
    scope_claims: MappingProxyType[str, tuple[str, ...]]
    claims_require_scope: MappingProxyType[str, str]
    scope_claims_in_id_token: bool
    claims_parameter_supported: bool
    scopes_supported: tuple[str, ...]
    token_endpoint_auth_methods_supported: tuple[str, ...]
    id_token_lifetime: int
    # RFC 9207: iss in every authorization response, advertised in discovery.
    authorization_response_iss: bool = False


@dataclass(frozen=True)
class TestUser:
    login: str
    profile: Any


@dataclass(frozen=True)
class TestClient:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True)
class Provider:
    """One real provider, as faithful as PROVIDERS.md lets us be."""

    id: str
    name: str
    protocol: Protocol
    source_file: str
    docs: tuple[str, ...]
    hosts: MappingProxyType[str, str]
    endpoints: MappingProxyType[str, Endpoint]
    client: TestClient
    user: TestUser
    profiles: tuple[ProfileEndpoint, ...]
    errors: MappingProxyType[str, ErrorShape]
    oauth2: OAuth2Rules | None = None
    token_response: TokenResponse | None = None
    oauth1: Any = None  # OAuth1Rules, filled in by the OAuth 1.0a work
    oidc: OIDCRules | None = None
    # Other base URLs of a host key: one service under several names (twitter.com and
    # x.com). Each is intercepted and answered like the primary in ``hosts``.
    host_aliases: MappingProxyType[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # Retired, deprecated and closed parts (``[[lifecycle]]``), provider-wide ones first.
    lifecycle: tuple[Lifecycle, ...] = ()

    def endpoint(self, name: str) -> Endpoint:
        return self.endpoints[name]

    def real_url(self, endpoint: Endpoint) -> str:
        return self.hosts[endpoint.host] + endpoint.path

    def real_bases(self, host: str) -> tuple[str, ...]:
        """Every base URL of host key ``host``: the primary first, then its aliases."""
        return (self.hosts[host], *self.host_aliases.get(host, ()))

    def real_origins(self) -> tuple[str, ...]:
        """Every base URL this provider is reached at, primary names first."""
        return tuple(b for key in self.hosts for b in self.real_bases(key))

    def fake_path(self, endpoint: Endpoint) -> str:
        """Where the fake IdP serves ``endpoint``: ``/<provider>/<host key><path>``."""
        return f"/{self.id}/{endpoint.host}{endpoint.path}"

    def all_endpoints(self) -> tuple[Endpoint, ...]:
        return tuple(self.endpoints.values()) + tuple(p.endpoint for p in self.profiles)

    @property
    def retired(self) -> bool:
        """The whole provider is retired (Twitch Kraken): no connector can conform to it."""
        return any(f.applies_to == "provider" and f.status == "retired" for f in self.lifecycle)

    def lifecycle_of(self, endpoint: Endpoint) -> tuple[Lifecycle, ...]:
        """The lifecycle facts that apply to ``endpoint`` (an endpoint or profile URL)."""
        return tuple(fact for fact in self.lifecycle if fact.applies(endpoint))

    def is_current(self, endpoint: Endpoint) -> bool:
        """Neither retired nor deprecated itself (a whole-provider fact does not count)."""
        return not any(f.applies_to != "provider" for f in self.lifecycle_of(endpoint))

    def rules_at(self, endpoint_name: str) -> OAuth2Rules | None:
        """The OAuth 2.0 rules of one endpoint: its own where it has them."""
        endpoint = self.endpoints.get(endpoint_name)
        return (endpoint.oauth2 if endpoint else None) or self.oauth2

    @property
    def primary_profile(self) -> ProfileEndpoint:
        """The first profile endpoint that names the user and is current; else the first
        that names the user."""
        named = [p for p in self.profiles if p.user_id] or list(self.profiles)
        for profile in named:
            if self.is_current(profile.endpoint):
                return profile
        return named[0]

    def error_shape(self, kind: str) -> ErrorShape:
        return self.errors.get(kind) or self.errors["oauth"]
