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


def group_lines(report: Report) -> list[str]:
    """One line per check group: "ID token validation: 9 of 13 (twitch)", per provider."""
    lines = []
    for group, per in report.groups():
        if not per:
            continue
        passed = sum(p for p, _ in per.values())
        judged = sum(j for _, j in per.values())
        if len(per) == 1:
            [pid] = per
            lines.append(f"{group}: {passed} of {judged} ({pid})")
        else:
            each = ", ".join(f"{pid} {p} of {j}" for pid, (p, j) in per.items())
            lines.append(f"{group}: {passed} of {judged} ({each})")
    return lines


def summary_lines(report: Report, *, verbose: bool = False) -> list[str]:
    """Target, counts, each check group's passes, then each failure and warning (and,
    verbose, every result)."""
    lines = [f"fakeidp conformance: {report.target}", "  " + headline(report)]
    lines += [f"  NOTE: {note}" for note in report.notes]
    lines += ["  " + line for line in group_lines(report)]
    labels = {"fail": "FAIL", "warning": "WARN", "pass": "PASS", "not_applicable": "N/A "}
    shown = ("fail", "warning", "pass", "not_applicable") if verbose else ("fail", "warning")
    for status in shown:
        for r in report.by_status(status):  # type: ignore[arg-type]
            lines.append(f"  {labels[status]} {r.provider} {r.check}: {r.message}")
    return lines
