"""Connectors broken on purpose: the reference client with one thing done wrong each."""

from __future__ import annotations

import urllib.parse
from typing import Any

from fakeidp.client.connection import Connection
from fakeidp.client.oauth1 import OAuth1Client
from fakeidp.client.oauth2 import OAuth2Client
from fakeidp.conformance import Environment, Outcome, ReferenceTarget
from fakeidp.providers import builtin_providers


class CommaScopes(ReferenceTarget):
    """Joins scopes with a comma (Auth0's default) where providers want spaces."""

    name = "comma separator"

    def connection(self, env: Environment) -> Connection:
        c = env.connection
        return c.replace(scope_separator=",") if c.protocol == "oauth2" else c


class BasicEverywhere(ReferenceTarget):
    """Sends client credentials with HTTP Basic, even to body-only providers (Twitch)."""

    name = "basic auth"

    def connection(self, env: Environment) -> Connection:
        c = env.connection
        return c.replace(client_auth="basic") if c.protocol == "oauth2" else c


class NoStaticParams(ReferenceTarget):
    """Forgets the configured static params (WordPress ``blog``)."""

    name = "missing blog"

    def connection(self, env: Environment) -> Connection:
        return env.connection.replace(static_params={})


class NoStateCheck(ReferenceTarget):
    """Takes the code from the callback without comparing its state (or oauth_token)."""

    name = "no state check"

    def parse_callback(self, client: OAuth2Client | OAuth1Client, url: str, expected: str) -> str:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        echoed = query.get("state" if isinstance(client, OAuth2Client) else "oauth_token")
        return client.parse_callback(url, echoed)  # type: ignore[arg-type]


class HmacToJira(ReferenceTarget):
    """Signs with HMAC-SHA1 where JIRA accepts only RSA-SHA1."""

    name = "hmac to jira"

    def connection(self, env: Environment) -> Connection:
        c = env.connection
        if c.protocol != "oauth1" or c.signature_method != "RSA-SHA1":
            return c
        return c.replace(
            signature_method="HMAC-SHA1", client_secret="not-the-key", rsa_private_key=None
        )


class NoRefresh(ReferenceTarget):
    """Never refreshes: after expiry it keeps calling the API with the old access token."""

    name = "no refresh handling"

    def refresh(self, env: Environment) -> Any:
        c = env.connection
        client = OAuth2Client(c, env.session)
        _, user_id = client.fetch_profile(env.scratch["token"]["access_token"])
        return Outcome(user_id=user_id)


class TooFewScopes(ReferenceTarget):
    """Leaves out a scope the provider's profile API needs (X: asks for users.read without
    tweet.read), as connectors that ask only for what the user is read with do."""

    name = "too few scopes"

    def connection(self, env: Environment) -> Connection:
        c = env.connection
        needs = builtin_providers()[env.provider].primary_profile.scopes
        if c.protocol != "oauth2" or needs is None or not needs.asked():
            return c
        return c.replace(scopes=tuple(s for s in c.scopes if s != needs.asked()[0]))
