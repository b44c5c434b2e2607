"""A Flask app that logs its users in with Twitch through authlib, as authlib's docs say.

It knows nothing of fakeidp: the URLs are Twitch's production ones and the
credentials come from the environment. ``test_flask_app.py`` tests it with the
fakeidp pytest plugin (interception and the browser helper).
"""

from __future__ import annotations

import os
from typing import Any

from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, redirect, session, url_for


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "change me"),
        TWITCH_CLIENT_ID=os.environ.get("TWITCH_CLIENT_ID"),
        TWITCH_CLIENT_SECRET=os.environ.get("TWITCH_CLIENT_SECRET"),
    )
    app.config.update(config or {})

    oauth = OAuth(app)
    oauth.register(
        "twitch",
        authorize_url="https://id.twitch.tv/oauth2/authorize",
        access_token_url="https://id.twitch.tv/oauth2/token",
        api_base_url="https://api.twitch.tv/helix/",
        # Twitch reads client credentials from the form body only, never from HTTP Basic
        # (dev.twitch.tv/docs/authentication/getting-tokens-oauth).
        client_kwargs={
            "scope": "user:read:email",
            "token_endpoint_auth_method": "client_secret_post",
        },
    )

    @app.get("/")
    def home() -> Any:
        user = session.get("user")
        if user is None:
            return {"logged_in": False}
        return {"logged_in": True, "user": user}

    @app.get("/login")
    def login() -> Any:
        return oauth.twitch.authorize_redirect(url_for("callback", _external=True))

    @app.get("/callback")
    def callback() -> Any:
        try:
            token = oauth.twitch.authorize_access_token()
        except OAuthError as exc:  # error=access_denied when the user said no
            return {"error": exc.error}, 403
        # Helix wants the app's Client-Id beside the token (dev.twitch.tv/docs/api/reference).
        headers = {"Client-Id": app.config["TWITCH_CLIENT_ID"]}
        data = oauth.twitch.get("users", token=token, headers=headers).json()["data"][0]
        session["user"] = {"id": data["id"], "login": data["login"]}
        return redirect(url_for("home"))

    return app
