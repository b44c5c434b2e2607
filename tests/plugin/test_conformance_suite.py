"""The conformance suite through the pytest plugin: options, results, reports, xdist."""

from __future__ import annotations

import json
import sys

import pytest

from fakeidp.conformance import Engine, ReferenceTarget

NO_HYPOTHESIS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

COMMA_TARGET = """
from fakeidp.conformance import ReferenceTarget

class CommaScopes(ReferenceTarget):
    name = "comma separator"

    def connection(self, env):
        return env.connection.replace(scope_separator=",")

def make():
    return CommaScopes()
"""


def expected_count(*providers: str) -> int:
    with Engine(ReferenceTarget(), providers) as engine:
        return len(engine.scenarios())


def test_suite_runs_next_to_the_users_tests_and_writes_a_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own(fakeidp):\n    assert fakeidp.urls('uber')\n")
    result = pytester.runpytest_inprocess(
        *NO_HYPOTHESIS,
        "--fakeidp-conformance",
        "--fakeidp-provider",
        "uber",
        "--fakeidp-json",
        "out/report.json",
        "-rs",
    )
    total = expected_count("uber")
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    assert report["schema"] == "fakeidp.conformance/1"
    assert report["summary"]["total"] == total
    assert report["summary"]["fail"] == 0
    na = report["summary"]["not_applicable"]
    result.assert_outcomes(passed=1 + total - na, skipped=na)
    result.stdout.fnmatch_lines(
        [
            "*= fakeidp conformance =*",
            "fakeidp conformance: reference client",
            f"  {total} checks on 1 providers: * 0 failed*",
            "*not applicable: the connector is configured with no static params*",
        ]
    )


def test_a_failing_check_fails_its_test_with_expected_and_actual(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(comma_target=COMMA_TARGET)
    result = pytester.runpytest_inprocess(
        *NO_HYPOTHESIS,
        "--fakeidp-conformance",
        "--fakeidp-provider",
        "digitalocean",
        "--fakeidp-target",
        "comma_target:make",
        "-p",
        "pytester",
    )
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*test_conformance[[]digitalocean:authorize.scopes[]]*",
            "digitalocean authorize.scopes: scopes must be joined with ' '*",
            "  expected: 'read write'",
            "  actual:   'read,write'",
            "  finding [[]error[]] oauth2.authorize.scope_separator: *",
            "*FAIL digitalocean authorize.scopes*",
        ]
    )
    assert "1 failed" in result.stdout.lines[-1]


def test_a_target_that_cannot_be_imported_is_one_clear_line(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        *NO_HYPOTHESIS, "--fakeidp-conformance", "--fakeidp-target", "no_such_module:make"
    )
    assert result.ret != 0
    errors = [line for line in result.stderr.lines + result.stdout.lines if "fakeidp:" in line]
    assert errors == [
        "ERROR: fakeidp: cannot import target 'no_such_module:make': "
        "ModuleNotFoundError: No module named 'no_such_module'"
    ]


def test_under_xdist_the_workers_results_merge_into_one_report(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(comma_target=COMMA_TARGET)
    result = pytester.runpytest_subprocess(
        *NO_HYPOTHESIS,
        "-n",
        "2",
        "--fakeidp-conformance",
        "--fakeidp-provider",
        "uber",
        "--fakeidp-provider",
        "vimeo",
        "--fakeidp-target",
        "comma_target:make",
        "--fakeidp-json",
        "r.json",
        "--fakeidp-markdown",
        "r.md",
        "--fakeidp-html",
        "r.html",
        "--fakeidp-junitxml",
        "r.xml",
    )
    total = expected_count("uber", "vimeo")
    report = json.loads((pytester.path / "r.json").read_text())
    assert report["summary"]["total"] == total
    failed = sorted((r["provider"], r["check"]) for r in report["results"] if r["status"] == "fail")
    assert failed == [("uber", "authorize.scopes"), ("vimeo", "authorize.scopes")]
    ids = [(r["provider"], r["check"]) for r in report["results"]]
    assert len(set(ids)) == total  # each scenario once, from whichever worker ran it
    assert [p["id"] for p in report["providers"]] == ["uber", "vimeo"]
    for name in ("r.md", "r.html", "r.xml"):
        assert (pytester.path / name).stat().st_size > 0
    result.stdout.fnmatch_lines([f"  {total} checks on 2 providers: * 2 failed*"])
    assert result.ret == 1


def test_an_app_that_does_not_start_fails_each_scenario_in_one_line(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_inprocess(
        *NO_HYPOTHESIS,
        "--fakeidp-conformance",
        "--fakeidp-provider",
        "uber",
        "--fakeidp-target",
        f"exec:{sys.executable} -c 'raise SystemExit(3)'",
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == expected_count("uber")
    result.stdout.fnmatch_lines(["fakeidp: *-c 'raise SystemExit(3)'* exited with status 3"])


def test_a_social_core_backend_is_a_target_of_the_plugin_too(pytester: pytest.Pytester) -> None:
    pytest.importorskip("social_core")
    result = pytester.runpytest_inprocess(
        *NO_HYPOTHESIS,
        "--fakeidp-conformance",
        "--fakeidp-target",
        "social-core:digitalocean",
        "--fakeidp-json",
        "report.json",
    )
    report = json.loads((pytester.path / "report.json").read_text())
    assert [p["id"] for p in report["providers"]] == ["digitalocean"]
    assert "social-core backend digitalocean" in report["target"]["name"]
    assert report["summary"]["fail"] == 0 and report["summary"]["pass"] > 10
    assert result.ret == 0
