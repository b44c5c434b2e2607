"""Connection importers: Auth0 connection bodies (seeds 000-002) and integration.app configs
(seeds 003-004), down to a login against the fake IdP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import fakeidp
from fakeidp.client import Connection, ConnectionError, from_auth0, from_integration_app

SEEDS = Path(__file__).parent.parent / "data" / "auth0_seed_002"
# seed file -> (provider fixture, the profile field the seed's script makes the user id)
OAUTH2_SEEDS = {
    "digitalocean": ("digitalocean", "uuid"),
    "dribbble": ("dribbble", "id"),
    "imgur": ("imgur", "id"),
    "twitch": ("twitch-kraken", "_id"),  # the seed body points at Kraken
    "uber": ("uber", "uuid"),
    "vimeo": ("vimeo", "uri"),
}
OAUTH1_SEEDS = ("jira", "tumblr", "xing")
JIRA_URL = "https://jira.example.com"

DO_AUTHORIZE = "https://cloud.digitalocean.com/v1/oauth/authorize"
DO_TOKEN = "https://cloud.digitalocean.com/v1/oauth/token"
DO_ACCOUNT = "https://api.digitalocean.com/v2/account"
# seed 000's example script, pointed at DigitalOcean's account API.
SEED_000_SCRIPT = """function fetchUserProfile(accessToken, context, callback) {
  request.get(
    {
      url: 'https://api.digitalocean.com/v2/account',
      headers: {
        'Authorization': 'Bearer ' + accessToken,
      }
    },
    (err, resp, body) => {
      if (err) {
        return callback(err);
      }
      let bodyParsed;
      try {
        bodyParsed = JSON.parse(body);
      } catch (jsonError) {
        return callback(new Error(body));
      }
      const profile = {
        user_id: bodyParsed.account.uuid,
        email: bodyParsed.account.email
      };
      callback(null, profile);
    }
  );
}"""


def seed(name: str) -> str:
    return (SEEDS / f"{name}.har.json").read_text()


def do_body(**options: Any) -> dict[str, Any]:
    """An Auth0 connection to DigitalOcean with the fake IdP's test client."""
    base: dict[str, Any] = {
        "client_id": "fakeidp-digitalocean-client-id",
        "client_secret": "fakeidp-digitalocean-client-secret",
        "authorizationURL": DO_AUTHORIZE,
        "tokenURL": DO_TOKEN,
        "scope": ["read"],
        "scripts": {"fetchUserProfile": SEED_000_SCRIPT},
    }
    base.update(options)
    return {"name": "digitalocean", "strategy": "oauth2", "options": base}


def error_key(excinfo: pytest.ExceptionInfo[ConnectionError]) -> str:
    return excinfo.value.key


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def jira_har(pem: str | None) -> dict[str, Any]:
    """The JIRA seed with its placeholders replaced, as its instructions say."""
    har: dict[str, Any] = json.loads(seed("jira"))
    text = har["postData"]["text"].replace("JIRA_URL", JIRA_URL)
    if pem is not None:
        text = text.replace("CONSUMER_SECRET", json.dumps(pem)[1:-1])
    har["postData"]["text"] = text
    return har


# -- seed 002, as printed ---------------------------------------------------------


@pytest.mark.parametrize("name", [*OAUTH2_SEEDS, *OAUTH1_SEEDS])
def test_seed_002_body_is_refused_in_strict_mode_with_where_and_how(name: str) -> None:
    with pytest.raises(ConnectionError) as excinfo:
        from_auth0(seed(name))
    message = str(excinfo.value)
    assert error_key(excinfo) == "postData.text"
    key = "consumerKey" if name == "jira" else "client_id"
    assert f"',' where ':' belongs after \"{key}\"" in message
    assert "line 1 column " in message
    assert "forgiving=True" in message
    if name != "uber":  # the one body printed with all its closing brackets
        assert "'\"}}}' is missing" in message


