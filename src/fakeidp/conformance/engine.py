"""The conformance engine: every scenario (provider by check) against one target.

For each scenario the engine resets its fake IdP (lenient, so one broken rule
does not hide the others), tells it what the connector is configured to send,
drives the target through the check, and turns the check's verdict and the
IdP's findings into a :class:`~fakeidp.conformance.results.Result` with the
redacted requests as evidence.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import requests

from ..handle import FakeIdP
from ..idp.templates import get_path, render
from ..providers.model import ProfileEndpoint, Provider
from .checks import Check, Verdict, catalogue, failed
from .environment import Environment, Settings, configured_connection
from .results import CheckInfo, ProviderInfo, Report, Result, jsonable
from .run import Run
from .suite import default_settings, load_settings
from .targets import Target, TargetError

MAX_EVIDENCE = 12
MAX_RESPONSE = 800  # characters of a response body kept as evidence
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Scenario:
    provider: str
    check: str

    @property
    def id(self) -> str:
        return f"{self.provider}:{self.check}"


class Engine:
    """``with Engine(target) as engine: report = engine.run_all()``."""

    def __init__(
        self,
        target: Target,
        providers: Sequence[str] | None = None,
        *,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        checks: Sequence[Check] | None = None,
    ) -> None:
        self.target = target
        self.only = list(providers or ())
        self.checks = list(checks or catalogue())
        self._by_id = {c.id: c for c in self.checks}
        self._settings_table = settings
        self._stack = ExitStack()
        self._idp: FakeIdP | None = None
        self._opened = False
        self.provider_ids: list[str] = []
        self.settings: dict[str, Settings] = {}

    # -- lifecycle --------------------------------------------------------------
    def plan(self) -> Engine:
        """Choose providers and settings; nothing is started (cheap: pytest collects with it)."""
        if self._idp is not None:
            return self
        idp = FakeIdP(strict=False)
        unknown = [pid for pid in self.only if pid not in idp.providers]
        if unknown:
            raise TargetError(
                f"unknown provider {unknown[0]!r}; known: {', '.join(sorted(idp.providers))}"
            )
        available = {
            pid: p for pid, p in idp.providers.items() if not self.only or pid in self.only
        }
        self.provider_ids = [pid for pid in self.target.providers(available) if pid in available]
        table = self._settings_table if self._settings_table is not None else load_settings()
        self.settings = {
            pid: self.target.settings(available[pid], default_settings(available[pid], table))
            for pid in self.provider_ids
        }
        self._idp = idp
        return self

    def open(self) -> Engine:
        """Serve the IdP as the target needs it and start the target."""
        self.plan()
        if self._opened:
            return self
        try:
            if self.target.transport == "live":
                self._stack.enter_context(self.idp.serve())
            self.target.open(self.idp, self.settings)
            self._stack.callback(self.target.close)
        except BaseException:
            self._stack.close()
            raise
        self._opened = True
        return self

    def close(self) -> None:
        self._stack.close()
        self._opened = False

    def __enter__(self) -> Engine:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def idp(self) -> FakeIdP:
        return self.plan()._idp  # type: ignore[return-value]

    # -- the plan -----------------------------------------------------------------
    def applicable(self, provider: Provider) -> list[Check]:
        """The checks for this provider's protocol (judged or not applicable)."""
        return [c for c in self.checks if provider.protocol in c.protocols]

    def scenarios(self) -> list[Scenario]:
        return [
            Scenario(pid, c.id)
            for pid in self.provider_ids
            for c in self.applicable(self.idp.provider(pid))
        ]

    def new_report(self) -> Report:
        providers = [self.idp.provider(pid) for pid in self.provider_ids]
        used = {c.id for p in providers for c in self.applicable(p)}
        from .. import __version__

        return Report(
            target=self.target.describe(),
            capabilities=tuple(sorted(self.target.capabilities)),
            providers=[ProviderInfo(p.id, p.name, p.protocol) for p in providers],
            checks=[
                CheckInfo(c.id, c.title, c.source, c.group) for c in self.checks if c.id in used
            ],
            started=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            fakeidp_version=__version__,
            notes=self.target.notes(),
        )

    def run_all(self, on_result: Callable[[Result], None] | None = None) -> Report:
        self.open()  # an HTTP app says what it can do once it runs
        report = self.new_report()
        started = time.perf_counter()
        for scenario in self.scenarios():
            result = self.run(scenario)
            report.add(result)
            if on_result:
                on_result(result)
        report.duration = time.perf_counter() - started
        return report

    # -- one scenario ----------------------------------------------------------------
    def run(self, scenario: Scenario) -> Result:
        self.open()
        started = time.perf_counter()
        idp, check = self.idp, self._by_id[scenario.check]
        provider = idp.provider(scenario.provider)
        settings = self.settings[provider.id]
        if check.configure is not None:
            settings = check.configure(provider, settings)
        capabilities = self.target.capabilities
        reason = check.not_applicable_because(provider, settings, capabilities)
        if reason:
            return Result(provider.id, check.id, "not_applicable", reason, source=check.source)
        idp.reset()
        self._expect(provider, settings)
        env = self._environment(provider, settings)
        owners = [
            c
            for c in self.applicable(provider)
            if c.not_applicable_because(provider, settings, capabilities) is None
        ]
        run = Run(idp, self.target, check, provider, env, owners, expected_user_id(idp, provider))
        try:
            run.env = self.target.prepare(env)
            profile = called_profile(provider, run.env)
            run.expected_user_id = expected_user_id(idp, provider, profile)
            verdict = check.run(run)
        except Exception as exc:  # a bug in a check or an unusable target: reported, not raised
            verdict = failed(f"the check could not complete: {type(exc).__name__}: {exc}")
        finally:
            run.close()
        return self._result(run, verdict, time.perf_counter() - started)

    def _expect(self, provider: Provider, s: Settings) -> None:
        caps = self.target.capabilities
        rules = provider.oauth2
        self.idp.expect(
            provider.id,
            authorize_params=dict(s.static_params) if "static_params" in caps else None,
            dynamic_params=s.expected_dynamic() if "dynamic_params" in caps else None,
            scope=s.scopes
            if "scopes" in caps and s.scopes and rules is not None and not rules.scope_ignored
            else None,
            token_headers=dict(s.token_headers) if "custom_headers" in caps else None,
        )

    def _environment(self, provider: Provider, s: Settings) -> Environment:
        idp = self.idp
        creds = idp.credentials(provider.id)
        redirect_uri = self.target.redirect_uri
        if self.target.transport == "in_process":
            session = idp.session()
        else:
            session = requests.Session()
            session.trust_env = False
        return Environment(
            provider=provider.id,
            protocol=provider.protocol,
            base_url=idp.base_url,
            urls=idp.urls(provider.id),
            real_urls=idp.real_urls(provider.id),
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            redirect_uri=redirect_uri,
            settings=s,
            connection=configured_connection(idp, provider.id, s, redirect_uri),
            session=session,
        )

    def _result(self, run: Run, verdict: Verdict, duration: float) -> Result:
        check = run.check
        judged = run.unowned_findings() if check.id == "login" else run.owned_findings()
        ids = list(verdict.exchanges) or [f.exchange for f in judged if f.exchange is not None]
        exchanges = run.exchanges()
        chosen = [e for e in exchanges if e.id in ids] if ids else exchanges
        scrub = _scrubber(run)
        message = verdict.message
        note = self.target.note_for(check.id)
        if note:
            message = f"{message} ({note})"
        return Result(
            provider=run.pid,
            check=check.id,
            status=verdict.status,
            message=scrub(message),
            expected=scrub(jsonable(verdict.expected)),
            actual=scrub(jsonable(verdict.actual)),
            source=check.source,
            findings=[_finding(f) for f in judged],
            evidence=[scrub(_evidence(e)) for e in chosen[:MAX_EVIDENCE]],
            duration=duration,
        )


