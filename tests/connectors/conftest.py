from __future__ import annotations

from collections.abc import Iterator

import pytest

import fakeidp


@pytest.fixture
def idp() -> Iterator[fakeidp.FakeIdP]:
    """A strict fake IdP answering every provider's real URLs for the test's duration."""
    with fakeidp.intercept(strict=True) as handle:
        yield handle
