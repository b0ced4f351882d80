from django.contrib import admin
from django.http import HttpRequest

from kehu.core.calendar.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the calendar page so they are checked and audited."""

    list_display = ("date", "company", "is_working_day", "reason", "created_by", "created_at")
    list_filter = ("company", "is_working_day")
    date_hierarchy = "date"
    search_fields = ("reason",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
