"""Provider fixtures: the model and its loader."""

from .hosts import override_hosts, with_hosts
from .loader import FixtureError, builtin_providers, fixtures_dir, load_provider, load_providers
from .model import Endpoint, Provider

__all__ = [
    "Endpoint",
    "FixtureError",
    "Provider",
    "builtin_providers",
    "fixtures_dir",
    "load_provider",
    "load_providers",
    "override_hosts",
    "with_hosts",
]