@pytest.mark.parametrize("name", list(OAUTH2_SEEDS))
def test_seed_002_oauth2_body_imports_forgiving_and_logs_in(name: str) -> None:
    provider_id, field = OAUTH2_SEEDS[name]
    connection = from_auth0(seed(name), forgiving=True)
    assert connection.protocol == "oauth2"
    assert connection.client_auth == "body" and not connection.pkce
    # Lenient mode serves even a retired API's legacy answer, so an old connector still runs.
    with fakeidp.intercept(strict=name not in RETIRED_SEEDS) as idp:
        # The seed's placeholder credentials, registered as a client of the fake.
        idp.register_client(provider_id, connection.client_id, connection.client_secret)
        result = fakeidp.OAuth2Client(connection).login()
        assert result.user_id == str(idp.user(provider_id).profile[field])
        errors = [f.rule for f in idp.errors()]
        if name in RETIRED_SEEDS:
            assert errors and set(errors) == {"provider.retired"}
        else:
            assert errors == []


# seed -> what the provider answers the seed's retired call today (status, a body value)
RETIRED_SEEDS = {
    # Kraken: 410 on every URL, the authorize page first (twitch_kraken.toml [[lifecycle]]).
    "twitch": (410, "this API has been removed."),
    # Dribbble v1: 401 "This version of the API is deprecated…" (dribbble.toml [[lifecycle]]).
    "dribbble": (401, "This version of the API is deprecated. This application must use v2: "),
}


@pytest.mark.parametrize("name", sorted(RETIRED_SEEDS))
def test_seed_002_retired_api_gets_the_answer_the_provider_gives_today(name: str) -> None:
    provider_id = OAUTH2_SEEDS[name][0]
    status, text = RETIRED_SEEDS[name]
    connection = from_auth0(seed(name), forgiving=True)
    with fakeidp.intercept() as idp:
        idp.register_client(provider_id, connection.client_id, connection.client_secret)
        with pytest.raises(fakeidp.LoginError) as caught:
            fakeidp.OAuth2Client(connection).login()
        assert caught.value.status == status
        assert text in json.dumps(caught.value.body)
        [finding] = idp.errors()
        assert finding.rule == "provider.retired"
        assert "was retired" in finding.message and "use instead" in finding.message


def test_seed_002_twitch_body_speaks_kraken() -> None:
    connection = from_auth0(seed("twitch"), forgiving=True)
    assert connection.profile_auth == "oauth"
    assert dict(connection.profile_headers) == {"Accept": "application/vnd.twitchtv.v3+json"}
    assert connection.user_id_path == "_id"


def test_credential_overrides_replace_the_placeholders() -> None:
    with fakeidp.intercept() as idp:
        creds = idp.credentials("uber")
        connection = from_auth0(
            seed("uber"),
            forgiving=True,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
        )
        assert fakeidp.OAuth2Client(connection).login().user_id == idp.user("uber").profile["uuid"]


@pytest.mark.parametrize(
    ("name", "profile_url", "user_id_path"),
    [
        ("tumblr", "https://api.tumblr.com/v2/user/info", "response.user.name"),
        ("xing", "https://api.xing.com/v1/users/me.json", "users.0.id"),
    ],
)
def test_seed_002_oauth1_body_imports_forgiving(
    name: str, profile_url: str, user_id_path: str
) -> None:
    connection = from_auth0(seed(name), forgiving=True)
    assert connection.protocol == "oauth1"
    assert connection.signature_method == "HMAC-SHA1"
    assert connection.profile_auth == "oauth1"
    assert (connection.profile_url, connection.user_id_path) == (profile_url, user_id_path)
    assert connection.client_secret and connection.client_secret.startswith("YOUR-")


def test_seed_002_jira_imports_with_rsa_key_and_two_profile_steps(rsa_pem: str) -> None:
    connection = from_auth0(jira_har(rsa_pem), forgiving=True)
    connection.validate()
    assert connection.protocol == "oauth1"
    assert connection.client_id == "CONSUMER_KEY"
    assert connection.signature_method == "RSA-SHA1"
    assert connection.rsa_private_key == rsa_pem and connection.client_secret is None
    assert connection.request_token_url == f"{JIRA_URL}/plugins/servlet/oauth/request-token"
    # The session first, its name carried into the user lookup, whose name is the user id.
    assert connection.profile_url == f"{JIRA_URL}/rest/auth/1/session"
    assert connection.user_id_path == "name"
    assert connection.profile_steps == (
        (f"{JIRA_URL}/rest/api/2/user?expand=groups&username=${{name}}", "name"),
    )


