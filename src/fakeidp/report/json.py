"""The JSON report: ``{"schema": "fakeidp.conformance/1", ...}``.

The fields are those of :class:`fakeidp.conformance.results.Report`.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..conformance.results import Report


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"


def read_json(path: str | Path) -> Report:
    """A report written by :func:`to_json`; ValueError for another schema."""
    return Report.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
