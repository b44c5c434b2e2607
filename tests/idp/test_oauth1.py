"""The OAuth 1.0a side of the fake IdP (RFC 5849): each check refuses a broken request
with the provider's own error and a finding; lenient mode only records it."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from oauthlib.oauth1.rfc5849 import signature as sig

import fakeidp
from fakeidp.idp.oauth1 import AccessToken, RequestToken, state_of
from fakeidp.idp.store import Grant
from fakeidp.providers import load_provider

from .oauth1_flow import CALLBACK, OAuth1Flow

OAUTH1 = ["jira", "tumblr", "x", "xing"]


def form(response: Any) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(response.text))


# What each provider answers for a bad signature: (status, a field of the body, its value).
SIGNATURE_INVALID = {
    "jira": (401, "oauth_problem", "signature_invalid"),
    "tumblr": (401, "meta.msg", "Unauthorized"),
    "x": (401, "errors.0.code", 32),
    "xing": (401, "error_name", "INVALID_OAUTH_SIGNATURE"),
}


def field(response: Any, path: str) -> Any:
    if response.headers["Content-Type"].startswith("application/x-www-form-urlencoded"):
        return form(response).get(path)
    body = response.json()
    for part in path.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def assert_refused(response: Any, pid: str, problem: dict[str, tuple[int, str, Any]]) -> None:
    status, path, value = problem[pid]
    assert response.status_code == status, response.text
    assert field(response, path) == value, response.text


# -- RFC 5849 §1.2: the worked example, as known answers --------------------------------

CONSUMER, CONSUMER_SECRET = "dpf43f3p2l4k3l03", "kd94hf93k423kf44"
RFC_TEMPORARY = (
    'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", '
    'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131200", '
    'oauth_nonce="wIjqoS", oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready", '
    'oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"'
)
RFC_TOKEN = (
    'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="hh5s93j4hdidpola", '
    'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="walatlh", '
    'oauth_verifier="hfdp7dh39dks9884", oauth_signature="gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D"'
)
RFC_RESOURCE = (
    'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", '
    'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", '
    'oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"'
)
# §1.2 prints this base string with the nonce as "chapoh", a typo: the request and its
# signature use "chapoH".
RFC_RESOURCE_BASE_STRING = (
    "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26"
    "oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26"
    "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26"
    "oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal"
)


def rfc_params(header: str) -> list[tuple[str, str]]:
    return sig.collect_parameters(headers={"Authorization": header})


def test_rfc5849_example_base_string_and_signatures() -> None:
    params = [*rfc_params(RFC_RESOURCE), ("file", "vacation.jpg"), ("size", "original")]
    base_uri = sig.base_string_uri("http://photos.example.net/photos?file=vacation.jpg")
    base = sig.signature_base_string("GET", base_uri, sig.normalize_parameters(params))
    assert base == RFC_RESOURCE_BASE_STRING
    assert sig._sign_hmac("SHA-1", base, CONSUMER_SECRET, "pfkkdhi9sl3r4s00") == (
        "MdpQcU8iPSUjWoN/UDMsK2sui9I="
    )
    for header, method, uri, secret, expected in (
        (
            RFC_TEMPORARY,
            "POST",
            "https://photos.example.net/initiate",
            "",
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU=",
        ),
        (
            RFC_TOKEN,
            "POST",
            "https://photos.example.net/token",
            "hdhd0244k9j7ao03",
            "gKgrFCywp7rO0OXSjdot/IHF7IU=",
        ),
    ):
        normalized = sig.normalize_parameters(rfc_params(header))
        base = sig.signature_base_string(method, sig.base_string_uri(uri), normalized)
        assert sig._sign_hmac("SHA-1", base, CONSUMER_SECRET, secret) == expected


PHOTOS = f"""
id = "photos"
name = "RFC 5849 photos.example.net"
protocol = "oauth1"
[hosts]
secure = "https://photos.example.net"
plain = "http://photos.example.net"
[endpoints]
request_token = {{ url = "secure:/initiate", methods = ["POST"] }}
authorize = {{ url = "secure:/authorize", methods = ["GET"] }}
access_token = {{ url = "secure:/token", methods = ["POST"] }}
[client]
client_id = "{CONSUMER}"
client_secret = "{CONSUMER_SECRET}"
[oauth1]
signature_methods = ["HMAC-SHA1"]
denial = {{ oauth_problem = "user_refused" }}
[[profile]]
name = "photos"
url = "plain:/photos"
auth = ["oauth1"]
body = {{ file = "vacation.jpg", owner = "${{login}}" }}
user_id = "owner"
[user]
login = "jane"
profile = {{ name = "jane" }}
[errors.oauth]
status = 401
content_type = "application/x-www-form-urlencoded"
body = {{ oauth_problem = "${{error}}" }}
[errors.api]
status = 401
content_type = "application/x-www-form-urlencoded"
body = {{ oauth_problem = "${{error}}" }}
"""


def test_rfc5849_example_requests_are_accepted_by_the_fake(tmp_path: Path) -> None:
    """The three requests of §1.2, byte for byte, at the real URLs (interception)."""
    path = tmp_path / "photos.toml"
    path.write_text(PHOTOS, encoding="utf-8")
    idp = fakeidp.FakeIdP(app=fakeidp.create_app({"photos": load_provider(path)}))
    import time

    idp.advance_clock(137131200 - time.time())
    grant = Grant("photos", CONSUMER, idp.store.user("photos"), [], {})
    with idp.store.lock:
        state = state_of(idp.store)
        state.request_tokens["hh5s93j4hdidpola"] = RequestToken(
            "photos",
            CONSUMER,
            "hdhd0244k9j7ao03",
            "http://printer.example.com/ready",
            verifier="hfdp7dh39dks9884",
            grant=grant,
        )
        state.access_tokens["nnch734d00sl2jdk"] = AccessToken(grant, "pfkkdhi9sl3r4s00")
    import requests

    with idp.intercepting():
        temporary = requests.post(
            "https://photos.example.net/initiate", headers={"Authorization": RFC_TEMPORARY}
        )
        assert temporary.status_code == 200, temporary.text
        assert form(temporary)["oauth_callback_confirmed"] == "true"
        token = requests.post(
            "https://photos.example.net/token", headers={"Authorization": RFC_TOKEN}
        )
        assert token.status_code == 200, token.text
        photo = requests.get(
            "http://photos.example.net/photos?file=vacation.jpg&size=original",
            headers={"Authorization": RFC_RESOURCE},
        )
        assert photo.status_code == 200, photo.text
        assert photo.json() == {"file": "vacation.jpg", "owner": "jane"}
        # One changed parameter, and the same signature no longer verifies.
        other = requests.get(
            "http://photos.example.net/photos?file=vacation.jpg&size=small",
            headers={"Authorization": RFC_RESOURCE.replace("chapoH", "chapoI")},
        )
        assert other.status_code == 401 and form(other)["oauth_problem"] == "signature_invalid"
    assert [f.rule for f in idp.findings()] == ["oauth1.signature.invalid"]


# -- a whole login by hand ----------------------------------------------------------------


@pytest.mark.parametrize("pid", OAUTH1)
def test_login_by_hand(idp: fakeidp.FakeIdP, pid: str) -> None:
    flow = OAuth1Flow(idp, pid)
    temporary = flow.temporary()
    assert temporary["oauth_callback_confirmed"] == "true"
    callback = flow.callback(temporary["oauth_token"])
    assert callback["oauth_token"] == temporary["oauth_token"]
    response = flow.access_token(temporary, callback["oauth_verifier"])
    assert response.status_code == 200, response.text
    tokens = form(response)
    assert flow.profile(tokens).status_code == 200
    assert idp.findings() == []
    # What the token responses carry besides the token (PROVIDERS.md §9, §11).
    extra = {k: v for k, v in tokens.items() if not k.startswith("oauth_")}
    assert (
        extra
        == {
            "jira": {},
            "tumblr": {},
            "x": {"user_id": "1460123456789012480", "screen_name": "fakeidptest"},
            "xing": {"user_id": "123456_abcdef"},
        }[pid]
    )


def test_secrets_are_not_recorded(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "x")
    tokens = flow.tokens()
    recorded = repr([e.to_dict() for e in idp.exchanges()])
    assert tokens["oauth_token_secret"] not in recorded
    assert "oauth_verifier" in recorded and "[redacted]" in recorded
    for exchange in idp.exchanges("x"):
        if exchange.endpoint in ("request_token", "access_token"):
            assert exchange.response["oauth_token_secret"] == "[redacted]"


# -- the refusals the issue names ------------------------------------------------------------


@pytest.mark.parametrize("pid", OAUTH1)
def test_replayed_nonce(idp: fakeidp.FakeIdP, pid: str) -> None:
    flow = OAuth1Flow(idp, pid)
    tokens = flow.tokens()
    # One timestamp for both: RFC 5849 §3.3 makes a nonce unique per timestamp, so two
    # reads of the clock straddling a second would not be a replay.
    timestamp = str(int(idp.store.now()))
    first = flow.profile(tokens, nonce="n0nce-once", timestamp=timestamp)
    assert first.status_code == 200
    again = flow.profile(tokens, nonce="n0nce-once", timestamp=timestamp)
    problem = {
        "jira": (401, "oauth_problem", "nonce_used"),
        "tumblr": (401, "meta.status", 401),
        "x": (401, "errors.0.code", 32),
        "xing": (401, "error_name", "NONCE_ALREADY_USED"),
    }
    assert_refused(again, pid, problem)
    assert flow.rules_hit() == ["oauth1.nonce.replayed"]


@pytest.mark.parametrize("pid", OAUTH1)
def test_stale_timestamp(idp: fakeidp.FakeIdP, pid: str) -> None:
    flow = OAuth1Flow(idp, pid)
    response = flow.request_token(timestamp=str(int(idp.store.now()) - 3600))
    problem = {
        "jira": (400, "oauth_problem", "timestamp_refused"),
        "tumblr": (401, "meta.status", 401),
        "x": (401, "errors.0.code", 32),
        "xing": (401, "error_name", "TIMESTAMP_EXPIRED"),
    }
    assert_refused(response, pid, problem)
    assert flow.rules_hit() == ["oauth1.timestamp.stale"]
    if pid == "jira":  # Problem Reporting: the acceptable window comes with the problem
        low, high = map(int, form(response)["oauth_acceptable_timestamps"].split("-"))
        assert low < idp.store.now() < high


@pytest.mark.parametrize("pid", OAUTH1)
def test_wrong_signature(idp: fakeidp.FakeIdP, pid: str) -> None:
    flow = OAuth1Flow(idp, pid)
    if pid == "jira":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        pem = other.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        response = flow.send("POST", flow.urls["request_token"], callback_uri=CALLBACK, rsa_key=pem)
    else:
        response = flow.request_token(client_secret="not-the-secret")
    assert_refused(response, pid, SIGNATURE_INVALID)
    assert flow.rules_hit() == ["oauth1.signature.invalid"]


def test_jira_signature_invalid_reports_the_base_string(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "jira")
    tokens = flow.tokens()
    response = flow.profile(tokens, resource_owner_secret="wrong-but-ignored-by-rsa")
    assert response.status_code == 200  # RSA-SHA1 does not use the token secret (RFC 5849 §3.4.3)
    response = flow.profile(tokens, tamper=lambda u, h, b: (u + "?username=someone-else", h, b))
    body = form(response)
    assert body["oauth_problem"] == "signature_invalid"
    assert body["oauth_signature_method"] == "RSA-SHA1"
    assert body["oauth_signature_base_string"].startswith("GET&http%3A%2F%2Ffakeidp.invalid%2Fjira")
    assert "username%3Dsomeone-else" in body["oauth_signature_base_string"]
    assert response.headers["WWW-Authenticate"].startswith('OAuth realm="https://jira.example.com"')


def test_hmac_to_jira_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "jira", method="HMAC-SHA1")
    response = flow.request_token()
    assert response.status_code == 400
    assert form(response) == {"oauth_problem": "signature_method_rejected"}
    assert flow.rules_hit() == ["oauth1.signature.method"]


@pytest.mark.parametrize("pid", OAUTH1)
def test_missing_verifier(idp: fakeidp.FakeIdP, pid: str) -> None:
    flow = OAuth1Flow(idp, pid)
    temporary, _ = flow.authorized()
    response = flow.access_token(temporary, None)
    problem = {
        "jira": (400, "oauth_problem", "parameter_absent"),
        "tumblr": (401, "meta.status", 401),
        "x": (401, "errors.0.code", 32),
        "xing": (401, "error_name", "REQUIRED_PARAMETER_MISSING"),
    }
    assert_refused(response, pid, problem)
    assert flow.rules_hit() == ["oauth1.verifier.missing"]
    if pid == "jira":
        assert form(response)["oauth_parameters_absent"] == "oauth_verifier"


@pytest.mark.parametrize("pid", OAUTH1)
def test_reused_request_token(idp: fakeidp.FakeIdP, pid: str) -> None:
    flow = OAuth1Flow(idp, pid)
    temporary, verifier = flow.authorized()
    assert flow.access_token(temporary, verifier).status_code == 200
    again = flow.access_token(temporary, verifier)
    problem = {
        "jira": (401, "oauth_problem", "token_used"),
        "tumblr": (401, "meta.status", 401),
        "x": (401, "errors.0.code", 89),
        "xing": (401, "error_name", "INVALID_OAUTH_TOKEN"),
    }
    assert_refused(again, pid, problem)
    assert flow.rules_hit() == ["oauth1.request_token.reused"]
    # Single-use holds in lenient mode too: a reused token never yields a second grant.
    idp.strict = False
    assert flow.access_token(temporary, verifier).status_code == 401


def test_wrong_verifier(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "x")
    temporary, verifier = flow.authorized()
    response = flow.access_token(temporary, verifier + "x")
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == 89
    assert flow.rules_hit() == ["oauth1.verifier.invalid"]
    # The failed attempt did not use up the token.
    assert flow.access_token(temporary, verifier).status_code == 200


def test_missing_callback(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "tumblr")
    response = flow.request_token(callback_uri=None)
    assert response.status_code == 401
    assert flow.rules_hit() == ["oauth1.callback.missing"]


def test_callback_must_be_a_url_or_oob(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "jira")
    response = flow.request_token(callback_uri="not a url")
    assert response.status_code == 400 and form(response)["oauth_problem"] == "parameter_rejected"
    assert flow.rules_hit() == ["oauth1.callback.invalid"]


def test_x_refuses_a_callback_that_is_not_allow_listed(idp: fakeidp.FakeIdP) -> None:
    idp.register_redirect_uri("x", "https://app.example/registered")
    flow = OAuth1Flow(idp, "x")
    response = flow.request_token()
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == 415
    assert flow.rules_hit() == ["oauth1.callback.invalid"]
    assert flow.request_token(callback_uri="https://app.example/registered?x=1").status_code == 200


def test_unknown_consumer(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "xing")
    response = flow.request_token(client_key="who-is-this")
    assert response.status_code == 401
    assert response.json()["error_name"] == "INVALID_OAUTH_CONSUMER"
    assert flow.rules_hit() == ["oauth1.consumer.unknown"]


def test_api_call_with_a_request_token_is_refused(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "tumblr")
    temporary, _ = flow.authorized()
    response = flow.profile(temporary)
    assert response.status_code == 401
    assert flow.rules_hit() == ["oauth1.token.invalid"]


def test_no_oauth_parameters_at_all(idp: fakeidp.FakeIdP) -> None:
    response = idp.session().get(idp.urls("x")["verify_credentials"])
    assert response.status_code == 401
    assert response.json() == {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
    assert [f.rule for f in idp.findings()] == ["oauth1.params.missing"]


# -- where the parameters go (RFC 5849 §3.5) -----------------------------------------------


def test_tumblr_reads_the_header_only(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "tumblr", placement="query")
    response = flow.request_token()
    assert response.status_code == 401
    assert flow.rules_hit() == ["oauth1.params.placement"]


@pytest.mark.parametrize("placement", ["header", "query", "body"])
@pytest.mark.parametrize("method", ["HMAC-SHA1", "PLAINTEXT"])
def test_xing_takes_plaintext_or_hmac_anywhere(
    idp: fakeidp.FakeIdP, method: str, placement: str
) -> None:
    """The official Ruby client's PLAINTEXT in the query, a XING engineer's form body, Auth0's
    HMAC-SHA1 header (PROVIDERS.md §9)."""
    flow = OAuth1Flow(idp, "xing", method=method, placement=placement)
    response = flow.profile(flow.tokens())
    assert response.status_code == 200, response.text
    assert response.json()["users"][0]["id"] == "123456_abcdef"
    assert idp.findings() == []


def test_parameters_in_two_places(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "xing")

    def also_in_query(uri: str, headers: dict[str, str], body: Any) -> Any:
        return uri + "?oauth_version=1.0", headers, body

    response = flow.request_token(tamper=also_in_query)
    assert response.status_code == 403
    assert response.json()["error_name"] == "INVALID_PARAMETERS"
    assert "oauth1.params.placement" in flow.rules_hit()


def test_xing_warns_about_callback_and_verifier_on_api_calls(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "xing")
    tokens = flow.tokens()
    response = flow.profile(tokens, callback_uri=CALLBACK, verifier="leftover")
    assert response.status_code == 200
    assert [(f.rule, f.severity, f.actual) for f in idp.findings()] == [
        ("oauth1.api.unexpected_param", "warning", "oauth_callback"),
        ("oauth1.api.unexpected_param", "warning", "oauth_verifier"),
    ]


def test_undocumented_http_methods(idp: fakeidp.FakeIdP) -> None:
    # Tumblr documents GET for the access token, clients POST: both without a finding.
    flow = OAuth1Flow(idp, "tumblr")
    temporary, verifier = flow.authorized()
    assert flow.access_token(temporary, verifier, http_method="GET").status_code == 200
    assert idp.findings() == []
    # social-core GETs the request token; XING documents POST: accepted, with a warning.
    xing = OAuth1Flow(idp, "xing")
    assert xing.request_token(http_method="GET").status_code == 200
    assert [(f.rule, f.severity) for f in idp.findings()] == [("oauth1.request.method", "warning")]


# -- the authorize page ------------------------------------------------------------------------


def test_x_authenticate_and_authorize_take_screen_name_and_force_login(
    idp: fakeidp.FakeIdP,
) -> None:
    idp.expect("x", dynamic_params={"screen_name": "john@gmail.com"})
    flow = OAuth1Flow(idp, "x")
    for endpoint in ("authenticate", "authorize"):
        temporary = flow.temporary()
        response = flow.authorize(
            temporary["oauth_token"], endpoint, screen_name="john@gmail.com", force_login="true"
        )
        assert response.status_code == 302
    assert idp.findings() == []
    temporary = flow.temporary()
    flow.authorize(temporary["oauth_token"], redirect_uri="https://app.example/cb")
    assert sorted(flow.rules_hit()) == [
        "connection.authorize.dynamic_param",
        "oauth1.authorize.unknown_param",
    ]


def test_tumblr_echoes_source_to_the_callback(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "tumblr")
    temporary = flow.temporary()
    assert flow.callback(temporary["oauth_token"], source="my-blog")["source"] == "my-blog"


@pytest.mark.parametrize(
    ("pid", "denial"),
    [
        ("x", {"denied": "${token}"}),
        # Atlassian's service provider: ?oauth_token=…&oauth_verifier=denied (bitbucket-server-
        # integration-plugin AuthorizeConfirmationConfigTest.submitWithDenyReturnsValidator).
        ("jira", {"oauth_token": "${token}", "oauth_verifier": "denied"}),
        ("tumblr", {"oauth_problem": "user_refused"}),
    ],
)
def test_deny_returns_the_providers_own_denial(
    idp: fakeidp.FakeIdP, pid: str, denial: dict[str, str]
) -> None:
    flow = OAuth1Flow(idp, pid)
    temporary = flow.temporary()
    idp.deny_next(pid)
    callback = flow.callback(temporary["oauth_token"])
    token = temporary["oauth_token"]
    assert callback == {k: v.replace("${token}", token) for k, v in denial.items()}
    # The denied request token cannot be exchanged or authorized again.
    assert flow.access_token(temporary, "guess").status_code == 401
    assert flow.authorize(temporary["oauth_token"]).status_code == 400


def test_unknown_request_token_is_an_error_page(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "x")
    response = flow.authorize("no-such-token")
    assert response.status_code == 400 and "Location" not in response.headers
    assert flow.rules_hit() == ["oauth1.authorize.token"]


def test_oob_shows_the_verifier(idp: fakeidp.FakeIdP) -> None:
    flow = OAuth1Flow(idp, "x")
    temporary = flow.temporary(callback_uri="oob")
    page = flow.authorize(temporary["oauth_token"])
    assert page.status_code == 200 and "Location" not in page.headers
    verifier = page.text.split("id='oauth_verifier'>")[1].split("<")[0]
    assert flow.access_token(temporary, verifier).status_code == 200


# -- lenient mode --------------------------------------------------------------------------------


def test_lenient_mode_records_and_answers(idp: fakeidp.FakeIdP) -> None:
    idp.strict = False
    flow = OAuth1Flow(idp, "jira", method="HMAC-SHA1")
    response = flow.request_token(timestamp=str(int(idp.store.now()) - 3600))
    assert response.status_code == 200
    assert flow.rules_hit() == ["oauth1.signature.method", "oauth1.timestamp.stale"]
    wrong = OAuth1Flow(idp, "tumblr").request_token(client_secret="not-the-secret")
    assert wrong.status_code == 200
    assert idp.findings("tumblr")[0].rule == "oauth1.signature.invalid"


def test_a_nonce_is_unique_per_timestamp_and_forgotten_after_the_window(
    idp: fakeidp.FakeIdP,
) -> None:
    """RFC 5849 §3.3: unique across requests with the same timestamp, client and token."""
    flow = OAuth1Flow(idp, "x")
    tokens = flow.tokens()
    now = int(idp.store.now())
    assert flow.profile(tokens, nonce="same", timestamp=str(now)).status_code == 200
    assert flow.profile(tokens, nonce="same", timestamp=str(now + 1)).status_code == 200
    from fakeidp.idp.oauth1_verify import _Nonces

    nonces = _Nonces()
    assert nonces.use(("k",), until=100, now=0)
    assert not nonces.use(("k",), until=100, now=50)
    assert nonces.use(("other",), until=300, now=150)  # drops the expired "k"
    assert ("k",) not in nonces.until and nonces.use(("k",), until=400, now=150)


def test_lenient_mode_never_redirects_to_a_refused_callback(idp: fakeidp.FakeIdP) -> None:
    idp.strict = False
    idp.register_redirect_uri("x", "https://app.example/registered")
    flow = OAuth1Flow(idp, "x")
    temporary = flow.temporary(callback_uri="https://evil.example/cb")
    assert flow.rules_hit() == ["oauth1.callback.invalid"]
    page = flow.authorize(temporary["oauth_token"])
    assert page.status_code == 400 and "Location" not in page.headers
    # An OAuth 1.0 client that names its (registered) callback at the authorize page.
    temporary = flow.temporary(callback_uri=None)
    callback = flow.authorize(
        temporary["oauth_token"], oauth_callback="https://app.example/registered"
    )
    assert callback.headers["Location"].startswith("https://app.example/registered?oauth_token=")
