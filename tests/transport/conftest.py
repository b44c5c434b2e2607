"""Both ways a requests client reaches the fake IdP in-process: idp.session(), interception."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

import fakeidp


@dataclass
class Route:
    """A requests Session and the URLs it calls: the fake's own, or the provider's real ones."""

    idp: fakeidp.FakeIdP
    session: requests.Session
    real: bool

    def url(self, pid: str, endpoint: str) -> str:
        urls = self.idp.real_urls(pid) if self.real else self.idp.urls(pid)
        return urls[endpoint]


@pytest.fixture(params=["session", "intercept"])
def route(request: pytest.FixtureRequest) -> Iterator[Route]:
    if request.param == "session":
        idp = fakeidp.FakeIdP()
        yield Route(idp, idp.session(), real=False)
    else:
        with fakeidp.intercept() as intercepted:
            # An unmodified connector's own Session, at the providers' real URLs.
            yield Route(intercepted, requests.Session(), real=True)