def test_seed_002_jira_with_its_placeholders_left_in_names_them() -> None:
    with pytest.raises(ConnectionError) as excinfo:
        from_auth0(seed("jira"), forgiving=True)
    assert error_key(excinfo) == "options.userAuthorizationURL"
    assert "'JIRA_URL' looks like a placeholder" in str(excinfo.value)


def test_jira_without_a_pem_names_the_consumer_secret_and_hides_it() -> None:
    har = jira_har(None)
    har["postData"]["text"] = har["postData"]["text"].replace("CONSUMER_SECRET", "s3cr3t-value")
    with pytest.raises(ConnectionError) as excinfo:
        from_auth0(har, forgiving=True)
    assert error_key(excinfo) == "options.consumerSecret"
    assert "PEM private key" in str(excinfo.value)
    assert "s3cr3t-value" not in str(excinfo.value)


def test_forgiving_repairs_only_the_known_slips() -> None:
    text = '{"name": "x", "strategy": "oauth2", "options": {"client_id": \'single\'}}'
    for forgiving in (False, True):
        with pytest.raises(ConnectionError) as excinfo:
            from_auth0(text, forgiving=forgiving)
        assert error_key(excinfo) == "(document)"
        assert str(excinfo.value).endswith("Expecting value at line 1 column 62")
    # Beside a slip it does repair, the error left is the one reported, slip mentioned.
    slipped = text.replace('"client_id":', '"client_id",')
    for forgiving in (False, True):
        with pytest.raises(ConnectionError) as excinfo:
            from_auth0(slipped, forgiving=forgiving)
        message = str(excinfo.value)
        assert "Expecting value at line 1 column 62" in message
        assert "line 1 column 60: ',' where ':' belongs" in message
        assert "forgiving=True repairs" not in message


def test_a_bare_body_with_the_comma_slip_is_refused_then_repaired() -> None:
    body = json.dumps(do_body()).replace('"client_id":', '"client_id",', 1)
    with pytest.raises(ConnectionError, match=r"key '\(document\)'.*forgiving=True repairs it"):
        from_auth0(body)
    assert from_auth0(body, forgiving=True).client_id == "fakeidp-digitalocean-client-id"


# -- Auth0 options ---------------------------------------------------------------


def login_at_do(connection: Connection, **login_params: str) -> Any:
    with fakeidp.intercept(strict=False) as idp:
        result = fakeidp.OAuth2Client(connection).login(login_params or None)
        return idp, result


def test_scopes_are_joined_with_a_comma_unless_the_space_toggle_is_on() -> None:
    two_scopes = do_body(scope="read write")
    with fakeidp.intercept() as idp:
        with pytest.raises(fakeidp.LoginError):
            fakeidp.OAuth2Client(from_auth0(two_scopes)).login()
        [authorize] = idp.exchanges("digitalocean", "authorize")
        assert authorize.query["scope"] == "read,write"
        assert [f.rule for f in idp.findings()] == ["oauth2.authorize.scope_separator"]

    spaced = do_body(scope=["read", "write"], useOauthSpecScope=True)
    with fakeidp.intercept() as idp:
        fakeidp.OAuth2Client(from_auth0(spaced)).login()
        [authorize] = idp.exchanges("digitalocean", "authorize")
        assert authorize.query["scope"] == "read write"
        assert idp.findings(rule="oauth2.authorize.scope_separator") == []


def test_static_and_dynamic_params_reach_the_authorize_endpoint() -> None:
    body = do_body(
        authParams={"prompt": "consent"},
        authParamsMap={"custom_param": "access_type"},
        upstream_params={
            "blog": {"value": "myblog.wordpress.com"},
            "screen_name": {"alias": "login_hint"},
        },
    )
    connection = from_auth0(body)
    assert dict(connection.static_params) == {"prompt": "consent", "blog": "myblog.wordpress.com"}
    assert dict(connection.dynamic_params) == {
        "custom_param": "access_type",
        "screen_name": "login_hint",
    }
    idp, _result = login_at_do(connection, login_hint="sammy", access_type="offline")
    [authorize] = idp.exchanges("digitalocean", "authorize")
    assert authorize.query["blog"] == "myblog.wordpress.com"
    assert authorize.query["prompt"] == "consent"
    assert authorize.query["screen_name"] == "sammy"
    assert authorize.query["custom_param"] == "offline"


