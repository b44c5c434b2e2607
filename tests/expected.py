"""What the shipped fixtures should produce, written down independently of them."""

from __future__ import annotations

from fakeidp.providers import builtin_providers

OAUTH2_PROVIDERS = sorted(p.id for p in builtin_providers().values() if p.protocol == "oauth2")

# The user id each provider's default test user logs in as, read off the
# fixtures by hand: a wrong user_id path in a fixture or the client shows here.
EXPECTED_USER_IDS = {
    "digitalocean": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
    "dribbble": "483195",
    "imgur": "384077",
    "jira-data-center": "fakeidptest",
    "oidc": "248289761001",
    "twitch": "739003271",
    "twitch-kraken": "22761313",
    "tumblr-oauth2": "fakeidptest",
    "uber": "f4a416e3-6016-4623-8ec9-d5ee105a6e27",
    "vimeo": "/users/12345",
    "wordpress": "12345678",
    "x-oauth2": "1460123456789012480",
}
