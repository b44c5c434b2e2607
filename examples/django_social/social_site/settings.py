"""Settings as social-auth-app-django's docs say; nothing here knows about fakeidp.

The DigitalOcean backend calls DigitalOcean's production URLs (cloud.digitalocean.com,
api.digitalocean.com), the Twitter backend X's (api.twitter.com, OAuth 1.0a); keys and
secrets come from the environment.
"""

from __future__ import annotations

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "change me")
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ROOT_URLCONF = "social_site.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "social_django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "social_django.middleware.SocialAuthExceptionMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB", ":memory:"),
    }
}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

AUTHENTICATION_BACKENDS = [
    "social_core.backends.digitalocean.DigitalOceanOAuth",
    "social_core.backends.twitter.TwitterOAuth",  # X's OAuth 1.0a
    "django.contrib.auth.backends.ModelBackend",
]
SOCIAL_AUTH_DIGITALOCEAN_KEY = os.environ.get("DIGITALOCEAN_CLIENT_ID")
SOCIAL_AUTH_DIGITALOCEAN_SECRET = os.environ.get("DIGITALOCEAN_CLIENT_SECRET")
# DigitalOcean's scopes: "read" (the default) or "read write" (docs.digitalocean.com OAuth).
SOCIAL_AUTH_DIGITALOCEAN_SCOPE = ["read"]
SOCIAL_AUTH_TWITTER_KEY = os.environ.get("X_CONSUMER_KEY")
SOCIAL_AUTH_TWITTER_SECRET = os.environ.get("X_CONSUMER_SECRET")
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/"
# Where SocialAuthExceptionMiddleware sends the user when the login fails (a denial, say).
SOCIAL_AUTH_LOGIN_ERROR_URL = "/login-failed/"
