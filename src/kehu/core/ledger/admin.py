from django.contrib import admin
from django.http import HttpRequest

from kehu.core.ledger.models import LedgerEntry, LedgerStream


class _ReadOnly(admin.ModelAdmin):
    # Evidence: read-only everywhere, including the admin (the database refuses changes anyway).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(_ReadOnly):
    list_display = ("company", "stream", "seq", "kind", "recorded_at", "recorded_by", "corrects")
    list_filter = ("company", "stream", "kind")
    search_fields = ("subject_id", "hash")
    ordering = ("company", "stream", "-seq")
    list_select_related = ("company", "recorded_by", "corrects")


@admin.register(LedgerStream)
class LedgerStreamAdmin(_ReadOnly):
    list_display = ("company", "name", "last_seq", "last_hash", "updated_at")
    list_filter = ("company", "name")
