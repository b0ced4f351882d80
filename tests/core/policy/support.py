"""Helpers shared by the policy tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client

from kehu.core.org.models import Staff

SH = ZoneInfo("Asia/Shanghai")
# A Tuesday morning in Shanghai; tests that write versions start from here.
MORNING = datetime(2026, 3, 10, 9, 30, tzinfo=SH)


def shanghai(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client
