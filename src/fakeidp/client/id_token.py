"""OpenID Connect for the reference client: discovery, the JWKS, and ID token validation.

:func:`validate_id_token` follows OpenID Connect Core 1.0 §3.1.3.7 for the
authorization code flow: the issuer is the one the client was configured with
(and the discovery document says so too, Discovery §4.3), the client is an
audience and the only one (or the ``azp``), the signature verifies with RS256
and a key of the provider's JWKS, ``exp`` is in the future, ``iat`` is not,
``sub`` is present, and the ``nonce`` is the one sent. A ``kid`` the cached
JWKS does not hold makes the client fetch the JWKS again, once (§10.1.1: the
provider rotates its keys by publishing new ones there). Signatures come from
PyJWT; nothing here is hand-rolled crypto.

Every failure is a :class:`~fakeidp.client.errors.LoginError`:
``discovery_error``, or ``id_token_invalid`` whose ``error`` names what was
wrong (``missing``, ``malformed``, ``alg``, ``kid``, ``signature``, ``iss``,
``aud``, ``azp``, ``exp``, ``iat``, ``sub``, ``nonce``).
"""

from __future__ import annotations

from typing import Any

import jwt
import requests

from .errors import LoginError

DISCOVERY_PATH = "/.well-known/openid-configuration"
ALGORITHMS = ["RS256"]  # §3.1.3.7 step 7: RS256 unless the client registered another
LEEWAY = 60  # seconds of clock skew tolerated on exp and iat
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]  # OIDC Core §2


def issuer_of(discovery_url: str) -> str:
    """The issuer whose discovery document is at ``discovery_url`` (Discovery §4)."""
    return discovery_url.removesuffix(DISCOVERY_PATH)


class OpenIDProvider:
    """One issuer's discovery document and JWKS, fetched when first needed and kept.

    ``refetch_unknown_kid=False`` makes a client that never refetches the JWKS
    (wrong: it breaks at the provider's next key rotation).
    """

    def __init__(
        self,
        issuer: str,
        session: requests.Session,
        timeout: float = 10.0,
        *,
        refetch_unknown_kid: bool = True,
    ) -> None:
        self.issuer = issuer
        self.session = session
        self.timeout = timeout
        self.refetch_unknown_kid = refetch_unknown_kid
        self._metadata: dict[str, Any] | None = None
        self._keys: list[dict[str, Any]] | None = None

    def metadata(self) -> dict[str, Any]:
        """The discovery document, its issuer checked (Discovery §4.3)."""
        if self._metadata is None:
            url = self.issuer.rstrip("/") + DISCOVERY_PATH
            doc = self._get_json(url, "discovery_error", "the discovery document")
            if not isinstance(doc, dict):
                raise LoginError("discovery_error", "the discovery document is not a JSON object")
            if doc.get("issuer") != self.issuer:
                # Discovery §4.3: "MUST be identical to the Issuer URL that was used as the
                # prefix to /.well-known/openid-configuration".
                raise LoginError(
                    "discovery_error",
                    f"the discovery document's issuer {doc.get('issuer')!r} is not "
                    f"{self.issuer!r}, where it was fetched from (Discovery §4.3)",
                    body=doc,
                )
            if not isinstance(doc.get("jwks_uri"), str):
                raise LoginError("discovery_error", "the discovery document has no jwks_uri")
            self._metadata = doc
        return self._metadata

    def advertises_authorization_iss(self) -> bool:
        """RFC 9207 §3: the discovery document (if already read) promises iss."""
        return bool(
            self._metadata and self._metadata.get("authorization_response_iss_parameter_supported")
        )

    def keys(self, *, refetch: bool = False) -> list[dict[str, Any]]:
        """The signing keys of the JWKS (RFC 7517 §5), fetched again when ``refetch``."""
        if self._keys is None or refetch:
            doc = self._get_json(self.metadata()["jwks_uri"], "id_token_invalid", "the JWKS")
            keys = doc.get("keys") if isinstance(doc, dict) else None
            if not isinstance(keys, list):
                raise LoginError("id_token_invalid", "the JWKS has no keys", error="kid")
            self._keys = [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"]
        return self._keys

    def key_for(self, header: dict[str, Any]) -> jwt.PyJWK:
        """The key a token's header names (refetching on an unknown kid), or the only one."""
        kid = header.get("kid")
        if kid is None:
            keys = self.keys()
            # §10.1: "If there are multiple keys ... a kid value MUST be provided".
            if len(keys) != 1:
                raise LoginError(
                    "id_token_invalid",
                    f"the ID token has no kid and the JWKS holds {len(keys)} keys",
                    error="kid",
                )
            return jwt.PyJWK(keys[0], ALGORITHMS[0])
        matching = [k for k in self.keys() if k.get("kid") == kid]
        if not matching and self.refetch_unknown_kid:
            matching = [k for k in self.keys(refetch=True) if k.get("kid") == kid]
        if not matching:
            raise LoginError(
                "id_token_invalid", f"no key {kid!r} in the provider's JWKS", error="kid"
            )
        return jwt.PyJWK(matching[0], ALGORITHMS[0])

    def _get_json(self, url: str, kind: str, what: str) -> Any:
        try:
            response = self.session.get(
                url, headers={"Accept": "application/json"}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise LoginError("network_error", f"fetching {what} failed: {exc}") from None
        if response.status_code != 200:
            raise LoginError(
                kind, f"{what} answered {response.status_code}", status=response.status_code
            )
        try:
            return response.json()
        except ValueError:
            raise LoginError(kind, f"{what} is not JSON", status=200) from None


def _invalid(error: str, message: str) -> LoginError:
    return LoginError("id_token_invalid", message, error=error)


# PyJWT's exceptions, most specific first, as what was wrong.
_PYJWT_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "exp"),
    (jwt.ImmatureSignatureError, "iat"),
    (jwt.InvalidIssuedAtError, "iat"),
    (jwt.InvalidAudienceError, "aud"),
    (jwt.InvalidIssuerError, "iss"),
    (jwt.InvalidSignatureError, "signature"),
    (jwt.InvalidAlgorithmError, "alg"),
)


