"""``fakeidp conformance``: run the conformance checks against a target and write reports.

Exit status: 0 when no check failed, 1 when one did, 2 when the target
cannot be loaded or started (one line on stderr saying why).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .providers.loader import FixtureError


def register(subparsers: Any) -> None:
    """Add the ``conformance`` command to ``fakeidp``'s subparsers."""
    p = subparsers.add_parser(
        "conformance",
        help="check a connector against every provider and write reports",
        description="Run the conformance checks against a target: the reference client "
        "('reference'), an Auth0 connection ('auth0:FILE'), an integration.app config or "
        "connector directory ('integration-app:FILE' or 'integration-app:DIR'), a "
        "python-social-auth backend ('social-core:BACKEND'), an HTTP app ('exec:COMMAND') "
        "or a Python adapter "
        "('MODULE:FACTORY' or 'FILE.py:FACTORY').",
    )
    p.add_argument("--target", required=False, help="what to check (see above)")
    p.add_argument(
        "--provider", action="append", default=[], help="only this provider (repeatable)"
    )
    p.add_argument("--json", metavar="FILE", help="write the JSON report")
    p.add_argument("--junitxml", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--html", metavar="FILE", help="write the HTML report (one file)")
    p.add_argument("--markdown", metavar="FILE", help="write a Markdown summary")
    p.add_argument("-v", "--verbose", action="store_true", help="list every result")
    p.add_argument("--list-checks", action="store_true", help="list the checks and exit")
    p.set_defaults(func=cmd_conformance)


def cmd_conformance(args: argparse.Namespace) -> int:
    # Imported here: `fakeidp serve` builds this parser but never runs the engine.
    from .conformance import Engine, TargetError, catalogue, load_target
    from .report import summary_lines, write_reports

    if args.list_checks:
        groups: dict[str, list[Any]] = {}
        for c in catalogue():
            groups.setdefault(c.group, []).append(c)
        for group, checks in groups.items():
            print(f"{group} ({len(checks)} checks)")
            for c in checks:
                print(f"  {c.id:<34} {c.title}  [{', '.join(sorted(c.protocols))}; {c.source}]")
        return 0
    if not args.target:
        print("fakeidp conformance: --target is required", file=sys.stderr)
        return 2
    for option in ("json", "junitxml", "html", "markdown"):
        problem = _unwritable(getattr(args, option))
        if problem:  # before the run, not after it
            print(f"fakeidp conformance: --{option} {problem}", file=sys.stderr)
            return 2
    try:
        target = load_target(args.target)
        with Engine(target, args.provider) as engine:
            report = engine.run_all()
    except (TargetError, FixtureError) as exc:
        print(f"fakeidp conformance: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(report, verbose=args.verbose)))
    try:
        written = write_reports(
            report, json=args.json, junitxml=args.junitxml, html=args.html, markdown=args.markdown
        )
    except OSError as exc:
        print(f"fakeidp conformance: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    for path in written:
        print(f"  wrote {path}")
    return 1 if report.failed else 0


def _unwritable(path: str | None) -> str | None:
    """Why a report cannot be written at ``path`` (None: it can, or none was asked)."""
    if path is None:
        return None
    target = Path(path)
    if target.is_dir():
        return f"{path}: is a directory"
    parent = next((p for p in target.parents if p.exists()), Path("."))
    if not parent.is_dir():
        return f"{path}: {parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{path}: {parent} is not writable"
    if target.exists() and not os.access(target, os.W_OK):
        return f"{path}: not writable"
    return None
