"""From a wheel in a fresh virtual environment, a separate project uses the ``fakeidp``
fixture and runs the shipped conformance suite against its own adapter.

Slow (it builds the wheel and installs it with its dependencies from PyPI): one
test. ``FAKEIDP_SKIP_WHEEL_TEST=1`` skips it offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ADAPTER = '''
"""The project's own connector: plain requests, configured per provider."""
import secrets
import urllib.parse

import requests


class Adapter:
    capabilities = ("callback", "refresh", "scopes", "static_params", "dynamic_params",
                    "custom_headers")

    def authorize(self, env):
        c = env.connection
        state = env.scratch["state"] = secrets.token_urlsafe(32)
        params = {"response_type": "code", "client_id": env.client_id,
                  "redirect_uri": env.redirect_uri, "state": state, **c.static_params}
        params.update({p: env.login_params[f] for p, f in c.dynamic_params.items()})
        if c.scopes:
            params["scope"] = c.scope_separator.join(c.scopes)
        if c.pkce:
            import base64, hashlib
            verifier = env.scratch["verifier"] = secrets.token_urlsafe(48)
            digest = hashlib.sha256(verifier.encode()).digest()
            params["code_challenge"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            params["code_challenge_method"] = "S256"
        return c.authorize_url + "?" + urllib.parse.urlencode(params)

    def _token(self, env, form):
        c = env.connection
        auth = None
        if c.client_auth == "basic":
            auth = (env.client_id, env.client_secret)
        else:
            form = {**form, "client_id": env.client_id, "client_secret": env.client_secret}
        r = requests.post(c.token_url, data=form, auth=auth, timeout=10,
                          headers={"Accept": "application/json", **c.token_headers})
        try:
            token = r.json()
        except ValueError:
            return {"error": "malformed_response"}
        if r.status_code != 200 or "access_token" not in token:
            return {"error": "token_error"}
        env.scratch["token"] = {**env.scratch.get("token", {}), **token}
        return None

    def _profile(self, env):
        c = env.connection
        headers = {k: v.replace("${client_id}", env.client_id) for k, v in c.profile_headers.items()}
        token = env.scratch["token"]["access_token"]
        query = dict(c.profile_query)
        if c.profile_auth == "bearer":
            headers["Authorization"] = "Bearer " + token
        elif c.profile_auth == "oauth":
            headers["Authorization"] = "OAuth " + token
        else:
            query[c.profile_auth.split(":")[1]] = token
        r = requests.get(c.profile_url, headers=headers, params=query, timeout=10)
        if r.status_code != 200:
            return {"error": "profile_error", "status": r.status_code}
        node = r.json()
        for part in c.user_id_path.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return {"user_id": str(node)}

    def callback(self, env, url):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        if query.get("state") != env.scratch["state"]:
            return {"error": "state_mismatch"}
        if query.get("error") == "access_denied":
            return {"error": "cancelled"}
        form = {"grant_type": "authorization_code", "code": query["code"],
                "redirect_uri": env.redirect_uri}
        if "verifier" in env.scratch:
            form["code_verifier"] = env.scratch["verifier"]
        return self._token(env, form) or self._profile(env)

    def refresh(self, env):
        result = self._profile(env)
        if result.get("status") not in (401, 403):  # Imgur's expired token is a 403
            return result
        refresh_token = env.scratch["token"]["refresh_token"]
        return self._token(env, {"grant_type": "refresh_token",
                                 "refresh_token": refresh_token}) or self._profile(env)


def make():
    return Adapter()
'''

OWN_TESTS = """
import pytest
import requests


@pytest.mark.fakeidp(provider="digitalocean")
def test_my_app_logs_in(fakeidp):
    urls = fakeidp.urls()
    assert urls["token"].startswith("http://127.0.0.1:")
    r = requests.get(urls["authorize"], allow_redirects=False, timeout=5, params={
        "response_type": "code", "client_id": fakeidp.credentials().client_id,
        "redirect_uri": "https://app.example/cb", "state": "s" * 32})
    assert r.status_code == 302 and "code=" in r.headers["Location"]
    assert [e.endpoint for e in fakeidp.exchanges()] == ["authorize"]


def test_findings_fail_at_teardown_unless_acknowledged(fakeidp):
    r = requests.post(fakeidp.urls("twitch")["token"], auth=("a", "b"), timeout=5,
                      data={"grant_type": "authorization_code", "code": "x"})
    assert r.status_code in (400, 401)
    fakeidp.acknowledge()
"""


@pytest.mark.skipif(bool(os.environ.get("FAKEIDP_SKIP_WHEEL_TEST")), reason="asked to skip")
def test_a_separate_project_uses_the_installed_wheel(tmp_path: Path) -> None:
    # Nothing from this checkout either: a PYTHONPATH pointing at its src/ would win.
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def sh(*args: str | Path, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, env=clean
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done

    dist = tmp_path / "dist"
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT)
    [wheel] = dist.glob("fakeidp-*.whl")
    env = tmp_path / "env"
    sh(sys.executable, "-m", "venv", env)  # a plain venv: nothing from this one
    python = env / "bin" / "python"
    sh(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel, "pytest")

    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "my_adapter.py").write_text(textwrap.dedent(ADAPTER))
    (project / "tests" / "test_own.py").write_text(textwrap.dedent(OWN_TESTS))
    done = sh(
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "tests",
        "--fakeidp-conformance",
        "--fakeidp-target",
        "my_adapter:make",
        "--fakeidp-json",
        "report.json",
        "--fakeidp-html",
        "report.html",
        cwd=project,
    )
    last = done.stdout.strip().splitlines()[-1]
    assert "passed" in last and "failed" not in last and "error" not in last, last
    report = json.loads((project / "report.json").read_text())
    assert report["schema"] == "fakeidp.conformance/1"
    assert report["summary"]["fail"] == 0 and report["summary"]["pass"] > 50
    assert "my_adapter:make" in report["target"]["name"]
    # The suite and the provider fixtures came from the wheel, not this checkout.
    where = sh(python, "-c", "import fakeidp.conformance as c; print(c.suite_dir())").stdout
    assert "site-packages" in where and str(ROOT) not in where
    # And the command line works there too.
    cli = sh(
        env / "bin" / "fakeidp",
        "conformance",
        "--target",
        "my_adapter:make",
        "--provider",
        "twitch",
        cwd=project,
    )
    assert " 0 failed" in cli.stdout
