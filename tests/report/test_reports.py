"""The report formats, from one real run with a pass, a fail, a warning and not applicable."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fakeidp.conformance import Engine, Report
from fakeidp.conformance.results import SCHEMA
from fakeidp.providers import builtin_providers
from fakeidp.report import (
    read_json,
    summary_lines,
    to_html,
    to_json,
    to_junit,
    to_markdown,
    write_reports,
)
from tests.conformance.broken import BasicEverywhere


@pytest.fixture(scope="module")
def report() -> Report:
    # Basic auth: refused by Twitch (fail), tolerated by Uber (warning).
    with Engine(BasicEverywhere(), ["twitch", "uber"]) as engine:
        return engine.run_all()


def test_the_run_has_every_status(report: Report) -> None:
    counts = report.counts()
    assert counts["fail"] == 1 and counts["warning"] == 1
    assert counts["pass"] > 0 and counts["not_applicable"] > 0


def test_json_is_versioned_and_round_trips(report: Report, tmp_path: Path) -> None:
    data = json.loads(to_json(report))
    assert data["schema"] == SCHEMA == "fakeidp.conformance/1"
    assert data["summary"] == {**report.counts(), "total": len(report.results)}
    assert data["target"]["name"] == "basic auth"
    [fail] = [r for r in data["results"] if r["status"] == "fail"]
    assert (fail["provider"], fail["check"]) == ("twitch", "token.client_auth")
    assert fail["findings"][0]["rule"] == "oauth2.token.client_auth_placement"
    assert fail["evidence"][0]["headers"]["Authorization"] == "Basic [redacted]"
    path = tmp_path / "r.json"
    write_reports(report, json=path)
    assert read_json(path).to_dict() == data
    with pytest.raises(ValueError, match=r"not a fakeidp\.conformance/1 report"):
        Report.from_dict({**data, "schema": "fakeidp.conformance/99"})


def test_junit_has_a_suite_per_provider_and_a_case_per_check(report: Report) -> None:
    root = ET.fromstring(to_junit(report))
    assert root.get("tests") == str(len(report.results))
    assert root.get("failures") == "1"
    assert root.get("skipped") == str(report.counts()["not_applicable"])
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"fakeidp.conformance.twitch", "fakeidp.conformance.uber"}
    twitch = {c.get("name"): c for c in suites["fakeidp.conformance.twitch"].iter("testcase")}
    failure = twitch["token.client_auth"].find("failure")
    assert failure is not None and "client_auth_placement" in (failure.text or "")
    assert "expected:" in (failure.text or "")
    uber = {c.get("name"): c for c in suites["fakeidp.conformance.uber"].iter("testcase")}
    out = uber["token.client_auth"].find("system-out")
    assert out is not None and (out.text or "").startswith("warning: ")
    assert uber["authorize.static_params"].find("skipped") is not None


class _Strict(HTMLParser):
    """Collects tags, and fails on anything a self-contained page must not have."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag not in ("script", "link", "img", "iframe"), tag
        assert not any(name in ("src", "href") for name, _ in attrs), attrs
        self.tags.append((tag, dict(attrs)))


def test_html_is_one_self_contained_file_with_a_cell_per_result(report: Report) -> None:
    page = to_html(report)
    parser = _Strict()
    parser.feed(page)
    cells = [a for t, a in parser.tags if t == "td" and a.get("class")]
    assert len(cells) == len(report.results)
    assert sum(1 for t, _ in parser.tags if t == "details") == len(report.results)
    assert [a["class"] for a in cells].count("fail") == 1
    assert "Twitch does not read client credentials from basic" in page
    assert "Authorization: Basic [redacted]" in page  # the redacted request, in the cell
    for provider in builtin_providers().values():
        assert provider.client.client_secret not in page or not provider.client.client_secret


def test_markdown_matrix_and_failures(report: Report) -> None:
    text = to_markdown(report)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| provider |"))
    assert header.count("|") == len(report.checks) + 2
    twitch = next(line for line in lines if line.startswith("| Twitch (`twitch`)"))
    assert "❌" in twitch
    assert "### Failures" in text and "### Warnings" in text
    assert "- **twitch** · `token.client_auth`: Twitch does not read" in text
    assert "<details><summary>Not applicable</summary>" in text


def test_terminal_summary_lists_failures_and_warnings(report: Report) -> None:
    lines = summary_lines(report)
    assert lines[0] == "fakeidp conformance: basic auth"
    assert " 1 failed, 1 warnings," in lines[1]
    groups = len(report.groups())
    # One line per check group, so an OIDC connector's author sees its ID-token score.
    # Basic auth fails at Twitch and warns at Uber: one check short of all, at each.
    assert lines[2].startswith("  Login flow: ")
    login_flow = dict(report.groups())["Login flow"]
    assert set(login_flow) == {"twitch", "uber"}
    assert all(p == j - 1 for p, j in login_flow.values()), login_flow
    assert lines[3 : 2 + groups] == [
        "  Legal but unusual answers: 9 of 9 (twitch 4 of 4, uber 5 of 5)",
        "  ID token validation: 13 of 13 (twitch)",
        "  OpenID Connect UserInfo and discovery: 1 of 1 (twitch)",
    ]
    assert [line.split(":")[0] for line in lines[2 + groups :]] == [
        "  FAIL twitch token.client_auth",
        "  WARN uber token.client_auth",
    ]
    assert len(summary_lines(report, verbose=True)) == 2 + groups + len(report.results)


def test_reports_from_workers_merge_into_one(report: Report) -> None:
    data = report.to_dict()
    halves = [Report.from_dict(data), Report.from_dict(data)]
    halves[0].results = [r for i, r in enumerate(halves[0].results) if i % 2]
    halves[1].results = [r for i, r in enumerate(halves[1].results) if not i % 2]
    merged = Report.merged(reversed(halves))
    assert [r.id for r in merged.results] == [r.id for r in report.results]
    assert merged.counts() == report.counts()
