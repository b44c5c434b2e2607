"""JUnit XML: one testsuite per provider, one testcase per check.

A failure is ``<failure>``, not applicable is ``<skipped>``, a warning passes
with the warning in ``<system-out>`` (CI tools show it without failing the build).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from ..conformance.results import Report, Result


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2)


def _details(result: Result) -> str:
    lines = [
        result.message,
        "",
        f"expected: {_text(result.expected)}",
        f"actual:   {_text(result.actual)}",
    ]
    for f in result.findings:
        lines.append(f"finding: [{f.get('severity')}] {f.get('rule')}: {f.get('message')}")
    for e in result.evidence:
        lines.append(f"request: {e.get('method')} {e.get('url')} -> {e.get('status')}")
    if result.source:
        lines.append(f"source: {result.source}")
    return "\n".join(lines)


def to_junit(report: Report) -> str:
    root = ET.Element("testsuites", name="fakeidp conformance")
    counts = report.counts()
    root.set("tests", str(len(report.results)))
    root.set("failures", str(counts["fail"]))
    root.set("skipped", str(counts["not_applicable"]))
    root.set("errors", "0")
    root.set("time", f"{report.duration:.3f}")
    for provider in report.providers:
        results = [r for r in report.results if r.provider == provider.id]
        if not results:
            continue
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"fakeidp.conformance.{provider.id}",
            tests=str(len(results)),
            failures=str(sum(r.status == "fail" for r in results)),
            skipped=str(sum(r.status == "not_applicable" for r in results)),
            errors="0",
            time=f"{sum(r.duration for r in results):.3f}",
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="target", value=report.target)
        ET.SubElement(props, "property", name="provider", value=provider.name)
        for r in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"fakeidp.conformance.{provider.id}",
                name=r.check,
                time=f"{r.duration:.3f}",
            )
            if r.status == "fail":
                failure = ET.SubElement(case, "failure", message=r.message, type="conformance")
                failure.text = _details(r)
            elif r.status == "not_applicable":
                ET.SubElement(case, "skipped", message=f"not applicable: {r.message}")
            elif r.status == "warning":
                ET.SubElement(case, "system-out").text = "warning: " + _details(r)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
