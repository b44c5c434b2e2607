"""The conformance kit: run every check against a connector, provider by provider.

``Engine(target).run_all()`` gives a :class:`Report`; targets are the
reference client (:class:`ReferenceTarget`), a connection config
(:class:`ConnectionTarget`), a Python adapter (:class:`AdapterTarget`, see
:mod:`fakeidp.conformance.adapter` for its protocol) and an HTTP application
in any language (:class:`HttpAppTarget`, see :mod:`fakeidp.conformance.http_app`).
:func:`load_target` reads a ``--target`` spec.
"""

from .adapter import AdapterTarget
from .checks import Check, Verdict, catalogue
from .engine import Engine, Scenario, run_conformance
from .environment import CAPABILITIES, Environment, Outcome, Settings
from .http_app import HttpAppTarget
from .loading import load_target
from .results import SCHEMA, Report, Result
from .suite import suite_dir
from .targets import ConnectionTarget, ReferenceTarget, Target, TargetError

__all__ = [
    "CAPABILITIES",
    "SCHEMA",
    "AdapterTarget",
    "Check",
    "ConnectionTarget",
    "Engine",
    "Environment",
    "HttpAppTarget",
    "Outcome",
    "ReferenceTarget",
    "Report",
    "Result",
    "Scenario",
    "Settings",
    "Target",
    "TargetError",
    "Verdict",
    "catalogue",
    "load_target",
    "run_conformance",
    "suite_dir",
]
