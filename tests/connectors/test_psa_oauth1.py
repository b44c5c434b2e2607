"""python-social-auth's OAuth 1.0a backends, unmodified, log in at the providers' real URLs.

None of these providers has a refresh (OAuth 1.0a tokens do not expire: PROVIDERS.md §5,
§9, §11), so a login is the whole flow. The backends sign with requests-oauthlib's
``OAuth1``, which sets header values as bytes: the in-process transport must take them.
"""

from __future__ import annotations

import pytest
from social_core.backends.tumblr import TumblrOAuth
from social_core.backends.twitter import TwitterOAuth
from social_core.backends.xing import XingOAuth
from social_core.exceptions import AuthCanceled

import fakeidp
from tests.connectors.helpers import USER_IDS, assert_clean, browser, query_of
from tests.connectors.psa import App


def app_for(idp: fakeidp.FakeIdP, pid: str, backend: type) -> App:
    creds = idp.credentials(pid)
    return App(backend, creds.client_id, creds.client_secret)


def test_twitter_login(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "x", TwitterOAuth)
    url = app.start()
    # psa signs in through /oauth/authenticate (twitter.py AUTHORIZATION_URL), POSTs the
    # request-token call (REQUEST_TOKEN_METHOD) and adds redirect_uri to the authorize URL.
    assert url.startswith("https://api.twitter.com/oauth/authenticate?")
    callback = browser(url)
    assert "oauth_verifier" in query_of(callback)
    user = app.complete(callback)
    # verify_credentials.json answers the v1.1 user; psa's id is its "id".
    assert str(user.uid) == USER_IDS["x"]
    assert [e.endpoint for e in idp.exchanges()][:3] == [
        "request_token",
        "authenticate",
        "access_token",
    ]
    # psa adds redirect_uri to the OAuth 1.0a authorize URL (PROVIDERS.md §0), a parameter X
    # does not define and ignores: a warning, not a refusal.
    extra = idp.findings(rule="oauth1.authorize.unknown_param")
    assert [(f.severity, f.actual) for f in extra] == [("warning", "redirect_uri")]
    assert_clean(idp)


def test_tumblr_login(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "tumblr", TumblrOAuth)
    user = app.login()
    # psa's tumblr backend identifies the user by the primary blog's uuid (tumblr.py
    # ID_KEY = "uuid"; the name is a mutable legacy key). Tumblr's /v2/user/info blogs carry
    # "uuid" (tumblr/docs api.md, user/info response), so the fake's must too.
    info = user.response["response"]["user"]
    primary = next(b for b in info["blogs"] if b.get("primary"))
    assert user.uid == primary["uuid"]
    assert info["name"] == USER_IDS["tumblr"]
    assert_clean(idp)


def test_xing_login(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "xing", XingOAuth)
    user = app.login()
    # psa signs the profile call without oauth_callback and oauth_verifier
    # (xing.py clean_oauth_auth), which XING wants (PROVIDERS.md §9).
    assert user.uid == USER_IDS["xing"]
    assert user.response["user_id"] == USER_IDS["xing"]
    assert_clean(idp)


def test_twitter_denial_is_a_cancel(idp: fakeidp.FakeIdP) -> None:
    app = app_for(idp, "x", TwitterOAuth)
    idp.deny_next("x")
    callback = browser(app.start())
    # X sends the user back with ?denied=<request token> (PROVIDERS.md §11); psa's twitter
    # backend reads that as a cancel (twitter.py process_error).
    assert "denied" in query_of(callback)
    with pytest.raises(AuthCanceled):
        app.complete(callback)
    assert [e.endpoint for e in idp.exchanges()] == ["request_token", "authenticate"]
    assert_clean(idp)
