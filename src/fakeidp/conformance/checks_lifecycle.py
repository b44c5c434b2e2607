"""The check that a connector uses no retired API (issue 9: retired APIs are a first-class fact).

A fixture's ``[[lifecycle]]`` table marks a provider, a host or an endpoint
retired, deprecated or closed to new applications; the fake IdP records a
finding on every request that touches one. This check owns those findings: a
retired one fails (the connection will fail in production), a deprecated or
closed one warns.
"""

from __future__ import annotations

from .checks import Verdict, check, failed, judge
from .run import Run

# It applies everywhere: a connector may call a retired URL that is not the provider's
# primary one (Dribbble /v1/user), so the check runs for providers with no retired part too.


@check(
    "provider.lifecycle",
    "The connector uses no retired or deprecated API",
    "provider notices cited in the fixture's [[lifecycle]] tables",
    protocols=("oauth2", "oauth1"),
    owns=("provider.retired", "provider.deprecated", "provider.closed"),
)
def lifecycle(run: Run) -> Verdict:
    run.login()
    owned = run.owned_findings()
    retired = [f for f in owned if f.rule == "provider.retired"]
    if retired:
        first = retired[0]
        urls = sorted({str(f.actual) for f in retired})
        verdict = failed(
            f"uses a retired API and will fail in production: {first.message} [{first.rule}]",
            first.expected,
            urls,
        )
        verdict.exchanges = [f.exchange for f in retired if f.exchange is not None]
        return verdict
    return judge(run, "every URL the connector called is current", None, None, owned)
