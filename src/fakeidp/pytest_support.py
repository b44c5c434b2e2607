"""What the pytest plugin (:mod:`fakeidp.pytest_plugin`) does, kept out of the plugin module.

- :class:`TestIdP`: the per-test handle of the ``fakeidp`` fixture, over the
  session's fake IdP, with a default provider from the marker;
- :func:`apply_marker` and :func:`pending_message`: the marker's options, and
  the teardown check for error findings nobody acknowledged;
- :func:`findings_section`: the "fakeidp findings" section of a failed test's report;
- :class:`ConformanceSession`: the conformance suite's engine and report in one
  pytest process (each xdist worker has its own; the controller merges).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from flask import Flask

from .client.connection import Connection
from .conformance.engine import Engine, Scenario
from .conformance.loading import load_target
from .conformance.results import Report, Result
from .conformance.targets import TargetError
from .handle import Credentials, FakeIdP
from .idp.faults import FaultError
from .idp.rules import Finding
from .idp.store import User
from .providers.model import Provider
from .transport import IN_PROCESS_BASE, in_process_session

MARKER_OPTIONS = ("provider", "strict", "faults", "allow_findings", "intercept")
# The options that take True or False (strict also None: the ini's default).
BOOLEAN_OPTIONS = ("strict", "allow_findings", "intercept")


class TestIdP(FakeIdP):
    """The ``fakeidp`` fixture: a FakeIdP handle whose URLs are the session's live server.

    ``provider`` (from ``@pytest.mark.fakeidp(provider=...)``) is the default
    for ``urls()``, ``real_urls()``, ``credentials()``, ``connection()``, ``user()``
    and ``deny_next()``; ``session()`` reaches the live URLs in-process (no
    socket), other clients use the socket.
    """

    __test__ = False  # not a test class, whatever pytest's python_classes says

    def __init__(self, app: Flask, base_url: str, provider: str | None = None) -> None:
        super().__init__(app=app)
        self.base_url = base_url
        self.provider_id = provider
        self._intercepting = False

    def _pid(self, provider_id: str | None) -> str:
        pid = provider_id or self.provider_id
        if pid is None:
            raise TypeError("name a provider, or pick one with @pytest.mark.fakeidp(provider=...)")
        return pid

    def urls(self, provider_id: str | None = None, base_url: str | None = None) -> dict[str, str]:
        return super().urls(self._pid(provider_id), base_url)

    def real_urls(self, provider_id: str | None = None) -> dict[str, str]:
        return super().real_urls(self._pid(provider_id))

    def deny_next(self, provider_id: str | None = None) -> None:
        super().deny_next(self._pid(provider_id))

    def credentials(self, provider_id: str | None = None) -> Credentials:
        return super().credentials(self._pid(provider_id))

    def connection(
        self, provider_id: str | None = None, *, real_urls: bool = False, **overrides: Any
    ) -> Connection:
        return super().connection(self._pid(provider_id), real_urls=real_urls, **overrides)

    def user(self, provider_id: str | None = None) -> User:
        return super().user(self._pid(provider_id))

    def session(self) -> requests.Session:
        return in_process_session(self.app, self.base_url)

    @contextmanager
    def intercepting(self) -> Iterator[FakeIdP]:
        """Real provider URLs reach this IdP while the block runs; nested blocks (the marker's
        ``intercept=True`` and the ``fakeidp_intercept`` fixture together) intercept once."""
        if self._intercepting:
            yield self
            return
        self._intercepting = True
        try:
            with super().intercepting():
                yield self
        finally:
            self._intercepting = False


def marker_options(markers: Iterable[Any]) -> dict[str, Any]:
    """The ``fakeidp`` markers' keyword arguments, the closest marker winning."""
    options: dict[str, Any] = {}
    for mark in reversed(list(markers)):
        if mark.args:
            raise TypeError(f"takes keyword arguments only, got {mark.args!r}")
        unknown = sorted(set(mark.kwargs) - set(MARKER_OPTIONS))
        if unknown:
            raise TypeError(f"unknown option {unknown[0]!r}; known: {', '.join(MARKER_OPTIONS)}")
        options.update(mark.kwargs)
    for name in BOOLEAN_OPTIONS:
        value = options.get(name)
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"{name}: expected True or False, got {value!r}")
    provider = options.get("provider")
    if provider is not None and not isinstance(provider, str):
        raise TypeError(f"provider: expected a provider id such as 'twitch', got {provider!r}")
    return options


def apply_marker(idp: TestIdP, options: Mapping[str, Any], default_strict: bool) -> None:
    """Reset the handle's IdP, then set it up as the marker says."""
    idp.reset()
    provider = options.get("provider")
    if provider is not None:
        idp.provider(provider)  # KeyError naming the known providers
    idp.provider_id = provider
    strict = options.get("strict")
    idp.strict = default_strict if strict is None else strict
    faults = options.get("faults") or ()
    if isinstance(faults, Mapping):
        faults = [faults]
    for fault in faults:
        if not isinstance(fault, Mapping):
            raise FaultError("faults", "expected a fault's fields as a dict, or a list of them")
        idp.fault(**{"provider": provider, **fault})


class MarkerError(ValueError):
    """``@pytest.mark.fakeidp`` is wrong; the message says how."""


