"""What a logged-in request reads before its view runs: the session, the user, the staff record
and — when asked — the permissions, one plain statement each; the answers stay Django's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core.org.models import Staff

from .conftest import login_staff

pytestmark = pytest.mark.django_db


def test_a_logged_in_call_reads_session_user_staff_and_permissions_once_each(
    client: Client, wang: Staff
) -> None:
    login_staff(client, wang)
    assert client.session[BACKEND_SESSION_KEY] == (
        "kehu.core.org.backends.PermissionsInOneReadBackend"
    )

    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/me").json()

    assert body["name"] == "王经理" and "sales.view_registration" in body["permissions"]
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries]
    assert tables == ['"django_session"', '"auth_user"', '"org_staff"', '"auth_permission"']


def test_an_expired_or_unknown_session_is_anonymous_and_a_deactivated_user_is_logged_out(
    client: Client, wang: Staff
) -> None:
    login_staff(client, wang)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401

    login_staff(client, wang)
    client.cookies["sessionid"] = "no-such-session-key-0123456789abcd"
    assert client.get("/api/v1/me").status_code == 401

    login_staff(client, wang)
    assert client.get("/api/v1/me").status_code == 200
    wang.user.is_active = False
    wang.user.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401
