"""Django set-up for the tests (what pytest-django would do): settings, then the tables."""

from __future__ import annotations

import os

import django
import pytest
from django.core.management import call_command


def pytest_configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "social_site.settings")
    django.setup()


@pytest.fixture(autouse=True, scope="session")
def database() -> None:
    call_command("migrate", verbosity=0)
