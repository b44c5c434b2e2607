from __future__ import annotations

from collections.abc import Iterator

import pytest

import fakeidp

# pytester for tests/plugin (pytest allows pytest_plugins only in a top-level conftest).
pytest_plugins = ["pytester"]


@pytest.fixture
def idp() -> Iterator[fakeidp.FakeIdP]:
    yield fakeidp.FakeIdP()
