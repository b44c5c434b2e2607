"""Connection importers: the connector-config dialects a Connection can come from.

- :func:`from_auth0`: an Auth0 custom social connection (OAuth 2.0 or 1.0a),
  as the Management API takes it or as the HAR request in Auth0's docs
  (:mod:`fakeidp.client.auth0`);
- :func:`from_integration_app`: an integration.app OAuth2 connector config,
  YAML, JSON or a dict (:mod:`fakeidp.client.integration_app`).

Every mistake in a config is a :class:`~fakeidp.client.connection.ConnectionError`
that names the key, such as ``options.upstream_params.screen_name.alias``.
"""

from __future__ import annotations

from .auth0 import from_auth0
from .integration_app import from_integration_app

__all__ = ["from_auth0", "from_integration_app"]
