"""Write use-cases for the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kehu.core.audit.models import AuditAction
from kehu.core.audit.services import audit_record
from kehu.core.org.errors import OrgError
from kehu.core.org.models import ApiToken, Staff
from kehu.core.org.posts import POST_PERMISSIONS


@transaction.atomic
def roles_sync() -> None:
    """Make one permission group per post, holding exactly the permissions the table gives."""
    wanted = {name for perm_names in POST_PERMISSIONS.values() for name in perm_names}
    app_labels = {name.split(".", 1)[0] for name in wanted}
    # One read for every post's permissions: this runs after every migrate and every test flush.
    by_name = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.filter(content_type__app_label__in=app_labels)
        .select_related("content_type")
        .order_by("pk")
    }
    for post, perm_names in POST_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(post))
        # A permission of an app not migrated yet is missing here; the next migrate adds it.
        group.permissions.set([by_name[name] for name in perm_names if name in by_name])


def roles_sync_after_migrate(sender: AppConfig, **_: Any) -> None:
    """Sync once per migrate: Django sends ``post_migrate`` once for each installed app with
    models, in order, and only after the last one has every app's permissions been created."""
    apps_with_models = [config for config in apps.get_app_configs() if config.models_module]
    if apps_with_models and sender.label == apps_with_models[-1].label:
        roles_sync()


@transaction.atomic
def staff_assign_post_group(*, staff: Staff) -> None:
    """Put the staff member's user in exactly the permission group of their post."""
    group, _ = Group.objects.get_or_create(name=str(staff.post))
    staff.user.groups.set([group])


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown to the caller once; only its hash is stored


@transaction.atomic
def api_token_issue(*, staff: Staff, name: str, request: HttpRequest | None = None) -> IssuedToken:
    """Create a token for ``staff`` and return it with its key; the key itself is never stored.

    Audited (``token_issued``) in the same transaction.
    """
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        company=staff.company,
        staff=staff,
        name=name,
        prefix=key[5:13],
        key_hash=ApiToken.hash_key(key),
    )
    audit_record(
        action=AuditAction.TOKEN_ISSUED,
        actor=staff.user,
        company=staff.company,
        request=request,
        object_type="org.apitoken",
        object_id=token.pk,
        detail={"name": name, "prefix": token.prefix, "staff": staff.pk},
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, staff: Staff, token_id: int) -> ApiToken:
    """Revoke one of ``staff``'s own tokens (idempotent); someone else's token is not found."""
    try:
        token = ApiToken.objects.select_for_update().get(pk=token_id, staff=staff)
    except ApiToken.DoesNotExist:
        raise OrgError(
            "org.token_not_found",
            "找不到该 API 令牌。",
            "No such API token.",
            status=404,
        ) from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
