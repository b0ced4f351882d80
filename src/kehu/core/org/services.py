"""Write use-cases for the organisation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from kehu.core.org.models import ApiToken, Staff
from kehu.core.org.posts import POST_PERMISSIONS


@transaction.atomic
def roles_sync() -> None:
    """Make one permission group per post, holding exactly the permissions the table gives."""
    for post, perm_names in POST_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(post))
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:  # an app not migrated yet syncs on its own post_migrate
                perms.append(perm)
        group.permissions.set(perms)


def roles_sync_after_migrate(**_: Any) -> None:
    roles_sync()


@transaction.atomic
def staff_assign_post_group(*, staff: Staff) -> None:
    """Put the staff member's user in exactly the permission group of their post."""
    group, _ = Group.objects.get_or_create(name=str(staff.post))
    staff.user.groups.set([group])


@transaction.atomic
def api_token_issue(*, staff: Staff, name: str) -> str:
    """Create a token and return its key; the key itself is never stored."""
    key = ApiToken.new_key()
    ApiToken.objects.create(
        company=staff.company,
        staff=staff,
        name=name,
        prefix=key[5:13],
        key_hash=ApiToken.hash_key(key),
    )
    return key
