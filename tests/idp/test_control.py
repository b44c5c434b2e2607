"""The control API under /_fakeidp/, validated against its shipped OpenAPI 3.1 document.

Every response a test here receives is checked against the document's schema
for that path, method and status (jsonschema, draft 2020-12, as OpenAPI 3.1
uses); every request body sent as valid is checked against its request schema.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import fakeidp
from fakeidp.idp.control import openapi_document
from fakeidp.idp.faults import ALL_FIELDS, FAULT_KINDS

DOC = openapi_document()
URI = "urn:fakeidp:control-openapi"
REGISTRY: Registry[Any] = Registry().with_resource(
    URI, Resource.from_contents(DOC, default_specification=DRAFT202012)
)
TEMPLATES = [
    (re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))), path) for path in DOC["paths"]
]


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _validate(pointer: str, instance: Any) -> None:
    schema = {"$ref": f"{URI}#/{pointer}"}
    jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate(instance)


def _template(path: str) -> str:
    [found] = [t for pattern, t in TEMPLATES if pattern.fullmatch(path)] or [None]
    assert found, f"{path} is not in the OpenAPI document"
    return found


class Control:
    """A test client for /_fakeidp/ that checks every exchange against the document."""

    def __init__(self, idp: fakeidp.FakeIdP) -> None:
        self.http = idp.app.test_client()
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: str | None = None,
        valid: bool = True,
        **query: str,
    ) -> Any:
        template = _template(path)
        operation = DOC["paths"][template].get(method.lower())
        assert operation is not None, f"{method} {template} is not documented"
        if json is not None and valid:
            _validate(
                _pointer(
                    "paths",
                    template,
                    method.lower(),
                    "requestBody",
                    "content",
                    "application/json",
                    "schema",
                ),
                json,
            )
        # Raw data is sent as JSON: a write with a body must say application/json.
        content_type = "application/json" if data is not None else None
        response = self.http.open(
            path,
            method=method,
            json=json,
            data=data,
            query_string=query or None,
            content_type=content_type,
        )
        status = str(response.status_code)
        documented = operation["responses"]
        assert status in documented, f"{method} {path} answered {status}: {response.data!r}"
        answer = documented[status]
        if "$ref" in answer:
            pointer = answer["$ref"].removeprefix("#/")
        else:
            pointer = _pointer("paths", template, method.lower(), "responses", status)
        assert response.mimetype == "application/json"
        _validate(pointer + "/content/application~1json/schema", response.json)
        self.seen.add((method.upper(), template, response.status_code))
        return response


@pytest.fixture
def control(idp: fakeidp.FakeIdP) -> Control:
    return Control(idp)


def test_the_document_is_valid_openapi_3_1() -> None:
    validate_spec(DOC)
    assert DOC["openapi"].startswith("3.1")


def test_every_operation_against_the_document(idp: fakeidp.FakeIdP, control: Control) -> None:
    """A walk through every documented operation; each answer matches its schema."""
    assert control("GET", "/_fakeidp/health").json["status"] == "ok"
    served = control("GET", "/_fakeidp/openapi.json").json
    assert served["paths"] == DOC["paths"]
    assert served["servers"] == [{"url": "http://localhost"}]

    # users
    assert control("GET", "/_fakeidp/users/uber").json["login"] == "uberdev"
    user = control(
        "PUT", "/_fakeidp/users/uber", json={"login": "alice", "profile": {"uuid": "a-1"}}
    )
    assert user.json["profile"]["uuid"] == "a-1"

    # clients
    listed = control("GET", "/_fakeidp/clients", provider="uber").json["clients"]
    assert listed == [
        {
            "provider": "uber",
            "client_id": "fakeidp-uber-client-id",
            "confidential": True,
            "redirect_uris": [],
        }
    ]
    registered = control(
        "PUT",
        "/_fakeidp/clients/uber/my-app",
        json={"client_secret": "s3cret", "redirect_uris": ["https://app.example/cb"]},
    ).json
    assert registered == {
        "provider": "uber",
        "client_id": "my-app",
        "confidential": True,
        "redirect_uris": ["https://app.example/cb"],
    }
    added = control(
        "POST", "/_fakeidp/clients/uber/my-app/redirect_uris", json={"uri": "https://app.example/2"}
    ).json
    assert added["redirect_uris"] == ["https://app.example/cb", "https://app.example/2"]
    assert idp.store.client("uber", "my-app").client_secret == "s3cret"  # type: ignore[union-attr]

    # mode
    assert control("GET", "/_fakeidp/mode").json["mode"] == "strict"
    mode = control("PUT", "/_fakeidp/mode", json={"providers": {"uber": "lenient"}}).json
    assert (mode["mode"], mode["providers"]["uber"], mode["overrides"]) == (
        "strict",
        "lenient",
        {"uber": "lenient"},
    )
    assert not idp.is_strict("uber")

    # faults, then a login that meets one, recorded in exchanges
    fault = control(
        "POST",
        "/_fakeidp/faults",
        json={"provider": "uber", "endpoint": "me", "kind": "status", "status": 503},
    ).json
    assert fault["remaining"] == 1
    extra = control(
        "POST", "/_fakeidp/faults", json={"provider": "twitch", "kind": "truncated"}
    ).json
    assert [f["id"] for f in control("GET", "/_fakeidp/faults").json["faults"]] == [
        fault["id"],
        extra["id"],
    ]
    with pytest.raises(fakeidp.LoginError):
        fakeidp.OAuth2Client(idp.connection("uber"), idp.session()).login()
    exchanges = control("GET", "/_fakeidp/exchanges", provider="uber").json["exchanges"]
    assert [(e["endpoint"], e["status"]) for e in exchanges] == [
        ("authorize", 302),
        ("token", 200),
        ("me", 503),
    ]
    assert exchanges[2]["fault"]["id"] == fault["id"]
    assert (
        control("GET", "/_fakeidp/exchanges", endpoint="token").json["exchanges"][0]["form"][
            "client_secret"
        ]
        == "[redacted]"
    )
    assert control("DELETE", f"/_fakeidp/faults/{extra['id']}").json == {"removed": 1}
    assert control("DELETE", "/_fakeidp/faults").json == {"removed": 1}

    # findings: an authorize request from an unknown client
    findings = control("GET", "/_fakeidp/findings", provider="uber", severity="warning").json
    assert findings == {"findings": [], "next": -1, "dropped": 0}
    idp.app.test_client().get("/uber/login/oauth/authorize?client_id=nope")
    [finding] = control("GET", "/_fakeidp/findings", rule="oauth2.authorize.client_id").json[
        "findings"
    ]
    assert finding["severity"] == "error"

    assert control("POST", "/_fakeidp/reset").json == {"status": "reset"}
    assert control("GET", "/_fakeidp/exchanges").json == {"exchanges": [], "next": 0, "dropped": 0}
    assert control("GET", "/_fakeidp/faults").json == {"faults": []}

    operations = {
        (method.upper(), path)
        for path, item in DOC["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete")
    }
    assert operations == {(m, p) for m, p, _ in control.seen}


def test_a_fault_used_up_stays_listed(idp: fakeidp.FakeIdP, control: Control) -> None:
    control(
        "POST",
        "/_fakeidp/faults",
        json={"provider": "uber", "endpoint": "me", "kind": "expired_token"},
    )
    with pytest.raises(fakeidp.LoginError):
        fakeidp.OAuth2Client(idp.connection("uber"), idp.session()).login()
    [fault] = control("GET", "/_fakeidp/faults", provider="uber").json["faults"]
    assert (fault["remaining"], fault["applied"]) == (0, 1)


def test_mode_back_to_global(idp: fakeidp.FakeIdP, control: Control) -> None:
    control("PUT", "/_fakeidp/mode", json={"mode": "lenient", "providers": {"twitch": "strict"}})
    assert (idp.strict, idp.is_strict("twitch"), idp.is_strict("uber")) == (False, True, False)
    mode = control("PUT", "/_fakeidp/mode", json={"providers": {"twitch": None}}).json
    assert mode["overrides"] == {}
    assert mode["providers"]["twitch"] == "lenient"


def test_a_profile_with_its_own_login_key(control: Control) -> None:
    user = control("PUT", "/_fakeidp/users/twitch", json={"profile": {"login": "alice", "id": "1"}})
    assert user.json["login"] == "fakeidptest"
    assert user.json["profile"]["login"] == "alice"


BAD = [
    ("GET", "/_fakeidp/exchanges", {"query": {"provider": "myspace"}}, 400, "provider"),
    ("GET", "/_fakeidp/exchanges", {"query": {"provder": "uber"}}, 400, "provder"),
    ("GET", "/_fakeidp/findings", {"query": {"severity": "fatal"}}, 400, "severity"),
    ("GET", "/_fakeidp/health", {"query": {"verbose": "1"}}, 400, "verbose"),
    ("GET", "/_fakeidp/users/myspace", {}, 404, "provider"),
    ("PUT", "/_fakeidp/users/uber", {"data": "not json"}, 400, "body"),
    ("PUT", "/_fakeidp/users/uber", {"json": [1, 2]}, 400, "body"),
    ("PUT", "/_fakeidp/users/uber", {"json": {"profile": "alice"}}, 400, "profile"),
    ("PUT", "/_fakeidp/users/uber", {"json": {"login": 5}}, 400, "login"),
    ("PUT", "/_fakeidp/users/uber", {"json": {"name": "alice"}}, 400, "name"),
    ("POST", "/_fakeidp/faults", {"data": "{"}, 400, "body"),
    ("POST", "/_fakeidp/faults", {"json": {"kind": "status", "status": 503}}, 400, "provider"),
    ("POST", "/_fakeidp/faults", {"json": {"provider": "uber", "kind": "boom"}}, 400, "kind"),
    ("POST", "/_fakeidp/faults", {"json": {"provider": "uber", "kind": "status"}}, 400, "status"),
    (
        "POST",
        "/_fakeidp/faults",
        {"json": {"provider": "uber", "kind": "delay", "seconds": "2"}},
        400,
        "seconds",
    ),
    (
        "POST",
        "/_fakeidp/faults",
        {"json": {"provider": "uber", "kind": "malformed", "times": -1}},
        400,
        "times",
    ),
    (
        "POST",
        "/_fakeidp/faults",
        {"json": {"provider": "uber", "kind": "malformed", "endpoint": "x"}},
        400,
        "endpoint",
    ),
    (
        "POST",
        "/_fakeidp/faults",
        {"json": {"provider": "myspace", "kind": "malformed"}},
        400,
        "provider",
    ),
    (
        "POST",
        "/_fakeidp/faults",
        {"json": {"provider": "uber", "kind": "malformed", "colour": 1}},
        400,
        "colour",
    ),
    ("DELETE", "/_fakeidp/faults", {"query": {"provider": "myspace"}}, 400, "provider"),
    ("DELETE", "/_fakeidp/faults/99", {}, 404, "fault_id"),
    ("GET", "/_fakeidp/faults", {"query": {"provider": "myspace"}}, 400, "provider"),
    ("PUT", "/_fakeidp/mode", {"json": {"mode": "relaxed"}}, 400, "mode"),
    ("PUT", "/_fakeidp/mode", {"json": {"providers": {"uber": "loose"}}}, 400, "providers.uber"),
    (
        "PUT",
        "/_fakeidp/mode",
        {"json": {"providers": {"myspace": "strict"}}},
        400,
        "providers.myspace",
    ),
    ("PUT", "/_fakeidp/mode", {"json": {"providers": ["uber"]}}, 400, "providers"),
    ("PUT", "/_fakeidp/mode", {"data": ""}, 400, "body"),
    ("GET", "/_fakeidp/clients", {"query": {"provider": "myspace"}}, 400, "provider"),
    (
        "PUT",
        "/_fakeidp/clients/uber/app",
        {"json": {"redirect_uris": "https://x"}},
        400,
        "redirect_uris",
    ),
    ("PUT", "/_fakeidp/clients/uber/app", {"json": {"client_secret": 7}}, 400, "client_secret"),
    ("PUT", "/_fakeidp/clients/uber/app", {"json": {"secret": "s"}}, 400, "secret"),
    ("PUT", "/_fakeidp/clients/myspace/app", {"json": {}}, 404, "provider"),
    (
        "POST",
        "/_fakeidp/clients/uber/nobody/redirect_uris",
        {"json": {"uri": "https://x"}},
        404,
        "client_id",
    ),
    (
        "POST",
        "/_fakeidp/clients/uber/fakeidp-uber-client-id/redirect_uris",
        {"json": {}},
        400,
        "uri",
    ),
    ("POST", "/_fakeidp/reset", {"query": {"hard": "1"}}, 400, "hard"),
]


@pytest.mark.parametrize(("method", "path", "kw", "status", "field"), BAD)
def test_bad_input_is_refused_naming_the_field(
    control: Control, method: str, path: str, kw: dict[str, Any], status: int, field: str
) -> None:
    response = control(
        method, path, json=kw.get("json"), data=kw.get("data"), valid=False, **kw.get("query", {})
    )
    assert response.status_code == status
    assert response.json["field"] == field
    assert response.json["error_description"].startswith(f"{field}: ")


def test_bad_input_changes_nothing(idp: fakeidp.FakeIdP, control: Control) -> None:
    body = {"mode": "lenient", "providers": {"myspace": "strict"}}
    assert control("PUT", "/_fakeidp/mode", json=body, valid=False).status_code == 400
    assert idp.strict


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
FIELDS = st.sampled_from([*ALL_FIELDS, "login", "profile", "mode", "providers", "uri"])
FAULT_VALUES = JSON_VALUES | st.sampled_from(["uber", "token", "me", *FAULT_KINDS])
FUZZ_APP = fakeidp.create_app(["uber", "twitch"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.sampled_from(
        [
            ("POST", "/_fakeidp/faults"),
            ("PUT", "/_fakeidp/users/uber"),
            ("PUT", "/_fakeidp/mode"),
            ("PUT", "/_fakeidp/clients/uber/fuzz"),
            ("POST", "/_fakeidp/clients/uber/fakeidp-uber-client-id/redirect_uris"),
        ]
    ),
    body=st.dictionaries(FIELDS, FAULT_VALUES, max_size=6) | JSON_VALUES,
)
def test_no_control_body_makes_a_500(target: tuple[str, str], body: Any) -> None:
    method, path = target
    response = FUZZ_APP.test_client().open(path, method=method, json=body)
    assert response.status_code in (200, 201, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert isinstance(response.json["field"], str)
    FUZZ_APP.extensions["fakeidp"].reset()
