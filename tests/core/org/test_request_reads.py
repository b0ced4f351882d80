"""What every request reads of its caller: the staff record (one statement, relations included)
and the permissions (one statement), the same answers Django's own queries give."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.core.org.backends import PermissionsInOneReadBackend
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import POST_PERMISSIONS, Post
from kehu.core.org.selectors import staff_for_user

pytestmark = pytest.mark.django_db


def fresh(user: Any) -> Any:
    """The user as a new request loads it: no permission cache yet."""
    return get_user_model().objects.get(pk=user.pk)


def test_permissions_are_the_model_backends_own_and_union_and_one_statement(
    wang: Staff,
) -> None:
    extra = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    wang.user.user_permissions.add(extra)
    other = Group.objects.create(name="临时小组")
    other.permissions.add(Permission.objects.get(codename="delete_group"))
    wang.user.groups.add(other)

    user = fresh(wang.user)
    with CaptureQueriesContext(connection) as queries:
        ours = PermissionsInOneReadBackend().get_all_permissions(user)
        asked_again = user.has_perm("auth.view_user") and user.has_perm("auth.delete_group")

    assert len(queries) == 1  # and cached on the user for the rest of the request
    assert asked_again
    assert ours == ModelBackend().get_all_permissions(fresh(wang.user))
    assert set(POST_PERMISSIONS[Post.SALES_MANAGER]) | {"auth.view_user", "auth.delete_group"} == (
        ours
    )


def test_inactive_users_have_no_permission_and_superusers_have_all(wang: Staff) -> None:
    backend = PermissionsInOneReadBackend()
    wang.user.is_active = False
    assert backend.get_all_permissions(wang.user) == set()
    root = get_user_model().objects.create_superuser("root", password="kehu-test-pass-2026")
    assert len(backend.get_all_permissions(root)) == Permission.objects.count()
    assert backend.get_all_permissions(fresh(wang.user), obj=object()) == set()


def test_staff_for_user_is_one_statement_with_its_relations_and_the_callers_user(
    cast: Any, east: Company, wang: Staff
) -> None:
    li = cast.staff(east, "李四", Post.SALESPERSON, supervisor=wang)
    user = fresh(li.user)

    with CaptureQueriesContext(connection) as queries:
        staff = staff_for_user(user)
        assert staff is not None
        seen = (
            staff.company.code,
            staff.site.name if staff.site else None,
            staff.department.name if staff.department else None,
            staff.team,
            staff.supervisor.name if staff.supervisor else None,
        )

    assert len(queries) == 1
    assert staff.pk == li.pk and staff.user is user
    assert seen == ("huadong", "华东置业项目", "营销部", None, "王经理")


def test_staff_for_user_is_none_for_a_departed_member_a_bare_account_and_anonymous(
    wang: Staff,
) -> None:
    bare = get_user_model().objects.create_user("bare", password="kehu-test-pass-2026")
    assert staff_for_user(bare) is None
    assert staff_for_user(AnonymousUser()) is None
    assert staff_for_user(None) is None
    Staff.objects.filter(pk=wang.pk).update(active=False)
    assert staff_for_user(fresh(wang.user)) is None
