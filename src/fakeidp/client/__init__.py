"""The reference client: a correct connector, configured by a Connection."""

from .connection import Connection, ConnectionError
from .errors import LoginError
from .oauth2 import LoginResult, OAuth2Client

__all__ = ["Connection", "ConnectionError", "LoginError", "LoginResult", "OAuth2Client"]
