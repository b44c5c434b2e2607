"""Results of a conformance run: one :class:`Result` per scenario, gathered in a :class:`Report`.

A Result says, for one provider and one check, whether the target passed,
failed, drew a warning, or could not be judged (not applicable), with what was
expected, what happened, and the redacted requests as evidence. The JSON form
is versioned (:data:`SCHEMA`); readers should refuse a schema they do not know.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA = "fakeidp.conformance/1"

Status = Literal["pass", "fail", "warning", "not_applicable"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "warning", "not_applicable")
STATUS_LABELS: dict[str, str] = {
    "pass": "pass",
    "fail": "fail",
    "warning": "warning",
    "not_applicable": "n/a",
}


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (tuples become lists, unknown objects their str)."""
    return json.loads(json.dumps(value, default=str))


@dataclass
class Result:
    provider: str
    check: str
    status: Status
    message: str
    expected: Any = None
    actual: Any = None
    source: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    duration: float = 0.0

    @property
    def id(self) -> str:
        return f"{self.provider}/{self.check}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "check": self.check,
            "status": self.status,
            "message": self.message,
            "expected": jsonable(self.expected),
            "actual": jsonable(self.actual),
            "source": self.source,
            "findings": jsonable(self.findings),
            "evidence": jsonable(self.evidence),
            "duration": round(self.duration, 6),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown result status {status!r}")
        return cls(
            provider=data["provider"],
            check=data["check"],
            status=status,
            message=data.get("message", ""),
            expected=data.get("expected"),
            actual=data.get("actual"),
            source=data.get("source", ""),
            findings=list(data.get("findings", [])),
            evidence=list(data.get("evidence", [])),
            duration=float(data.get("duration", 0.0)),
        )


@dataclass(frozen=True)
class CheckInfo:
    """What a report says about a check: its id, a one-line title, its source, its group."""

    id: str
    title: str
    source: str
    group: str = ""


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    name: str
    protocol: str


@dataclass
class Report:
    target: str
    capabilities: tuple[str, ...] = ()
    providers: list[ProviderInfo] = field(default_factory=list)
    checks: list[CheckInfo] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    started: str = ""
    duration: float = 0.0
    fakeidp_version: str = ""
    # What the reader must know first (e.g. "script not executed: node not found").
    notes: list[str] = field(default_factory=list)

    # -- queries ----------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            counts[r.status] += 1
        return counts

    @property
    def failed(self) -> bool:
        return any(r.status == "fail" for r in self.results)

    def result(self, provider: str, check: str) -> Result | None:
        for r in self.results:
            if r.provider == provider and r.check == check:
                return r
        return None

    def groups(self) -> list[tuple[str, dict[str, tuple[int, int]]]]:
        """Per check group, in report order: provider -> (passed, judged); not applicable
        results are not judged ("ID token validation": {"twitch": (9, 13)})."""
        group_of = {c.id: c.group for c in self.checks}
        out: dict[str, dict[str, tuple[int, int]]] = {}
        for r in self.results:
            group = group_of.get(r.check, "")
            per = out.setdefault(group, {})
            passed, judged = per.get(r.provider, (0, 0))
            if r.status != "not_applicable":
                per[r.provider] = (passed + (r.status == "pass"), judged + 1)
            else:
                per.setdefault(r.provider, (passed, judged))
        return [(g, {p: v for p, v in per.items() if v[1]}) for g, per in out.items() if g]

    def by_status(self, status: Status) -> list[Result]:
        return [r for r in self.results if r.status == status]

    def add(self, result: Result) -> None:
        self.results.append(result)

    def sort(self) -> None:
        """Results in provider order, then check order (as a matrix reads)."""
        p_order = {p.id: i for i, p in enumerate(self.providers)}
        c_order = {c.id: i for i, c in enumerate(self.checks)}
        self.results.sort(
            key=lambda r: (p_order.get(r.provider, 1 << 30), c_order.get(r.check, 1 << 30))
        )

    # -- (de)serialisation --------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "fakeidp_version": self.fakeidp_version,
            "target": {"name": self.target, "capabilities": list(self.capabilities)},
            "notes": list(self.notes),
            "started": self.started,
            "duration": round(self.duration, 6),
            "providers": [vars(p) for p in self.providers],
            "checks": [vars(c) for c in self.checks],
            "summary": {**self.counts(), "total": len(self.results)},
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report (schema {data.get('schema')!r})")
        target = data.get("target", {})
        return cls(
            target=target.get("name", ""),
            capabilities=tuple(target.get("capabilities", ())),
            providers=[ProviderInfo(**p) for p in data.get("providers", [])],
            checks=[CheckInfo(**c) for c in data.get("checks", [])],
            results=[Result.from_dict(r) for r in data.get("results", [])],
            started=data.get("started", ""),
            duration=float(data.get("duration", 0.0)),
            fakeidp_version=data.get("fakeidp_version", ""),
            notes=[str(n) for n in data.get("notes", [])],
        )

    @classmethod
    def merged(cls, reports: Iterable[Report]) -> Report:
        """One report from several (pytest-xdist workers): results joined, order kept."""
        reports = list(reports)
        if not reports:
            return cls(target="")
        first = reports[0]
        merged = cls(
            target=first.target,
            capabilities=first.capabilities,
            started=min((r.started for r in reports if r.started), default=""),
            duration=max(r.duration for r in reports),
            fakeidp_version=first.fakeidp_version,
        )
        for report in reports:
            merged.notes.extend(n for n in report.notes if n not in merged.notes)
            for p in report.providers:
                if p not in merged.providers:
                    merged.providers.append(p)
            for c in report.checks:
                if c not in merged.checks:
                    merged.checks.append(c)
            merged.results.extend(report.results)
        merged.sort()
        return merged
