"""A FastAPI app that logs its users in with X (OAuth 2.0 with PKCE) through authlib's
Starlette integration, whose client is authlib's AsyncOAuth2Client: an httpx2 AsyncClient
where httpx2 is installed (authlib prefers it), an httpx one otherwise.

It knows nothing of fakeidp: the URLs are X's production ones and the credentials
come from the environment. ``test_fastapi_app.py`` tests it with the fakeidp plugin.
"""

from __future__ import annotations

import os
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware


def create_app(settings: dict[str, Any] | None = None) -> FastAPI:
    config = {
        "X_CLIENT_ID": os.environ.get("X_CLIENT_ID"),
        "X_CLIENT_SECRET": os.environ.get("X_CLIENT_SECRET"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "change me"),
        **(settings or {}),
    }
    oauth = OAuth()
    oauth.register(
        "x",
        client_id=config["X_CLIENT_ID"],
        client_secret=config["X_CLIENT_SECRET"],
        # docs.x.com, OAuth 2.0 authorization code with PKCE: authorize at x.com, the token
        # and the API at api.x.com; a confidential client authenticates with HTTP Basic
        # (authlib's default, client_secret_basic).
        authorize_url="https://x.com/i/oauth2/authorize",
        access_token_url="https://api.x.com/2/oauth2/token",
        api_base_url="https://api.x.com/2/",
        client_kwargs={"scope": "tweet.read users.read", "code_challenge_method": "S256"},
    )

    app = FastAPI()
    app.add_middleware(SessionMiddleware, secret_key=config["SECRET_KEY"])

    @app.get("/")
    async def home(request: Request) -> Any:
        user = request.session.get("user")
        return {"logged_in": user is not None, **({"user": user} if user else {})}

    @app.get("/login")
    async def login(request: Request) -> Any:
        return await oauth.x.authorize_redirect(request, str(request.url_for("callback")))

    @app.get("/callback")
    async def callback(request: Request) -> Any:
        try:
            token = await oauth.x.authorize_access_token(request)
        except OAuthError as exc:  # error=access_denied when the user said no
            return JSONResponse({"error": exc.error}, status_code=403)
        me = (await oauth.x.get("users/me", token=token)).json()["data"]
        request.session["user"] = {"id": me["id"], "username": me["username"]}
        return RedirectResponse("/", status_code=302)

    return app