def validate_id_token(
    id_token: Any,
    provider: OpenIDProvider,
    client_id: str,
    nonce: str | None,
) -> dict[str, Any]:
    """The ID token's claims, once valid by OIDC Core §3.1.3.7; else ``id_token_invalid``."""
    if not isinstance(id_token, str) or not id_token:
        # §3.1.3.3: a successful token response to an openid request holds an id_token.
        raise _invalid("missing", "the token response has no id_token")
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.DecodeError as exc:
        raise _invalid("malformed", f"the ID token is not a JWS: {exc}") from None
    if header.get("alg") not in ALGORITHMS:  # step 7; alg none is never accepted
        raise _invalid("alg", f"the ID token is signed with {header.get('alg')!r}, not RS256")
    key = provider.key_for(header)
    issuer = provider.metadata()["issuer"]
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=ALGORITHMS,
            audience=client_id,  # step 3
            issuer=issuer,  # step 2
            leeway=LEEWAY,  # steps 9 and 10
            options={"require": REQUIRED_CLAIMS, "verify_iat": True},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise _invalid(exc.claim, f"the ID token has no {exc.claim} claim") from None
    except jwt.PyJWTError as exc:
        error = next((name for cls, name in _PYJWT_ERRORS if isinstance(exc, cls)), "malformed")
        raise _invalid(error, f"the ID token is not valid: {exc}") from None
    aud = claims["aud"]
    audiences = aud if isinstance(aud, list) else [aud]
    others = [a for a in audiences if a != client_id]
    if others:  # step 3: "or if it contains additional audiences not trusted by the Client"
        raise _invalid("aud", f"the ID token is also for {others[0]!r}")
    if "azp" in claims and claims["azp"] != client_id:  # step 5
        raise _invalid("azp", f"the ID token's azp is {claims['azp']!r}, not this client")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise _invalid("sub", "the ID token's sub is not a non-empty string")
    if nonce is not None and claims.get("nonce") != nonce:  # step 11
        what = "no nonce" if "nonce" not in claims else f"the nonce {claims['nonce']!r}"
        raise _invalid("nonce", f"the ID token carries {what}, not the one the client sent")
    return claims
