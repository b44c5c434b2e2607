"""Benchmark: what OpenID Connect validation costs the reference client, and the OIDC checks.

Medians, in-process, of one login: a plain OAuth 2.0 login at Uber (the
baseline, measured in the same run), an OpenID Connect login at the generic
provider with the discovery document and JWKS kept from the previous login (a
running application), and one that fetches both every time. Then one run of
the OIDC check groups against the reference client at both OIDC providers.
Run:

    python bench/bench_oidc.py [--rounds N]

This measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import time

from timing import median_ms  # bench/timing.py, beside this script

import fakeidp
from fakeidp.client.id_token import OpenIDProvider
from fakeidp.conformance import Engine, ReferenceTarget
from fakeidp.conformance.checks import catalogue
from fakeidp.conformance.checks_oidc import ID_TOKEN, OTHER


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds

    idp = fakeidp.FakeIdP()
    session = idp.session()
    plain = fakeidp.OAuth2Client(idp.connection("uber"), session)
    conn = idp.connection("oidc")
    kept = fakeidp.OAuth2Client(conn, session, openid=OpenIDProvider(conn.oidc_issuer, session))

    def fresh() -> object:
        return fakeidp.OAuth2Client(conn, session).login()

    base = median_ms(plain.login, rounds)
    cached = median_ms(kept.login, rounds)
    uncached = median_ms(fresh, rounds)
    print(f"plain OAuth 2.0 login (uber):        {base:6.2f} ms  (baseline)")
    print(f"OIDC login, discovery + JWKS kept:   {cached:6.2f} ms  ({cached / base:.1f}x)")
    print(f"OIDC login, fetched every time:      {uncached:6.2f} ms  ({uncached / base:.1f}x)")

    checks = [c for c in catalogue() if c.group in (ID_TOKEN, OTHER)]
    started = time.perf_counter()
    with Engine(ReferenceTarget(), ["oidc", "twitch"], checks=checks) as engine:
        report = engine.run_all()
    took = time.perf_counter() - started
    print(
        f"OIDC checks, reference client:       {took * 1000:6.0f} ms for {len(report.results)} "
        f"scenarios ({took * 1000 / len(report.results):.0f} ms each, "
        f"{took * 1000 / len(report.results) / base:.0f}x a plain login)"
    )


if __name__ == "__main__":
    main()
