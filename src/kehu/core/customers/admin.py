"""Back-office views. Phones and ID numbers are shown masked only: full values are revealed
through the audited reveal actions of the app, never in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kehu.core.customers.models import (
    Customer,
    CustomerPhone,
    FamilyLink,
    VisitBatch,
    VisitBatchMember,
)


class CustomerPhoneInline(admin.TabularInline):
    model = CustomerPhone
    fields = ("masked_number", "label", "created_at")
    readonly_fields = ("masked_number", "label", "created_at")
    extra = 0
    can_delete = False

    @admin.display(description="电话")
    def masked_number(self, obj: CustomerPhone) -> str:
        return obj.masked

    def has_add_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "company",
        "masked_phones",
        "plate",
        "id_number_masked",
        "owner",
        "created_at",
    )
    list_filter = ("company", "kind")
    search_fields = ("name_key", "pinyin_initials", "pinyin_full", "plate_key")
    list_select_related = ("company", "owner")
    fields = (
        "company",
        "kind",
        "name",
        "employer",
        "address",
        "car_brand",
        "plate",
        "source",
        "intention",
        "owner",
        "id_number_masked",
        "created_by",
        "created_at",
    )
    readonly_fields = ("id_number_masked", "created_by", "created_at")
    raw_id_fields = ("owner",)
    inlines = (CustomerPhoneInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return super().get_queryset(request).prefetch_related("phones")

    @admin.display(description="电话")
    def masked_phones(self, obj: Customer) -> str:
        return "，".join(p.masked for p in obj.phones.all())


@admin.register(FamilyLink)
class FamilyLinkAdmin(admin.ModelAdmin):
    list_display = ("customer", "relation", "relative", "company", "created_at")
    list_filter = ("company", "relation")
    list_select_related = ("customer", "relative", "company")
    raw_id_fields = ("customer", "relative", "created_by")


class VisitBatchMemberInline(admin.TabularInline):
    model = VisitBatchMember
    raw_id_fields = ("customer",)
    fields = ("customer",)
    extra = 0


@admin.register(VisitBatch)
class VisitBatchAdmin(admin.ModelAdmin):
    list_display = ("visit_date", "site", "company", "note", "created_at")
    list_filter = ("company",)
    list_select_related = ("site", "company")
    raw_id_fields = ("created_by",)
    inlines = (VisitBatchMemberInline,)
