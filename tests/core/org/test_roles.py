"""Permission groups per post (``roles_sync``): what they hold, and that a migrate syncs once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.core.org.posts import POST_PERMISSIONS
from kehu.core.org.services import roles_sync

pytestmark = pytest.mark.django_db


def held() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{perm.content_type.app_label}.{perm.codename}"
            for perm in group.permissions.select_related("content_type")
        }
        for group in Group.objects.all()
    }


def test_each_post_group_holds_exactly_the_permissions_of_its_post() -> None:
    Group.objects.get(name="salesperson").permissions.clear()
    stray = Permission.objects.get(content_type__app_label="auth", codename="delete_user")
    Group.objects.get(name="auditor").permissions.add(stray)

    roles_sync()

    assert held() == {str(post): set(names) for post, names in POST_PERMISSIONS.items()}


def test_a_migrate_syncs_the_groups_once_not_once_per_app() -> None:
    Group.objects.get(name="salesperson").permissions.clear()

    with CaptureQueriesContext(connection) as queries:
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert held()["salesperson"] == set(POST_PERMISSIONS["salesperson"])
    group_reads = [q for q in queries if 'FROM "auth_group" WHERE' in q["sql"]]
    assert len(group_reads) == len(POST_PERMISSIONS)