def test_custom_headers_arrive_at_the_token_endpoint_only() -> None:
    connection = from_auth0(do_body(customHeaders={"X-Tenant": "acme", "X-Trace": "1"}))
    idp, _result = login_at_do(connection)
    [token] = idp.exchanges("digitalocean", "token")
    assert token.headers["X-Tenant"] == "acme" and token.headers["X-Trace"] == "1"
    [profile] = idp.exchanges("digitalocean", "account")
    assert "X-Tenant" not in profile.headers


def test_seed_000_script_shape_and_query_token_script_log_in() -> None:
    connection = from_auth0(do_body())
    assert (connection.profile_url, connection.user_id_path) == (DO_ACCOUNT, "account.uuid")

    script = (
        "function(accessToken, ctx, cb) { request.get('https://api.dribbble.com/v2/user"
        "?access_token=' + accessToken, function(e, r, b) { var p = JSON.parse(b); "
        "cb(null, p); });}"
    )
    body = {
        "name": "dribbble",
        "strategy": "oauth2",
        "options": {
            "client_id": "fakeidp-dribbble-client-id",
            "client_secret": "fakeidp-dribbble-client-secret",
            "authorizationURL": "https://dribbble.com/oauth/authorize",
            "tokenURL": "https://dribbble.com/oauth/token",
            "scope": "public",
            "icon_url": "https://cdn.example.com/icon.png",  # ignored, as other scripts are
            "scripts": {"fetchUserProfile": script, "getLogoutUrl": "function() {}"},
        },
    }
    dribbble = from_auth0(body)
    assert dribbble.profile_auth == "query:access_token"
    assert dribbble.profile_url == "https://api.dribbble.com/v2/user"
    with fakeidp.intercept() as idp:
        result = fakeidp.OAuth2Client(dribbble).login()
        assert result.user_id == str(idp.user("dribbble").profile["id"])


def test_unreadable_or_missing_script_falls_back_to_the_provider_fixture() -> None:
    opaque = "function(t, c, cb) { fetchSomehow('https://api.digitalocean.com/v2/account', cb); }"
    options: dict[str, Any]
    for options in ({"scripts": {"fetchUserProfile": opaque}}, {"scripts": {}}):
        connection = from_auth0(do_body(**options))
        assert connection.profile_url == DO_ACCOUNT
        assert (connection.profile_auth, connection.user_id_path) == ("bearer", "account.uuid")


def test_a_plain_body_without_the_har_wrapper_imports() -> None:
    body = json.loads(json.loads(seed("uber"))["postData"]["text"].replace('id",', 'id":'))
    assert from_auth0(body).name == "uber"  # a plain body, no HAR wrapper


