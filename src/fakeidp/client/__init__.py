"""The reference client: a correct connector, configured by a Connection."""

from .connection import Connection, ConnectionError
from .errors import LoginError
from .importers import from_auth0, from_integration_app
from .oauth1 import OAuth1Client
from .oauth2 import LoginResult, OAuth2Client

__all__ = [
    "Connection",
    "ConnectionError",
    "LoginError",
    "LoginResult",
    "OAuth1Client",
    "OAuth2Client",
    "from_auth0",
    "from_integration_app",
]
