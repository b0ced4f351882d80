"""Fixtures for the web shell and API shell tests."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.core.org.demo import DEMO_PASSWORD, DemoOrg, demo_load
from kehu.core.org.models import Staff

PASSWORD = "kehu-test-pass-2026"  # tests/conftest.py's Cast gives every user this password


@pytest.fixture
def demo_org(db: None) -> DemoOrg:
    org, _ = demo_load()
    return org


def login(client: Client, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would (axes and the audit see it)."""
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


def login_demo(client: Client, username: str) -> None:
    login(client, username, DEMO_PASSWORD)


def login_staff(client: Client, staff: Staff) -> None:
    login(client, staff.user.get_username())
