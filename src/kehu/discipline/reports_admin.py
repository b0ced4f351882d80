"""Back office for customers' reports: read-only, and without the reporter's identity.

The encrypted column is excluded from every admin page and never decrypted here (not even
masked: a masked name or phone still narrows down who reported). The identity is seen only
through the audited "查看举报人身份" action of the app. Imported by ``kehu.discipline.admin``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kehu.discipline.models import CustomerReport
from kehu.discipline.reports_services import IDENTITY_FIELD

_SHOWN = (
    "company",
    "kind",
    "location",
    "description",
    "own_home",
    "received_at",
    "received_by",
    "state",
    "severity",
    "basis_amount",
    "reward_rate",
    "reward_amount",
    "rule_ids",
    "policy_ref",
    "verified_by",
    "verified_at",
    "verification_note",
)
assert IDENTITY_FIELD not in _SHOWN


@admin.register(CustomerReport)
class CustomerReportAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "location", "state", "reward_amount", "company", "received_at")
    list_filter = ("company", "kind", "state")
    list_select_related = ("company",)
    search_fields = ("location",)
    fields = _SHOWN
    readonly_fields = _SHOWN
    exclude = (IDENTITY_FIELD,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomerReport]:
        return super().get_queryset(request).defer(IDENTITY_FIELD)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports are received through the app, which encrypts and ledgers them

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
