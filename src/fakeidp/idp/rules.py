"""The rule catalogue and the Finding a broken rule produces.

Every rule has a stable id, a default severity and a source (an RFC section
or a provider document). Severity ``error``: the real provider would refuse
the request. ``warning``: tolerated, but against its docs or an RFC.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    source: str
    summary: str


RULES: dict[str, Rule] = {}


def _rule(id: str, severity: Severity, source: str, summary: str) -> Rule:
    rule = Rule(id, severity, source, summary)
    RULES[id] = rule
    return rule


# Authorization endpoint (RFC 6749 §4.1.1)
AUTHZ_CLIENT_ID = _rule(
    "oauth2.authorize.client_id",
    "error",
    "RFC 6749 §4.1.1",
    "client_id must name a registered client",
)
AUTHZ_RESPONSE_TYPE = _rule(
    "oauth2.authorize.response_type", "error", "RFC 6749 §4.1.1", "response_type must be 'code'"
)
AUTHZ_REDIRECT_URI = _rule(
    "oauth2.authorize.redirect_uri",
    "error",
    "RFC 6749 §3.1.2.3",
    "redirect_uri must match a registered URI",
)
AUTHZ_STATE = _rule(
    "oauth2.authorize.state",
    "warning",
    "RFC 6749 §10.12",
    "state should carry an unguessable value to prevent CSRF",
)
AUTHZ_SCOPE_SEPARATOR = _rule(
    "oauth2.authorize.scope_separator",
    "error",
    "RFC 6749 §3.3 and provider docs",
    "scopes must be joined with the provider's separator",
)
AUTHZ_REQUIRED_PARAM = _rule(
    "oauth2.authorize.required_param",
    "error",
    "provider docs",
    "a parameter the provider requires is missing",
)
AUTHZ_PARAM_VALUE = _rule(
    "oauth2.authorize.param_value",
    "error",
    "provider docs",
    "a parameter the provider requires with one value has another",
)
AUTHZ_PKCE_REQUIRED = _rule(
    "oauth2.authorize.pkce_required",
    "error",
    "RFC 7636 §4.3 and provider docs",
    "the provider requires PKCE (code_challenge)",
)
AUTHZ_PKCE_METHOD = _rule(
    "oauth2.authorize.pkce_method",
    "error",
    "RFC 7636 §4.2/§4.3",
    "code_challenge_method must be one the provider supports",
)
AUTHZ_PKCE_PLAIN = _rule(
    "oauth2.authorize.pkce_plain",
    "warning",
    "RFC 7636 §4.2",
    "clients capable of S256 must use S256",
)
AUTHZ_PKCE_UNSUPPORTED = _rule(
    "oauth2.authorize.pkce_unsupported",
    "warning",
    "provider docs",
    "the provider ignores PKCE; the code_challenge has no effect",
)
AUTHZ_UNKNOWN_PARAM = _rule(
    "oauth2.authorize.unknown_param",
    "warning",
    "provider docs",
    "a parameter the provider does not document was sent",
)
# Expectations a connection declared (static and dynamic params)
CONN_STATIC_PARAM = _rule(
    "connection.authorize.static_param",
    "error",
    "connection settings (Auth0 authParams / upstream_params value)",
    "a static authorize parameter did not arrive with its configured value",
)
CONN_DYNAMIC_PARAM = _rule(
    "connection.authorize.dynamic_param",
    "error",
    "connection settings (Auth0 authParamsMap / upstream_params alias)",
    "a dynamic authorize parameter was not mapped from the login request",
)
CONN_SCOPE = _rule(
    "connection.authorize.scope",
    "error",
    "connection settings",
    "the requested scopes differ from the connection's",
)
CONN_TOKEN_HEADER = _rule(
    "connection.token.custom_header",
    "error",
    "connection settings (Auth0 Custom Headers)",
    "a configured custom header did not reach the token endpoint",
)
# Token endpoint (RFC 6749 §3.2, §4.1.3, §5.2)
TOKEN_METHOD = _rule(
    "oauth2.token.method", "error", "RFC 6749 §3.2", "the token endpoint takes POST"
)
TOKEN_CONTENT_TYPE = _rule(
    "oauth2.token.content_type",
    "error",
    "RFC 6749 §4.1.3 and provider docs",
    "the token request body must be in a format the provider reads",
)
TOKEN_GRANT_TYPE = _rule(
    "oauth2.token.grant_type",
    "error",
    "RFC 6749 §4.1.3",
    "grant_type must be present and supported by the provider",
)
TOKEN_CLIENT_AUTH = _rule(
    "oauth2.token.client_auth",
    "error",
    "RFC 6749 §2.3.1",
    "the client must authenticate with valid credentials",
)
TOKEN_CLIENT_AUTH_PLACEMENT = _rule(
    "oauth2.token.client_auth_placement",
    "error",
    "RFC 6749 §2.3.1 and provider docs",
    "client credentials must go where the provider reads them",
)
TOKEN_CLIENT_AUTH_UNDOCUMENTED = _rule(
    "oauth2.token.client_auth_undocumented",
    "warning",
    "provider docs",
    "client credentials were sent in a place the provider tolerates but does not document",
)
TOKEN_CLIENT_AUTH_QUERY = _rule(
    "oauth2.token.client_auth_in_query",
    "warning",
    "RFC 6749 §2.3.1",
    "client credentials MUST NOT be included in the request URI",
)
TOKEN_CLIENT_AUTH_MULTIPLE = _rule(
    "oauth2.token.client_auth_multiple",
    "warning",
    "RFC 6749 §2.3",
    "the client MUST NOT use more than one authentication method in each request",
)
TOKEN_CODE = _rule(
    "oauth2.token.code",
    "error",
    "RFC 6749 §4.1.3",
    "the authorization code must be valid, unexpired and issued to this client",
)
TOKEN_CODE_REPLAY = _rule(
    "oauth2.token.code_replay",
    "error",
    "RFC 6749 §4.1.2",
    "an authorization code is single-use; a replay revokes the tokens it issued",
)
TOKEN_REDIRECT_URI = _rule(
    "oauth2.token.redirect_uri",
    "error",
    "RFC 6749 §4.1.3",
    "redirect_uri must be identical to the one in the authorization request",
)
TOKEN_PKCE_VERIFIER = _rule(
    "oauth2.token.code_verifier",
    "error",
    "RFC 7636 §4.6",
    "code_verifier must match the code_challenge",
)
TOKEN_REFRESH = _rule(
    "oauth2.token.refresh_token",
    "error",
    "RFC 6749 §6",
    "the refresh token must be valid and issued to this client",
)
TOKEN_REFRESH_ROTATED = _rule(
    "oauth2.token.refresh_token_rotated",
    "error",
    "RFC 6749 §10.4 and provider docs",
    "a rotated-out refresh token was used; the new one must be kept",
)
TOKEN_REQUIRED_HEADER = _rule(
    "oauth2.token.header",
    "error",
    "provider docs",
    "a header the provider requires at the token endpoint is missing or wrong",
)
TOKEN_EXPECTED_HEADER = _rule(
    "oauth2.token.expected_header",
    "warning",
    "provider docs",
    "a header the provider documents at the token endpoint is missing or wrong",
)
# Emulated APIs
API_AUTH_SCHEME = _rule(
    "api.profile.auth_scheme",
    "error",
    "RFC 6750 §2 and provider docs",
    "the access token must be presented the way the provider reads it",
)
API_TOKEN = _rule(
    "api.profile.token", "error", "RFC 6750 §3.1", "the access token must be valid and unexpired"
)
API_REQUIRED_HEADER = _rule(
    "api.profile.header",
    "error",
    "provider docs",
    "a header the provider requires on API calls is missing or wrong",
)
API_EXPECTED_HEADER = _rule(
    "api.profile.expected_header",
    "warning",
    "provider docs",
    "a header the provider documents on API calls is missing or wrong",
)
API_QUERY = _rule(
    "api.profile.query",
    "error",
    "provider docs",
    "a query parameter the endpoint needs is missing or wrong",
)
API_PATH_PARAM = _rule(
    "api.profile.path_param",
    "error",
    "provider docs",
    "a path parameter names nothing the user's token reaches (Jira Cloud's cloudid)",
)


# OAuth 1.0a (RFC 5849)
OAUTH1_PARAMS_MISSING = _rule(
    "oauth1.params.missing",
    "error",
    "RFC 5849 §3.1",
    "a signed request must carry oauth_consumer_key, oauth_signature_method, oauth_signature, "
    "and (except with PLAINTEXT) oauth_timestamp and oauth_nonce",
)
OAUTH1_PARAMS_PLACEMENT = _rule(
    "oauth1.params.placement",
    "error",
    "RFC 5849 §3.5 and provider docs",
    "OAuth parameters must be in one place (header, form body or query) the provider reads",
)
OAUTH1_PARAMS_MALFORMED = _rule(
    "oauth1.params.malformed",
    "error",
    "RFC 5849 §3.2, §3.3, §3.5.1",
    "OAuth parameters must be well-formed and not duplicated",
)
OAUTH1_VERSION = _rule(
    "oauth1.version", "error", "RFC 5849 §3.1", "oauth_version, when present, must be 1.0"
)
OAUTH1_CONSUMER = _rule(
    "oauth1.consumer.unknown",
    "error",
    "RFC 5849 §3.2",
    "oauth_consumer_key must name a registered consumer",
)
OAUTH1_SIGNATURE_METHOD = _rule(
    "oauth1.signature.method",
    "error",
    "RFC 5849 §3.4 and provider docs",
    "the signature method must be one the provider accepts (JIRA: RSA-SHA1 only)",
)
OAUTH1_SIGNATURE_INVALID = _rule(
    "oauth1.signature.invalid",
    "error",
    "RFC 5849 §3.4",
    "the signature must match the request and the client's and token's credentials",
)
OAUTH1_TIMESTAMP_STALE = _rule(
    "oauth1.timestamp.stale",
    "error",
    "RFC 5849 §3.3",
    "oauth_timestamp must be close to the server's clock",
)
OAUTH1_NONCE_REPLAYED = _rule(
    "oauth1.nonce.replayed",
    "error",
    "RFC 5849 §3.3",
    "a nonce is single-use for a timestamp, client and token",
)
OAUTH1_TOKEN = _rule(
    "oauth1.token.invalid",
    "error",
    "RFC 5849 §2.3, §3.2",
    "oauth_token must be a valid token of the right kind, issued to this client",
)
OAUTH1_CALLBACK_MISSING = _rule(
    "oauth1.callback.missing",
    "error",
    "RFC 5849 §2.1",
    "the temporary-credentials request must carry oauth_callback (a URL or 'oob')",
)
OAUTH1_CALLBACK_INVALID = _rule(
    "oauth1.callback.invalid",
    "error",
    "RFC 5849 §2.1 and provider docs",
    "oauth_callback must be an absolute URL the client registered, or 'oob'",
)
OAUTH1_VERIFIER_MISSING = _rule(
    "oauth1.verifier.missing",
    "error",
    "RFC 5849 §2.3",
    "the token request must carry the oauth_verifier from the callback",
)
OAUTH1_VERIFIER_INVALID = _rule(
    "oauth1.verifier.invalid",
    "error",
    "RFC 5849 §2.3",
    "oauth_verifier must be the one issued for the temporary credentials",
)
OAUTH1_REQUEST_TOKEN_REUSED = _rule(
    "oauth1.request_token.reused",
    "error",
    "RFC 5849 §2.3",
    "temporary credentials are single-use: they must not have been used before",
)
OAUTH1_METHOD = _rule(
    "oauth1.request.method",
    "warning",
    "provider docs",
    "the endpoint was called with an HTTP method its docs do not list",
)
OAUTH1_AUTHORIZE_TOKEN = _rule(
    "oauth1.authorize.token",
    "error",
    "RFC 5849 §2.2",
    "the authorization request must carry unused temporary credentials (oauth_token)",
)
OAUTH1_AUTHORIZE_UNKNOWN_PARAM = _rule(
    "oauth1.authorize.unknown_param",
    "warning",
    "provider docs",
    "a parameter the provider does not document was sent to its authorization page",
)
OAUTH1_API_UNEXPECTED_PARAM = _rule(
    "oauth1.api.unexpected_param",
    "warning",
    "provider docs (social-core: Xing dislikes oauth_callback/oauth_verifier on API calls)",
    "a token-exchange parameter was sent on an API call",
)

# Transport: what reached a provider's host (issue 8)
TRANSPORT_UNKNOWN_ENDPOINT = _rule(
    "transport.unknown_endpoint",
    "error",
    "the provider's fixture [endpoints] (provider_fixtures/README.md); RFC 9110 §15.5.5",
    "a request reached a provider's host at a path or method the fake IdP does not emulate",
)


@dataclass
class Finding:
    """One broken rule, with what was expected, what arrived, and the request."""

    rule: str
    severity: Severity
    provider: str
    endpoint: str
    message: str
    expected: Any
    actual: Any
    source: str
    evidence: dict[str, Any] = field(default_factory=dict)
    exchange: int | None = None
    acknowledged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"[{self.severity}] {self.rule} ({self.provider} {self.endpoint}): {self.message}; "
            f"expected {self.expected!r}, got {self.actual!r}"
        )


def make_finding(
    rule: Rule,
    provider: str,
    endpoint: str,
    message: str,
    expected: Any,
    actual: Any,
    severity: Severity | None = None,
) -> Finding:
    return Finding(
        rule=rule.id,
        severity=severity or rule.severity,
        provider=provider,
        endpoint=endpoint,
        message=message,
        expected=expected,
        actual=actual,
        source=rule.source,
    )


# -- Providers as they are today (issue 9, part A) ---------------------------------------
# Facts a fixture states per provider; findings from them carry the fixture's source where
# it gives one (``[oauth2.client_auth_error] source``, ``[[lifecycle]] source``).
AUTHZ_PKCE_METHOD_CASE = _rule(
    "oauth2.authorize.pkce_method_case",
    "error",
    "RFC 7636 §4.3 (methods are case-sensitive); provider fixture pkce_methods_case_insensitive",
    "code_challenge_method must be spelled 'S256' or 'plain'; a warning where the provider "
    "accepts another case (X takes 's256')",
)
TOKEN_PKCE_WITHOUT_SECRET = _rule(
    "oauth2.token.pkce_without_secret",
    "error",
    "RFC 6749 §4.1.3, §2.3.1; provider fixture pkce_without_secret",
    "a client registered with a secret must authenticate with it; PKCE does not replace it",
)
TOKEN_PKCE_VERIFIER_FORMAT = _rule(
    "oauth2.token.code_verifier_format",
    "error",
    "RFC 7636 §4.1; provider fixture pkce_verifier_format",
    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
)
LIFECYCLE_RETIRED = _rule(
    "provider.retired",
    "error",
    "provider fixture [[lifecycle]] (each cites the provider's notice)",
    "the endpoint, host or provider was retired; real requests fail",
)
LIFECYCLE_DEPRECATED = _rule(
    "provider.deprecated",
    "warning",
    "provider fixture [[lifecycle]] (each cites the provider's notice)",
    "the endpoint, host or provider is deprecated; it still answers, but migrate",
)


# -- Provider token endpoints beyond RFC 6749 (issue 9, part B) ---------------------------------
VALIDATE_TOKEN = _rule(
    "oauth2.validate.token",
    "error",
    "dev.twitch.tv/docs/authentication/validate-tokens",
    "GET /oauth2/validate must carry the access token in 'Authorization: OAuth <token>'",
)
VALIDATE_SCHEME = _rule(
    "oauth2.validate.scheme",
    "warning",
    "dev.twitch.tv/docs/authentication/validate-tokens",
    "Twitch documents 'Authorization: OAuth <token>' for /oauth2/validate, not Bearer",
)
REVOKE_CLIENT = _rule(
    "oauth2.revoke.client_id",
    "error",
    "dev.twitch.tv/docs/authentication/revoke-tokens",
    "a revoke request must name a registered client_id (Twitch: 404 'client does not exist')",
)
REVOKE_TOKEN = _rule(
    "oauth2.revoke.token",
    "error",
    "dev.twitch.tv/docs/authentication/revoke-tokens",
    "a revoke request must carry a token issued to the client (Twitch: 400 'Invalid token')",
)
TOKEN_INFO_REQUEST = _rule(
    "oauth2.token_info.request",
    "error",
    "developer.wordpress.com/docs/oauth2 (Validating tokens); wpcom-connect-examples#1",
    "/oauth2/token-info needs client_id and token in the query, for a token issued to that client",
)


# -- Scopes the provider's API needs ([profile.scopes]) ----------------------------------------
API_SCOPE_MISSING = _rule(
    "api.scope.missing",
    "error",
    "RFC 6750 §3.1 (insufficient_scope); provider fixture [profile.scopes] (each cites its docs)",
    "the access token lacks a scope the API endpoint needs; the provider refuses the call",
)
API_SCOPE_FIELD = _rule(
    "api.scope.field",
    "warning",
    "provider fixture [profile.scopes] fields (each cites its docs)",
    "the access token lacks the scope that releases a field; the provider leaves it out",
)