# -- one bad input per error path ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ({**do_body(), "strategy": "waad"}, "strategy", "'oauth2' or 'oauth1'"),
        ({"name": "x", "strategy": "oauth2"}, "options", "is missing: expected an Auth0"),
        ({"name": "x", "options": ["a"]}, "options", "expected an object, got array"),
        (do_body(client_id=None), "options.client_id", "is missing"),
        (do_body(client_id=12), "options.client_id", "expected a string, got number"),
        (do_body(authorizationURL="/authorize"), "options.authorizationURL", "http(s) URL"),
        (do_body(tokenURL=None), "options.tokenURL", "is missing"),
        (do_body(scope=5), "options.scope", "got number"),
        (do_body(scope=["read", 5]), "options.scope", "array of strings"),
        (do_body(useOauthSpecScope="yes"), "options.useOauthSpecScope", "true or false"),
        (do_body(authParams="prompt=consent"), "options.authParams", "expected an object"),
        (do_body(authParams={"a": {"b": 1}}), "options.authParams.a", "got object"),
        (do_body(authParamsMap={"a": None}), "options.authParamsMap.a", "got null"),
        (do_body(customHeaders=["X-A: b"]), "options.customHeaders", "expected an object"),
        (do_body(pkce_enabled=1), "options.pkce_enabled", "true or false"),
        (do_body(upstream_params=[]), "options.upstream_params", "expected an object"),
        (do_body(upstream_params={"blog": {}}), "options.upstream_params.blog", '"value"'),
        (
            do_body(upstream_params={"blog": {"value": "a", "alias": "prompt"}}),
            "options.upstream_params.blog",
            '"alias"',
        ),
        (
            do_body(upstream_params={"screen_name": {"alias": "screen_name"}}),
            "options.upstream_params.screen_name.alias",
            "login_hint",
        ),
        (do_body(upstream_params={"blog": {"value": 3}}), "options.upstream_params.blog.value", ""),
        (do_body(scripts="function() {}"), "options.scripts", "expected an object"),
        (do_body(scripts={"fetchUserProfile": 1}), "options.scripts.fetchUserProfile", "string"),
        (
            do_body(
                scripts={
                    "fetchUserProfile": "function(t, c, cb) { var base = 'MY_HOST'; "
                    "request.get(base + '/me', { headers: { Authorization: 'Bearer ' + t } }, "
                    "function(e, r, b) { var p = JSON.parse(b); cb(null, p); }); }"
                }
            ),
            "options.scripts.fetchUserProfile",
            "its profile expected an http(s) URL, got 'MY_HOST/me'",
        ),
    ],
)
def test_bad_auth0_option_names_its_key(body: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(ConnectionError) as excinfo:
        from_auth0(body)
    assert error_key(excinfo) == key
    assert str(excinfo.value).startswith(f"auth0 connection: key '{key}': ")
    assert words in str(excinfo.value)


def test_unknown_provider_without_a_readable_script_names_the_script() -> None:
    options = {
        "authorizationURL": "https://auth.example.com/authorize",
        "tokenURL": "https://auth.example.com/token",
    }
    for scripts in ({}, {"fetchUserProfile": "function(t, c, cb) { cb(null, {}); }"}):
        with pytest.raises(ConnectionError) as excinfo:
            from_auth0(do_body(**options, scripts=scripts), source="my.json")
        assert error_key(excinfo) == "options.scripts.fetchUserProfile"
        assert str(excinfo.value).startswith("my.json: ")
        assert "https://auth.example.com/token" in str(excinfo.value)


@pytest.mark.parametrize(
    ("options", "key", "words"),
    [
        ({"signatureMethod": "HMAC-SHA256"}, "options.signatureMethod", "RSA-SHA1"),
        ({"requestTokenURL": "TUMBLR/request"}, "options.requestTokenURL", "placeholder"),
        ({"consumerKey": None, "client_id": None}, "options.consumerKey", "is missing"),
    ],
)
def test_bad_oauth1_option_names_its_key(options: dict[str, Any], key: str, words: str) -> None:
    body = json.loads(
        json.loads(seed("tumblr"))["postData"]["text"].replace('id",', 'id":') + '"}}}'
    )
    body["options"].update(options)
    body["options"] = {k: v for k, v in body["options"].items() if v is not None}
    with pytest.raises(ConnectionError) as excinfo:
        from_auth0(body)
    assert error_key(excinfo) == key and words in str(excinfo.value)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ("[1, 2]", "(document)"),
        ({"method": "POST", "postData": {"mimeType": "application/json"}}, "postData.text"),
        ({"method": "POST", "postData": {"text": "[]"}}, "postData.text"),
    ],
)
def test_bad_document_names_where(data: Any, key: str) -> None:
    with pytest.raises(ConnectionError) as excinfo:
        from_auth0(data)
    assert error_key(excinfo) == key


# -- integration.app -------------------------------------------------------------

SEED_003_YAML = """\
# File: auth/get-oauth-config.map.yml
clientId:
  $var: connectorParameters.clientId
clientSecret:
  $var: connectorParameters.clientSecret
authorizeUri: https://cloud.digitalocean.com/v1/oauth/authorize
tokenUri: https://cloud.digitalocean.com/v1/oauth/token
scopes:
  - read
clientAuthLocation: body  # or 'headers'
noRefreshToken: false
skipPkce: false
extra:
  prompt: consent
"""


def do_parameters(idp: fakeidp.FakeIdP) -> dict[str, Any]:
    creds = idp.credentials("digitalocean")
    return {"clientId": creds.client_id, "clientSecret": creds.client_secret}


