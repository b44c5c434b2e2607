"""fakeidp's conformance suite: one test per provider and check, against one target.

Run it next to your own tests with the fakeidp pytest plugin:

    pytest --fakeidp-conformance --fakeidp-target mypackage.adapter:make_adapter \
        --fakeidp-html conformance.html

A check that fails is a failed test, with what was expected and what arrived;
one the target cannot be judged on (a capability it lacks, a provider feature
that does not exist) is skipped as not applicable; a warning passes and is
listed in the summary. The checks, targets and settings are documented in
``conformance/README.md``.
"""

from __future__ import annotations

from typing import Any

import pytest

from fakeidp.pytest_plugin import conformance_session


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fakeidp_scenario" not in metafunc.fixturenames:
        return
    from fakeidp.conformance import TargetError

    try:
        scenarios = conformance_session(metafunc.config).scenarios()
    except TargetError as exc:
        raise pytest.UsageError(f"fakeidp: {exc}") from None
    metafunc.parametrize("fakeidp_scenario", scenarios, ids=[s.id for s in scenarios])


def test_conformance(fakeidp_conformance: Any, fakeidp_scenario: Any) -> None:
    from fakeidp.conformance import TargetError
    from fakeidp.pytest_support import failure_text

    try:
        result = fakeidp_conformance.run(fakeidp_scenario)
    except TargetError as exc:  # the target could not start: one line, every scenario
        pytest.fail(f"fakeidp: {exc}", pytrace=False)
    if result.status == "fail":
        pytest.fail(failure_text(result), pytrace=False)
    if result.status == "not_applicable":
        pytest.skip(f"not applicable: {result.message}")
