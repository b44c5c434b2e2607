"""Testing the FastAPI + authlib (httpx) app with fakeidp: production URLs, intercepted.

The app's calls to X go through httpx2's AsyncClient (httpx's where httpx2 is not
installed); under the marker's interception they reach the test's fake IdP, as requests
calls do, whichever of the two authlib picked. The tests talk to the app the way
FastAPI's docs test async apps: httpx.AsyncClient over httpx.ASGITransport, with anyio's
pytest plugin. Run with ``pytest examples/fastapi_httpx``.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi_app import create_app

pytestmark = [pytest.mark.anyio, pytest.mark.fakeidp(provider="x-oauth2", intercept=True)]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def client(fakeidp):
    creds = fakeidp.credentials()
    app = create_app({"X_CLIENT_ID": creds.client_id, "X_CLIENT_SECRET": creds.client_secret})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_login(client, fakeidp):
    response = await fakeidp.browser.alogin(client, "/login")
    assert response.status_code == 302
    assert (await client.get("/")).json() == {
        "logged_in": True,
        "user": {"id": "1460123456789012480", "username": "fakeidptest"},
    }
    # X demands PKCE (S256 here) and HTTP Basic from a confidential client: no finding.
    assert [e.endpoint for e in fakeidp.exchanges()] == ["authorize", "token", "users_me"]
    assert fakeidp.findings() == []


async def test_login_step_by_step(client, fakeidp):
    callback = fakeidp.browser.authorize(await client.get("/login"), login="alice")
    assert callback.url.startswith("http://testserver/callback?code=")
    assert (await client.get(callback.path)).status_code == 302
    assert (await client.get("/")).json()["user"]["username"] == "alice"


async def test_the_user_denies(client, fakeidp):
    response = await fakeidp.browser.alogin(client, "/login", deny=True)
    assert response.status_code == 403 and response.json() == {"error": "access_denied"}
    assert (await client.get("/")).json() == {"logged_in": False}
