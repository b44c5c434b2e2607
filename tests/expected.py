"""What the shipped fixtures should produce, written down independently of them."""

from __future__ import annotations

from fakeidp import FakeIdP
from fakeidp.providers import builtin_providers

OAUTH2_PROVIDERS = sorted(p.id for p in builtin_providers().values() if p.protocol == "oauth2")

# The user id each provider's default test user logs in as, read off the
# fixtures by hand: a wrong user_id path in a fixture or the client shows here.
EXPECTED_USER_IDS = {
    "digitalocean": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
    "dribbble": "483195",
    "imgur": "384077",
    "jira-cloud": "5b10ac8d82e05b22cc7d4ef5",
    "jira-data-center": "fakeidptest",
    "oidc": "248289761001",
    "twitch": "739003271",
    "twitch-kraken": "22761313",
    "tumblr-oauth2": "fakeidptest",
    # /v1.2/me's rider_id: the current profile API (v1/me's uuid is deprecated).
    "uber": "8OlTlUG1TyeAQf1JiBZZdkKxuSSOUwu2IkO0Hf9d2HV52Pm25A0NvsbmbnZr85tLVi-s8CckpBK8Eq0Nke4X-no3AcSHfeVh6J5O6LiQt5LsBZDSi4qyVUdSLeYDnTtirw==",
    "vimeo": "/users/12345",
    "wordpress": "12345678",
    "x-oauth2": "1460123456789012480",
}


# Providers a fixture marks wholly retired (Twitch Kraken): a strict fake answers every request
# as the provider does today (410), so tests of their legacy behaviour run them lenient.
RETIRED_PROVIDERS = frozenset(
    p.id
    for p in builtin_providers().values()
    if any(f.applies_to == "provider" and f.status == "retired" for f in p.lifecycle)
)


def legacy(idp: FakeIdP, pid: str) -> None:
    """Serve a retired provider's legacy answers (lenient mode); the test then acknowledges
    the ``provider.retired`` errors (:func:`retired_seen`) and judges the rest."""
    if pid in RETIRED_PROVIDERS:
        idp.set_strict(pid, False)


def retired_seen(idp: FakeIdP, pid: str) -> None:
    """A retired provider's requests each carry a ``provider.retired`` error: expected here."""
    if pid in RETIRED_PROVIDERS:
        assert idp.findings(pid, rule="provider.retired")
        idp.acknowledge("provider.retired")
