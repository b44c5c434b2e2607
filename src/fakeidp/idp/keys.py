"""The RSA key an app signs ID tokens with (RFC 7518 §3.3 RS256), and its JWK (RFC 7517).

One key per app, made when first needed (a 2048-bit key takes a noticeable
fraction of a second) and kept across ``reset()``, so a client that cached the
JWKS keeps validating. Key math comes from ``cryptography`` and PyJWT.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls) -> SigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(private_key, thumbprint(public_jwk(private_key.public_key())))

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK with ``kid``, ``use`` and ``alg`` (RFC 7517 §4)."""
        return {
            **public_jwk(self.private_key.public_key()),
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
        }

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    return {k: jwk[k] for k in ("kty", "n", "e")}


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 §3: SHA-256 over the required members, sorted, without whitespace."""
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
