from django.contrib import admin
from django.http import HttpRequest

from kehu.core.calendar.models import CalendarOverride, CalendarYearDeclaration


class _ReadOnly(admin.ModelAdmin):
    """Read-only here: changes go through the calendar page so they are checked and audited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(_ReadOnly):
    list_display = ("date", "company", "is_working_day", "reason", "created_by", "created_at")
    list_filter = ("company", "is_working_day")
    date_hierarchy = "date"
    search_fields = ("reason",)


@admin.register(CalendarYearDeclaration)
class CalendarYearDeclarationAdmin(_ReadOnly):
    list_display = ("year", "company", "note", "declared_by", "declared_at")
    list_filter = ("company", "year")
    search_fields = ("note",)