def _evidence(exchange: Any) -> dict[str, Any]:
    """An exchange for a report: the redacted request, its answer cut to a readable size."""
    data: dict[str, Any] = exchange.to_dict()
    data.pop("findings", None)
    text = json.dumps(data.get("response"))
    if len(text) > MAX_RESPONSE:
        data["response"] = text[:MAX_RESPONSE] + "…"
    return data


def _finding(f: Any) -> dict[str, Any]:
    data: dict[str, Any] = f.to_dict()
    data.pop("evidence", None)  # the exchange is in the result's evidence
    data.pop("acknowledged", None)
    return data


def _scrubber(run: Run) -> Callable[[Any], Any]:
    """Replace every secret the IdP knows (client secret, codes, tokens) in report data."""
    store = run.idp.store
    with store.lock:
        found = [run.env.client_secret or "", *store.codes, *store.tokens, *store.refresh_tokens]
    known = sorted({s for s in found if len(s) >= 8}, key=len, reverse=True)

    def scrub(value: Any) -> Any:
        if not known:
            return value
        text = json.dumps(value)
        if not any(s in text for s in known):
            return value
        for secret in known:
            text = text.replace(secret, REDACTED)
        return json.loads(text)

    return scrub


def called_profile(provider: Provider, env: Environment) -> ProfileEndpoint:
    """The profile API the connection calls (Uber /v1/me or /v1.2/me); else the primary one."""
    url = (env.connection.profile_url or "").split("?", 1)[0] if env.connection else ""
    for profile in provider.profiles:
        if url and env.urls.get(profile.endpoint.name) == url:
            return profile
    return provider.primary_profile


def expected_user_id(
    idp: FakeIdP, provider: Provider, profile: ProfileEndpoint | None = None
) -> str | None:
    """The user id the current test user's profile gives at ``profile`` (default: the
    provider's primary profile): each API version has its own user id path."""
    user = idp.user(provider.id)
    profile = profile or provider.primary_profile
    body = render(profile.body, {"profile": user.profile, "login": user.login})
    value = get_path(body, profile.user_id)
    return None if value is None else str(value)


def run_conformance(target: Target, providers: Sequence[str] | None = None) -> Report:
    """Every scenario against ``target``; the Report."""
    with Engine(target, providers) as engine:
        return engine.run_all()
