"""An integration.app connector directory, run as it says: ``--target integration-app:DIR``.

A connector (shared/seeds/003, 004) is a directory: ``spec.yml`` names how each
auth method is implemented, ``auth/get-oauth-config.map.yml`` is the OAuth2
config mapping, and the optional JavaScript methods ``getTokenData``,
``getCredentialsFromTokenResponse``, ``refreshCredentials`` and ``test``
(``auth/get-token-data.js``, ...) replace parts of the default flow. This target
logs in with the mapping's settings and runs each JavaScript method in Node.js
(:mod:`fakeidp.nodejs`) with ``fetch`` routed to the fake IdP for the provider's
real URLs, so the checks judge what the connector actually sent, not its config.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..client.connection import Connection, ConnectionError
from ..client.integration_app import from_integration_app
from ..client.oauth2 import OAuth2Client
from ..nodejs import DEFAULT_TIMEOUT, NODE_MISSING, find_node, run_script
from .environment import Environment, Outcome, Settings
from .scripted import fake_fetch
from .targets import ConnectionTarget, TargetError

if TYPE_CHECKING:
    from ..handle import FakeIdP

CONFIG_FILE = "auth/get-oauth-config.map.yml"
# The methods a connector may implement in JavaScript (seed 004 "Configuration").
METHODS = ("getTokenData", "getCredentialsFromTokenResponse", "refreshCredentials", "test")
# What rests on which method: results that say so when Node.js is missing.
DEPENDS = {
    "getTokenData": {"login", "token.client_auth", "token.custom_headers", "authorize.pkce"},
    "getCredentialsFromTokenResponse": {"login"},
    "refreshCredentials": {"token.refresh"},
    "test": {"login"},
}


def _kebab(name: str) -> str:
    """``getTokenData`` -> ``get-token-data`` (the docs' file names)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


@dataclass(frozen=True)
class ConnectorDir:
    path: Path
    connection: Connection
    config: Mapping[str, Any]
    # method name -> (file, JavaScript source)
    methods: Mapping[str, tuple[Path, str]] = field(default_factory=dict)


def _fail(file: Path, key: str, message: str) -> TargetError:
    return TargetError(f"{file}: key '{key}': {message}")


def read_connector_dir(path: Path, parameters: Mapping[str, Any]) -> ConnectorDir:
    """Read ``spec.yml``, the config mapping and the JavaScript methods; one line per mistake."""
    spec_file = path / "spec.yml"
    try:
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(
            f"{spec_file}: missing: an integration.app connector directory has a spec.yml"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetError(f"{spec_file}: cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise TargetError(f"{spec_file}: not valid YAML{line}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("auth"), dict):
        raise _fail(spec_file, "auth", "missing: expected a table with type: oauth2")
    auth = spec["auth"]
    if auth.get("type") != "oauth2":
        raise _fail(spec_file, "auth.type", f"expected oauth2, got {auth.get('type')!r}")
    for method, entry in auth.items():
        if method == "type":
            continue
        if not isinstance(entry, dict) or entry.get("implementationType") not in (
            "mapping",
            "javascript",
        ):
            raise _fail(
                spec_file,
                f"auth.{method}.implementationType",
                f"expected mapping or javascript, got {entry!r}",
            )
    config_file = path / CONFIG_FILE
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(
            spec_file, "auth.getOAuthConfig", f"its mapping {CONFIG_FILE} is missing"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetError(f"{config_file}: cannot be read: {exc}") from None
    try:
        connection = from_integration_app(text, source=str(config_file), parameters=parameters)
        config = yaml.safe_load(text)
    except ConnectionError as exc:
        raise TargetError(str(exc)) from None
    methods: dict[str, tuple[Path, str]] = {}
    for method in METHODS:
        entry = auth.get(method)
        if not isinstance(entry, dict) or entry.get("implementationType") != "javascript":
            continue
        file = path / "auth" / f"{_kebab(method)}.js"
        try:
            methods[method] = (file, file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise _fail(
                spec_file, f"auth.{method}", f"is javascript but auth/{file.name} is missing"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TargetError(f"{file}: cannot be read: {exc}") from None
    return ConnectorDir(path, connection, config if isinstance(config, dict) else {}, methods)


class IntegrationAppTarget(ConnectionTarget):
    """A connector directory: its config mapping, and its JavaScript methods run in Node.js."""

    def __init__(
        self,
        connector: ConnectorDir,
        name: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        node: str | None = None,
    ) -> None:
        super().__init__(connector.connection, name)
        self.connector = connector
        self.timeout = timeout
        self.node = node or find_node()
        self._idp: FakeIdP | None = None

    def open(self, idp: FakeIdP, settings: Mapping[str, Settings]) -> None:
        self._idp = idp

    def has(self, method: str) -> bool:
        return method in self.connector.methods and self.node is not None

    def notes(self) -> list[str]:
        if self.connector.methods and self.node is None:
            names = ", ".join(self.connector.methods)
            return [f"{NODE_MISSING}: the connector's {names} were read, not run"]
        return []

    def note_for(self, check_id: str) -> str | None:
        if self.node is not None:
            return None
        if any(check_id in DEPENDS[m] for m in self.connector.methods):
            return NODE_MISSING
        return None

    # -- the flow ------------------------------------------------------------------
    def callback(self, env: Environment, url: str) -> Outcome:
        if not any(self.has(m) for m in METHODS):
            return super().callback(env, url)
        connection = self.connection(env)
        client = OAuth2Client(connection, env.session)
        auth = env.scratch["auth"]
        code = self.parse_callback(client, url, auth.state)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        base = self._parameters(env)
        if self.has("getTokenData"):
            token = self.run(
                env,
                "getTokenData",
                {
                    **base,
                    "codeVerifier": auth.code_verifier,
                    "queryParameters": query,
                    "redirectUri": env.redirect_uri,
                },
            )
            if not isinstance(token, dict) or "access_token" not in token:
                return Outcome(
                    error="token_error",
                    message=f"getTokenData returned no access_token: {str(token)[:200]}",
                )
        else:
            token = client.fetch_token(code, auth.code_verifier)
        credentials = token
        if self.has("getCredentialsFromTokenResponse"):
            credentials = self.run(
                env,
                "getCredentialsFromTokenResponse",
                {**base, "queryParameters": query, "tokenResponse": token},
            )
            if not isinstance(credentials, dict) or "access_token" not in credentials:
                return Outcome(
                    error="token_error",
                    message="getCredentialsFromTokenResponse returned no access_token",
                )
        env.scratch["token"] = credentials
        return self._user(env, client, credentials)

    def refresh(self, env: Environment) -> Outcome:
        if not self.has("refreshCredentials"):
            return super().refresh(env)
        credentials: dict[str, Any] = env.scratch["token"]
        fresh = self.run(
            env, "refreshCredentials", {**self._parameters(env), "credentials": credentials}
        )
        if not isinstance(fresh, dict) or not fresh.get("access_token"):
            return Outcome(error="token_error", message="refreshCredentials gave no access_token")
        # seed 004: "they will be merged with existing credentials"
        merged = {**credentials, **{k: v for k, v in fresh.items() if v is not None}}
        env.scratch["token"] = merged
        return self._user(env, OAuth2Client(self.connection(env), env.session), merged)

    def _user(self, env: Environment, client: OAuth2Client, credentials: Any) -> Outcome:
        if self.has("test"):
            result = self.run(env, "test", {**self._parameters(env), "credentials": credentials})
            if result is False:
                return Outcome(error="test_failed", message="the connector's test returned false")
        _, user_id = client.fetch_profile(credentials["access_token"])
        return Outcome(user_id=user_id)

    # -- running a method -------------------------------------------------------------
    def _parameters(self, env: Environment) -> dict[str, Any]:
        """What every method is given. ``connectorParameters`` holds the test client, and the
        resolved config too: the docs' own getTokenData reads ``connectorParameters.tokenUri``."""
        config = {k: v for k, v in self.connector.config.items() if isinstance(v, str | list)}
        resolved = {
            "authorizeUri": self.original.authorize_url,
            "tokenUri": self.original.token_url,
            "scopes": list(self.original.scopes),
        }
        return {
            "connectorParameters": {
                **config,
                **resolved,
                "clientId": env.client_id,
                "clientSecret": env.client_secret,
            },
            "connectionParameters": {},
        }

    def run(self, env: Environment, method: str, argument: Mapping[str, Any]) -> Any:
        """Run one JavaScript method; its error is the login's (a LoginError-like raise)."""
        assert self._idp is not None
        file, source = self.connector.methods[method]
        result = run_script(
            source,
            [dict(argument)],
            fake_fetch(self._idp, env.provider),
            kind="module",
            export=method,
            filename=file.name,
            timeout=self.timeout,
            node=self.node,
        )
        if result.refused:
            raise MethodFailed(f"{method} {result.refused[0]}")
        if not result.ok:
            raise MethodFailed(f"{method} failed: {result.describe_error(file.name)}")
        return result.value


class MethodFailed(Exception):
    """A connector method threw, timed out or called another host."""

    kind = "script_error"


def load_connector_dir(spec: str, path: Path, parameters: Mapping[str, Any]) -> ConnectionTarget:
    connector = read_connector_dir(path, parameters)
    return IntegrationAppTarget(connector, name=f"integration-app connector {path}")


__all__ = [
    "ConnectorDir",
    "IntegrationAppTarget",
    "MethodFailed",
    "load_connector_dir",
    "read_connector_dir",
]
