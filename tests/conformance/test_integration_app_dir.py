"""integration.app connector directories, their JavaScript methods run in Node.js (issue 10,
item 2): the checks judge what the connector sent, not its config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fakeidp.conformance import Engine, Report, TargetError, load_target
from fakeidp.conformance.integration_app_dir import IntegrationAppTarget
from fakeidp.nodejs import NODE_MISSING, find_node

needs_node = pytest.mark.skipif(find_node() is None, reason="Node.js is not installed")

SPEC = """auth:
  type: oauth2
  getOAuthConfig:
    implementationType: mapping
  makeApiClient:
    implementationType: mapping
{methods}"""

# seed 004 "OAuth2 Config", pointed at DigitalOcean (PROVIDERS.md §1).
CONFIG = """clientId:
  $var: connectorParameters.clientId
clientSecret:
  $var: connectorParameters.clientSecret
authorizeUri: https://cloud.digitalocean.com/v1/oauth/authorize
tokenUri: https://cloud.digitalocean.com/v1/oauth/token
scopes:
  - read
  - write
clientAuthLocation: body
skipPkce: true
"""

# seed 004 "Custom Token Request", as the docs print it (the docs read tokenUri from
# connectorParameters), with the credentials in the body.
TOKEN_DATA = """exports.getTokenData = async function({
  connectorParameters, connectionParameters, codeVerifier, queryParameters, redirectUri
}) {
  const response = await fetch(connectorParameters.tokenUri, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: queryParameters.code,
      redirect_uri: redirectUri,
      client_id: connectorParameters.clientId,
      client_secret: connectorParameters.clientSecret,
    })
  });
  return await response.json();
};
"""

CREDENTIALS = """exports.getCredentialsFromTokenResponse = async function({ tokenResponse }) {
  const info = await fetch('https://api.digitalocean.com/v2/account', {
    headers: { 'Authorization': `Bearer ${tokenResponse.access_token}` }
  });
  const account = (await info.json()).account;
  return { access_token: tokenResponse.access_token, refresh_token: tokenResponse.refresh_token,
           userId: account.uuid };
};
"""

REFRESH = """exports.refreshCredentials = async function({ connectorParameters, credentials }) {
  const response = await fetch(connectorParameters.tokenUri, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.refresh_token,
      client_id: connectorParameters.clientId,
      client_secret: connectorParameters.clientSecret
    })
  });
  const refreshResponse = await response.json();
  return { access_token: refreshResponse.access_token,
           refresh_token: refreshResponse.refresh_token || credentials.refresh_token };
};
"""


def connector(tmp_path: Path, **methods: str) -> Path:
    """A connector directory with the given JavaScript methods (name -> source)."""
    files = {
        "getTokenData": "get-token-data.js",
        "getCredentialsFromTokenResponse": "get-credentials-from-token-response.js",
        "refreshCredentials": "refresh-credentials.js",
        "test": "test.js",
    }
    (tmp_path / "auth").mkdir(parents=True, exist_ok=True)
    listed = "".join(f"  {m}:\n    implementationType: javascript\n" for m in methods)
    (tmp_path / "spec.yml").write_text(SPEC.format(methods=listed))
    (tmp_path / "auth" / "get-oauth-config.map.yml").write_text(CONFIG)
    for method, source in methods.items():
        (tmp_path / "auth" / files[method]).write_text(source)
    return tmp_path


def run(path: Path, checks: tuple[str, ...] | None = None) -> Report:
    target = load_target(f"integration-app:{path}")
    assert isinstance(target, IntegrationAppTarget)
    with Engine(target) as engine:
        if checks is not None:
            engine.checks = [c for c in engine.checks if c.id in checks]
        return engine.run_all()


def status(report: Report, check: str) -> str:
    result = report.result("digitalocean", check)
    assert result is not None
    return result.status


@needs_node
def test_the_docs_methods_run_and_pass(tmp_path: Path) -> None:
    path = connector(
        tmp_path,
        getTokenData=TOKEN_DATA,
        getCredentialsFromTokenResponse=CREDENTIALS,
        refreshCredentials=REFRESH,
    )
    report = run(path, ("login", "token.client_auth", "token.refresh", "token.invalid_grant"))
    problems = [f"{r.id}: {r.message}" for r in report.results if r.status != "pass"]
    assert problems == []


@needs_node
def test_credentials_in_header_and_body_get_the_client_auth_warning(tmp_path: Path) -> None:
    both = TOKEN_DATA.replace(
        "headers: { 'Content-Type': 'application/x-www-form-urlencoded' },",
        "headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic ' +"
        " Buffer.from(connectorParameters.clientId + ':' + connectorParameters.clientSecret)"
        ".toString('base64') },",
    )
    report = run(connector(tmp_path, getTokenData=both), ("login", "token.client_auth"))
    # The config says body; the code sends both: the code is what is judged.
    result = report.result("digitalocean", "token.client_auth")
    assert result is not None and result.status == "warning"
    assert "oauth2.token.client_auth_multiple" in {f["rule"] for f in result.findings}
    assert status(report, "login") == "pass"


@needs_node
def test_a_forgotten_redirect_uri_is_judged_from_what_was_sent(tmp_path: Path) -> None:
    forgot = TOKEN_DATA.replace("      redirect_uri: redirectUri,\n", "")
    report = run(connector(tmp_path, getTokenData=forgot), ("login",))
    result = report.result("digitalocean", "login")
    assert result is not None and result.status == "fail"
    assert "redirect_uri" in result.message


@needs_node
def test_a_method_that_throws_fails_login_with_its_line(tmp_path: Path) -> None:
    broken = (
        "exports.getTokenData = async function () {\n  throw new Error('no token for you');\n};\n"
    )
    report = run(connector(tmp_path, getTokenData=broken), ("login",))
    result = report.result("digitalocean", "login")
    assert result is not None and result.status == "fail"
    assert "getTokenData failed: no token for you (get-token-data.js, line 2)" in result.message


def test_without_node_the_config_runs_and_the_results_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKEIDP_NODE", str(tmp_path / "no-node"))
    report = run(connector(tmp_path / "c", getTokenData=TOKEN_DATA), ("login", "authorize.state"))
    assert report.notes == [f"{NODE_MISSING}: the connector's getTokenData were read, not run"]
    login = report.result("digitalocean", "login")
    assert login is not None and login.status == "pass" and NODE_MISSING in login.message
    state = report.result("digitalocean", "authorize.state")
    assert state is not None and NODE_MISSING not in state.message


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda p: (p / "spec.yml").unlink(), "spec.yml: missing"),
        (lambda p: (p / "spec.yml").write_text("auth: [\n"), "spec.yml: not valid YAML (line 2)"),
        (
            lambda p: (p / "spec.yml").write_text("auth:\n  type: oauth1\n"),
            "spec.yml: key 'auth.type': expected oauth2, got 'oauth1'",
        ),
        (
            lambda p: (p / "auth" / "get-token-data.js").unlink(),
            "spec.yml: key 'auth.getTokenData': is javascript but auth/get-token-data.js is missing",
        ),
        (
            lambda p: (p / "auth" / "get-oauth-config.map.yml").unlink(),
            "spec.yml: key 'auth.getOAuthConfig': its mapping auth/get-oauth-config.map.yml is missing",
        ),
        (
            lambda p: (p / "auth" / "get-oauth-config.map.yml").write_text(
                CONFIG.replace("tokenUri:", "tokenUrl:")
            ),
            "get-oauth-config.map.yml: key 'tokenUri'",
        ),
    ],
    ids=["no-spec", "bad-yaml", "wrong-type", "no-js", "no-config", "bad-config"],
)
def test_a_broken_connector_directory_is_one_line(
    tmp_path: Path, break_it: object, message: str
) -> None:
    path = connector(tmp_path, getTokenData=TOKEN_DATA)
    break_it(path)  # type: ignore[operator]
    with pytest.raises(TargetError) as err:
        load_target(f"integration-app:{path}")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_cli_exits_2_on_a_broken_connector_directory(tmp_path: Path) -> None:
    path = connector(tmp_path, getTokenData=TOKEN_DATA)
    (path / "auth" / "get-token-data.js").unlink()
    done = subprocess.run(
        [sys.executable, "-m", "fakeidp.cli", "conformance", "--target", f"integration-app:{path}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "auth/get-token-data.js is missing" in done.stderr
    assert "Traceback" not in done.stderr
