"""The summary printed at the end of a run (the CLI, and pytest's terminal summary)."""

from __future__ import annotations

from ..conformance.results import Report


def headline(report: Report) -> str:
    c = report.counts()
    return (
        f"{len(report.results)} checks on {len(report.providers)} providers: "
        f"{c['pass']} passed, {c['fail']} failed, {c['warning']} warnings, "
        f"{c['not_applicable']} not applicable ({report.duration:.1f}s)"
    )


def summary_lines(report: Report, *, verbose: bool = False) -> list[str]:
    """Target, counts, then each failure and warning (and, verbose, every result)."""
    lines = [f"fakeidp conformance: {report.target}", "  " + headline(report)]
    lines += [f"  NOTE: {note}" for note in report.notes]
    labels = {"fail": "FAIL", "warning": "WARN", "pass": "PASS", "not_applicable": "N/A "}
    shown = ("fail", "warning", "pass", "not_applicable") if verbose else ("fail", "warning")
    for status in shown:
        for r in report.by_status(status):  # type: ignore[arg-type]
            lines.append(f"  {labels[status]} {r.provider} {r.check}: {r.message}")
    return lines