def start_test_idp(
    app: Flask, base_url: str, markers: Iterable[Any], default_strict: bool
) -> tuple[TestIdP, dict[str, Any]]:
    """A fresh handle for one test, set up from its markers."""
    handle = TestIdP(app, base_url)
    try:
        options = marker_options(markers)
        apply_marker(handle, options, default_strict)
    except (TypeError, KeyError, FaultError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        raise MarkerError(f"@pytest.mark.fakeidp: {text}") from None
    return handle, options


def teardown_message(idp: FakeIdP, options: Mapping[str, Any], call_failed: bool) -> str | None:
    """Why the test must fail at teardown (pending error findings, IdP 500s), or None.

    Not for a test that opted out (``allow_findings=True``), nor one that already
    failed: its own failure says more.
    """
    if options.get("allow_findings") or call_failed:
        return None
    findings, errors = idp.errors(), server_errors(idp)
    return pending_message(findings, errors, idp.providers) if findings or errors else None


def server_errors(idp: FakeIdP) -> list[Any]:
    """Requests the IdP answered with a 500 of its own (not an injected fault): bugs of ours."""
    return [e for e in idp.exchanges() if e.status == 500 and not getattr(e, "fault", None)]


def pending_message(
    findings: list[Finding], errors: list[Any], providers: Mapping[str, Provider] | None = None
) -> str:
    """The teardown failure: each pending finding and IdP 500, intercepted requests shown
    at the real URL the app called."""
    providers = providers or {}
    lines = []
    if findings:
        lines.append(f"fakeidp: the test left {len(findings)} unacknowledged error finding(s):")
        for f in findings:
            lines.append(f"  {f}")
            evidence = f.evidence or {}
            if evidence.get("url"):
                url = real_url_of(str(evidence["url"]), providers)
                lines.append(f"      {evidence.get('method')} {url}")
    if errors:
        lines.append(f"fakeidp: the fake IdP failed {len(errors)} request(s) with a 500:")
        lines += [f"  {e.method} {real_url_of(e.url, providers)}" for e in errors]
    lines.append(
        'Acknowledge expected ones with fakeidp.acknowledge("<rule id>"), '
        "or mark the test @pytest.mark.fakeidp(allow_findings=True)."
    )
    return "\n".join(lines)


def findings_section(findings: list[Finding], providers: Mapping[str, Provider]) -> str | None:
    """The findings recorded during a failed test, for its report; None when there are none.

    Shown whatever the failure was: an app's own exception (authlib's
    ``UnsupportedTokenTypeError``) often hides the rule the app broke. An intercepted
    request is shown at the real URL the app called.
    """
    if not findings:
        return None
    lines = [f"{len(findings)} finding(s) recorded during this test, oldest first:"]
    for f in findings:
        note = " (acknowledged)" if f.acknowledged else ""
        lines.append(f"[{f.severity}] {f.rule}{note}: {f.provider} {f.endpoint}: {f.message}")
        lines.append(f"    expected: {f.expected!r}")
        lines.append(f"    actual:   {f.actual!r}")
        evidence = f.evidence or {}
        if evidence.get("url"):
            url = real_url_of(str(evidence["url"]), providers)
            lines.append(f"    request:  {evidence.get('method')} {url}")
        if f.source:
            lines.append(f"    source:   {f.source}")
    return "\n".join(lines)


def real_url_of(url: str, providers: Mapping[str, Provider]) -> str:
    """The provider's real URL for an intercepted request's in-process URL; else ``url``."""
    if not url.startswith(IN_PROCESS_BASE + "/"):
        return url
    pid, _, rest = url[len(IN_PROCESS_BASE) + 1 :].partition("/")
    host, _, path = rest.partition("/")
    provider = providers.get(pid)
    if provider is None or host not in provider.hosts:
        return url
    return f"{provider.hosts[host]}/{path}"


class ConformanceSession:
    """The conformance suite in one pytest process: plan, engine, and the report so far."""

    def __init__(self, target: str, providers: Iterable[str] = ()) -> None:
        self.target_spec = target
        self.providers = list(providers)
        self._engine: Engine | None = None
        self.report: Report | None = None
        self.worker_reports: list[Report] = []
        self._started = 0.0
        self._open_error: str | None = None

    @property
    def engine(self) -> Engine:
        """Loaded on first use; TargetError (one line) when the target cannot load."""
        if self._engine is None:
            self._engine = Engine(load_target(self.target_spec), self.providers).plan()
        return self._engine

    def scenarios(self) -> list[Scenario]:
        return self.engine.scenarios()

    def run(self, scenario: Scenario) -> Result:
        """One scenario; a target that cannot start fails every scenario at once, not slowly."""
        if self._open_error is not None:
            raise TargetError(self._open_error)
        try:
            self.engine.open()
        except TargetError as exc:
            self._open_error = str(exc)
            raise
        if self.report is None:
            self.report = self.engine.new_report()
            self._started = time.perf_counter()
        result = self.engine.run(scenario)
        self.report.add(result)
        self.report.duration = time.perf_counter() - self._started
        return result

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()

    def merged(self) -> Report | None:
        """This process's report joined with the xdist workers'; None when nothing ran."""
        reports = [r for r in [self.report, *self.worker_reports] if r is not None]
        if not any(r.results for r in reports):
            return None
        return Report.merged(reports)


def failure_text(result: Result) -> str:
    """A failed scenario as pytest shows it: the message, expected, actual, the findings."""
    lines = [f"{result.provider} {result.check}: {result.message}"]
    lines.append(f"  expected: {result.expected!r}")
    lines.append(f"  actual:   {result.actual!r}")
    for f in result.findings:
        lines.append(f"  finding [{f.get('severity')}] {f.get('rule')}: {f.get('message')}")
    for e in result.evidence[:4]:
        lines.append(f"  request: {e.get('method')} {e.get('url')} -> {e.get('status')}")
    if result.source:
        lines.append(f"  source: {result.source}")
    return "\n".join(lines)
