from django.contrib import admin
from django.http import HttpRequest

from kehu.core.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "ip", "action", "object_type", "object_id", "outcome"]
    list_filter = ["action", "outcome", "company"]
    search_fields = ["actor_label", "object_id"]

    # The trail is evidence: read-only everywhere, including the admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
