from __future__ import annotations

from collections.abc import Iterator

import pytest

import fakeidp


@pytest.fixture
def idp() -> Iterator[fakeidp.FakeIdP]:
    yield fakeidp.FakeIdP()