def test_integration_app_yaml_with_vars_logs_in_with_pkce() -> None:
    with fakeidp.intercept() as idp:
        connection = from_integration_app(
            SEED_003_YAML, parameters={"connectorParameters": do_parameters(idp)}
        )
        assert connection.client_auth == "body" and connection.pkce and connection.refresh
        assert connection.name == "digitalocean"
        result = fakeidp.OAuth2Client(connection).login()
        assert result.user_id == idp.user("digitalocean").profile["uuid"]
        [authorize] = idp.exchanges("digitalocean", "authorize")
        assert authorize.query["prompt"] == "consent"
        assert authorize.query["code_challenge_method"] == "S256"
        assert idp.errors() == []


@pytest.mark.parametrize(
    ("location", "basic", "in_body"),
    [("headers", True, False), ("body", False, True), (None, True, True)],
)
def test_integration_app_client_auth_location(
    location: str | None, basic: bool, in_body: bool
) -> None:
    config: dict[str, Any] = {
        "clientId": {"$var": "connectorParameters.clientId"},
        "clientSecret": {"$var": "connectorParameters.clientSecret"},
        "authorizeUri": DO_AUTHORIZE,
        "tokenUri": DO_TOKEN,
        "scopes": ["read"],
    }
    if location:
        config["clientAuthLocation"] = location
    with fakeidp.intercept() as idp:
        connection = from_integration_app(config, parameters=do_parameters(idp))
        fakeidp.OAuth2Client(connection).login()
        [token] = idp.exchanges("digitalocean", "token")
        assert ("Authorization" in token.headers) is basic
        assert ("client_secret" in token.form) is in_body
        both = idp.findings(rule="oauth2.token.client_auth_multiple")
        assert bool(both) is (location is None)


def test_integration_app_flags_and_profile_arguments() -> None:
    config = {
        "clientId": "id",
        "authorizeUri": "https://auth.example.com/authorize",
        "tokenUri": "https://auth.example.com/token",
        "noRefreshToken": True,
        "skipPkce": True,
    }
    connection = from_integration_app(
        json.dumps(config), profile_url="https://api.example.com/me", user_id_path="sub"
    )
    assert not connection.refresh and not connection.pkce
    assert connection.client_secret is None
    assert (connection.profile_url, connection.user_id_path) == (
        "https://api.example.com/me",
        "sub",
    )
    assert connection.name == "auth.example.com"


@pytest.mark.parametrize(
    ("change", "parameters", "key", "words"),
    [
        ({}, None, "clientId", "parameters= was not given"),
        ({}, {"clientSecret": "s"}, "clientId", "'connectorParameters.clientId' does not resolve"),
        ({"clientId": {"$concat": ["a", "b"]}}, {}, "clientId", "$concat is not supported"),
        ({"clientAuthLocation": "query"}, {}, "clientAuthLocation", "'headers' or 'body'"),
        ({"scopes": "read write"}, {}, "scopes", "list of strings"),
        ({"extra": "prompt=consent"}, {}, "extra", "expected an object"),
        ({"extra": {"prompt": ["a"]}}, {}, "extra.prompt", "got array"),
        ({"skipPkce": "no"}, {}, "skipPkce", "true or false"),
        ({"authorizeUri": None}, {}, "authorizeUri", "is missing"),
        ({"tokenUri": "https://unknown.example.com/token"}, {}, "profile_url", "profile_url="),
    ],
)
def test_bad_integration_app_config_names_its_key(
    change: dict[str, Any], parameters: dict[str, Any] | None, key: str, words: str
) -> None:
    config: dict[str, Any] = {
        "clientId": {"$var": "connectorParameters.clientId"},
        "authorizeUri": DO_AUTHORIZE,
        "tokenUri": DO_TOKEN,
    }
    if key != "clientId":
        config["clientId"] = "id"
    config.update(change)
    config = {k: v for k, v in config.items() if v is not None}
    with pytest.raises(ConnectionError) as excinfo:
        from_integration_app(config, parameters=parameters)
    assert error_key(excinfo) == key
    assert str(excinfo.value).startswith(f"integration.app connection: key '{key}': ")
    assert words in str(excinfo.value)


def test_bad_integration_app_yaml_says_where() -> None:
    with pytest.raises(ConnectionError, match=r"not valid YAML: .* at line 2 column"):
        from_integration_app("clientId: a\n  - b: [\n")
    with pytest.raises(ConnectionError, match="expected a mapping"):
        from_integration_app("- clientId")
