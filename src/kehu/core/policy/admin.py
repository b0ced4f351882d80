"""Back-office view of policy versions: read-only (versions are made on the policy pages, which
validate them and write the audit event; they are never changed or removed)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kehu.core.policy.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at runtime
    list_display = ("company", "key", "version", "effective_from", "created_by", "created_at")
    list_filter = ("key", "company")
    search_fields = ("key", "note")
    ordering = ("company", "key", "-version")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
