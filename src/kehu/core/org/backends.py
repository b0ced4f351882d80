"""Django's model backend, with a user's permissions read in one hand-written statement and
the session's user by a plain look-up.

Every API request and page asks ``has_perm`` (a post's permissions come from its group,
``roles_sync``). Django's ``ModelBackend`` reads a user's own permissions and their groups'
permissions in two ORM queries, which cost ≈ 3.7 ms together on the benchmark machine
(docs/performance.md, "Sales office: registering a visit"); the same set comes from one
statement here. Everything else — authentication, superusers, inactive users, the per-object
``None`` answer and the per-request cache on the user object — is ``ModelBackend``'s.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from kehu.core import rawsql


class PermissionsInOneReadBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """The session's user, by a plain look-up (the ORM's ``get`` took ≈ 1 ms to build)."""
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = rawsql.select(model, f"{model._meta.pk.column} = %s", [pk])
        return found[0] if found and self.user_can_authenticate(found[0]) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:  # every permission: Django's own reading
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = _permissions_of(user_obj.pk)
        cached: set[str] = user_obj._perm_cache
        return cached


def _permissions_of(user_id: int) -> set[str]:
    """The user's own permissions and their groups', as ``app_label.codename``."""
    user = get_user_model()
    own = rawsql.table(user.user_permissions.through)
    membership = rawsql.table(user.groups.through)
    granted = rawsql.table(Group.permissions.through)
    found = rawsql.rows(
        Permission,
        "SELECT ct.app_label, p.codename "
        f"FROM {rawsql.table(Permission)} AS p "
        f"JOIN {rawsql.table(ContentType)} AS ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {own} WHERE user_id = %s "
        f"UNION SELECT g.permission_id FROM {granted} AS g "
        f"JOIN {membership} AS m ON m.group_id = g.group_id WHERE m.user_id = %s)",
        [user_id, user_id],
    )
    return {f"{app_label}.{codename}" for app_label, codename in found}
