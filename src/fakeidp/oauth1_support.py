"""Hook point for the OAuth 1.0a side: importing it registers its views and authenticator."""

from .idp import oauth1 as _oauth1  # noqa: F401
