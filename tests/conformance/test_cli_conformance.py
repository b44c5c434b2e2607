"""``fakeidp conformance``: reports, exit status, one clear line for a bad target."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fakeidp.cli import main
from fakeidp.conformance.checks import FLOW, catalogue

BROKEN = Path(__file__).with_name("broken.py")


def test_reference_passes_and_writes_every_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = {k: tmp_path / f"r.{k}" for k in ("json", "xml", "html", "md")}
    code = main(
        [
            "conformance",
            "--target",
            "reference",
            "--provider",
            "uber",
            "--json",
            str(out["json"]),
            "--junitxml",
            str(out["xml"]),
            "--html",
            str(out["html"]),
            "--markdown",
            str(out["md"]),
        ]
    )
    assert code == 0
    stdout = capsys.readouterr().out
    assert stdout.startswith("fakeidp conformance: reference client\n")
    assert " 0 failed" in stdout
    assert json.loads(out["json"].read_text())["schema"] == "fakeidp.conformance/1"
    assert ET.parse(out["xml"]).getroot().get("failures") == "0"
    assert out["html"].read_text().startswith("<!doctype html>")
    assert out["md"].read_text().startswith("## fakeidp conformance: reference client")


def test_a_failing_check_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--target", f"{BROKEN}:NoStaticParams", "--provider", "wordpress"])
    assert code == 1
    assert "FAIL wordpress authorize.static_params:" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["conformance", "--target", "no_such_module:make"],
        ["conformance", "--target", "reference", "--provider", "nope"],
        ["conformance"],
    ],
)
def test_a_bad_target_is_one_line_and_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("fakeidp conformance: ")
    assert captured.err.count("\n") == 1


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "--list-checks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    flow = [c for c in catalogue() if c.group == FLOW]
    assert lines[0] == f"Login flow ({len(flow)} checks)"
    assert lines[1].startswith("  login ")
    assert any(line.startswith("  token.refresh ") for line in lines)
    assert "ID token validation (13 checks)" in lines
    assert any(line.startswith("  id_token.key_rotation ") for line in lines)
