"""The fakeidp pytest plugin (entry point ``pytest11``, name ``fakeidp``).

Fixtures for your own tests:

``fakeidp``
    A per-test :class:`~fakeidp.pytest_support.TestIdP` over a session-scoped
    fake IdP served on 127.0.0.1 (one per pytest-xdist worker), reset before
    each test: each provider's ``urls()`` and ``credentials()``, ``exchanges()``,
    ``findings()``, the test ``user()``/``set_user()``, ``strict``, ``fault()``.
    A test that leaves error findings it did not ``acknowledge()`` fails at
    teardown, listing them.
``fakeidp_intercept``
    The same handle, with interception on for the test: requests (httpx, httpx2)
    calls to the providers' real URLs are answered by it, so the app under test
    keeps its production URLs.
``fakeidp_browser``
    The handle's :class:`~fakeidp.browser.Browser` (also ``fakeidp.browser``):
    given the authorization URL the app produced, it approves, denies or logs in
    as a chosen user, and hands back the callback for the app's test client.
``@pytest.mark.fakeidp(provider=..., strict=..., faults=[...], allow_findings=False,
intercept=False)``
    The default provider, strict or lenient, faults to inject (the fields of
    :class:`fakeidp.idp.faults.Fault`; ``provider`` defaults to the marker's),
    the opt-out of the teardown check, and interception for the whole test
    (default: the ``fakeidp_intercept`` ini option, false).

A failed test's report has a "fakeidp findings" section: every finding recorded
during the test (rule id, severity, expected, actual), whatever the failure was.

The conformance suite: ``--fakeidp-conformance`` collects the shipped suite
(one test per provider and check) against ``--fakeidp-target`` (default: the
reference client); ``--fakeidp-json/-html/-markdown/-junitxml`` write one
report, merged across xdist workers. The logic is in :mod:`fakeidp.pytest_support`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .browser import Browser
    from .pytest_support import ConformanceSession, TestIdP
    from .transport import LiveServer

CONFORMANCE = pytest.StashKey["ConformanceSession"]()
CALL_REPORT = pytest.StashKey[pytest.TestReport]()
HANDLE = pytest.StashKey["TestIdP"]()  # the test's handle: its findings go into failure reports
OWN_TEARDOWN_FAILURE = pytest.StashKey[bool]()  # our teardown check already listed them
FINDINGS_SECTION = "fakeidp findings"
WORKER_KEY = "fakeidp_conformance"
REPORT_OPTIONS = ("json", "junitxml", "html", "markdown")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fakeidp", "fakeidp: fake identity provider and conformance kit")
    group.addoption(
        "--fakeidp-conformance",
        action="store_true",
        help="also collect fakeidp's conformance suite (one test per provider and check)",
    )
    group.addoption(
        "--fakeidp-target",
        default="reference",
        metavar="SPEC",
        help="what the conformance suite checks: reference, auth0:FILE, "
        "integration-app:FILE|DIR, social-core:BACKEND, exec:COMMAND or MODULE:FACTORY "
        "(default: reference)",
    )
    group.addoption(
        "--fakeidp-provider",
        action="append",
        default=[],
        metavar="ID",
        help="run the conformance suite for this provider only (repeatable)",
    )
    for name in REPORT_OPTIONS:
        group.addoption(
            f"--fakeidp-{name}", metavar="FILE", help=f"write the conformance report as {name}"
        )
    parser.addini(
        "fakeidp_strict",
        type="bool",
        default=True,
        help="the fakeidp fixture's default: strict (refuse like the real provider) or lenient",
    )
    parser.addini(
        "fakeidp_intercept",
        type="bool",
        default=False,
        help="the fakeidp fixture's default: intercept the providers' real URLs in every test "
        "that uses it (an app project's tests, say); the marker's intercept= overrides it",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fakeidp(provider=None, strict=None, faults=(), allow_findings=False, intercept=False): "
        "set up the fakeidp fixture for this test",
    )
    if config.getoption("fakeidp_conformance"):
        from .conformance.suite import suite_file

        path = str(suite_file())
        if path not in config.args:
            config.args.append(path)
        from .conformance import TargetError

        try:  # load the target now: a target that cannot load is one line, not a traceback
            conformance_session(config).engine  # noqa: B018
        except TargetError as exc:
            raise pytest.UsageError(f"fakeidp: {exc}") from None


def conformance_session(config: pytest.Config) -> ConformanceSession:
    """This process's conformance session (the suite module calls this too)."""
    if CONFORMANCE not in config.stash:
        from .pytest_support import ConformanceSession

        config.stash[CONFORMANCE] = ConformanceSession(
            config.getoption("fakeidp_target"), config.getoption("fakeidp_provider")
        )
    return config.stash[CONFORMANCE]


