"""Read queries for the organisation."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from kehu.core.org.models import ApiToken, Staff


def staff_for_user(user: AbstractBaseUser | AnonymousUser | None) -> Staff | None:
    """The staff record behind a login, or None for anonymous users and bare accounts."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return Staff.objects.select_related("company", "site", "department", "team").get(
            user=user, active=True
        )
    except Staff.DoesNotExist:
        return None


def staff_for_api_key(key: str) -> Staff | None:
    token = (
        ApiToken.objects.select_related("staff__company", "staff__user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, staff__active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.staff