# -- fixtures for users' tests ---------------------------------------------------------


@pytest.fixture(scope="session")
def fakeidp_app() -> Any:
    """The session's fake IdP app: every shipped provider (one per xdist worker)."""
    from .idp.app import create_app

    return create_app()


@pytest.fixture(scope="session")
def fakeidp_server(fakeidp_app: Any) -> Iterator[LiveServer]:
    """The session's fake IdP on 127.0.0.1, a free port, a background thread."""
    from .transport import LiveServer

    with LiveServer(fakeidp_app) as server:
        yield server


@pytest.fixture
def fakeidp(
    request: pytest.FixtureRequest, fakeidp_app: Any, fakeidp_server: LiveServer
) -> Iterator[TestIdP]:
    """A fresh handle on the session's fake IdP, reset for this test (see the module doc)."""
    from .pytest_support import MarkerError, start_test_idp, teardown_message

    error: str | None = None
    try:
        handle, options = start_test_idp(
            fakeidp_app,
            fakeidp_server.base_url,
            request.node.iter_markers("fakeidp"),
            request.config.getini("fakeidp_strict"),
        )
    except MarkerError as exc:
        error = str(exc)
    if error is not None:  # failed outside the except block: one line, no chained traceback
        pytest.fail(error, pytrace=False)
    request.node.stash[HANDLE] = handle
    with ExitStack() as stack:
        intercept = options.get("intercept")
        if intercept or (intercept is None and request.config.getini("fakeidp_intercept")):
            stack.enter_context(handle.intercepting())
        yield handle
    report = request.node.stash.get(CALL_REPORT, None)
    message = teardown_message(handle, options, report is not None and report.failed)
    if message:
        request.node.stash[OWN_TEARDOWN_FAILURE] = True
        pytest.fail(message, pytrace=False)


@pytest.fixture
def fakeidp_intercept(fakeidp: TestIdP) -> Iterator[TestIdP]:
    """The ``fakeidp`` handle, intercepting the providers' real URLs for this test."""
    with fakeidp.intercepting():
        yield fakeidp


@pytest.fixture
def fakeidp_browser(fakeidp: TestIdP) -> Browser:
    """The user's browser at this test's fake IdP (see :mod:`fakeidp.browser`)."""
    return fakeidp.browser


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report  # the teardown check skips tests that already failed
    handle = item.stash.get(HANDLE, None)
    if report.failed and handle is not None and not item.stash.get(OWN_TEARDOWN_FAILURE, False):
        from .pytest_support import findings_section

        section = findings_section(handle.findings(), handle.providers)
        if section:
            report.sections.append((FINDINGS_SECTION, section))
    return report


# -- the conformance suite --------------------------------------------------------------


@pytest.fixture(scope="session")
def fakeidp_conformance(request: pytest.FixtureRequest) -> Iterator[ConformanceSession]:
    """The conformance engine of this pytest process, closed at the end of the session."""
    session = conformance_session(request.config)
    yield session
    session.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    conformance = config.stash.get(CONFORMANCE, None)
    if conformance is None:
        return
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the report
        if conformance.report is not None:
            config.workeroutput[WORKER_KEY] = conformance.report.to_dict()  # type: ignore[attr-defined]
        return
    report = conformance.merged()
    if report is None:
        return
    from .report import write_reports

    paths = {name: config.getoption(f"fakeidp_{name}") for name in REPORT_OPTIONS}
    write_reports(report, **paths)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: a worker finished; keep its part of the conformance report."""
    data = getattr(node, "workeroutput", {}).get(WORKER_KEY)
    if data is None:
        return
    from .conformance.results import Report

    conformance_session(node.config).worker_reports.append(Report.from_dict(data))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    conformance = config.stash.get(CONFORMANCE, None)
    if conformance is None or hasattr(config, "workerinput"):
        return
    report = conformance.merged()
    if report is None:
        return
    from .report import summary_lines

    terminalreporter.section("fakeidp conformance")
    for line in summary_lines(report):
        terminalreporter.write_line(line)
    for name in REPORT_OPTIONS:
        path = config.getoption(f"fakeidp_{name}")
        if path:
            terminalreporter.write_line(f"  wrote {path}")
