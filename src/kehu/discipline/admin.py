"""Back office for the rewards-and-penalties ledger: read-only, like every evidence table.

Entries, proposals and decisions are written only through the services (the database refuses
changes anyway). Customers' reports have their own admin in ``reports_admin`` (no reporter
identity there), appeals in ``appeals_admin`` when that module exists; both are imported here,
because Django's autodiscovery only imports ``admin.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kehu.discipline.models import (
    Appeal,
    AppealEvent,
    AppealEvidence,
    DisciplineEntry,
    DisciplineProposal,
    ProposalDecision,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DisciplineEntry)
class DisciplineEntryAdmin(_ReadOnly):
    list_display = ("on", "employee", "kind", "amount", "points", "company", "recorded_by")
    list_filter = ("company", "kind")
    search_fields = ("employee__name", "reason", "source_id")
    date_hierarchy = "on"
    list_select_related = ("company", "employee", "recorded_by")
    ordering = ("-on", "-pk")


@admin.register(DisciplineProposal)
class DisciplineProposalAdmin(_ReadOnly):
    list_display = ("on", "employee", "kind", "low", "high", "decider_post", "company")
    list_filter = ("company", "kind")
    search_fields = ("employee__name", "reason", "source_id")
    list_select_related = ("company", "employee")


@admin.register(ProposalDecision)
class ProposalDecisionAdmin(_ReadOnly):
    list_display = ("decided_at", "employee", "proposal_key", "outcome", "amount", "decided_by")
    list_filter = ("company", "outcome")
    search_fields = ("employee__name", "proposal_key")
    list_select_related = ("employee", "decided_by")


def _import_if_present(module: str) -> bool:
    if importlib.util.find_spec(module) is None:
        return False
    importlib.import_module(module)
    return True


_import_if_present("kehu.discipline.reports_admin")

if not _import_if_present("kehu.discipline.appeals_admin"):

    @admin.register(Appeal)
    class AppealAdmin(_ReadOnly):
        list_display = ("pk", "appellant", "entry", "state", "handler", "submitted_at", "due_at")
        list_filter = ("company", "state")
        list_select_related = ("appellant", "handler", "entry")

    @admin.register(AppealEvent)
    class AppealEventAdmin(_ReadOnly):
        list_display = ("at", "appeal", "action", "from_state", "to_state", "actor")
        list_select_related = ("appeal", "actor")

    @admin.register(AppealEvidence)
    class AppealEvidenceAdmin(_ReadOnly):
        list_display = ("added_at", "appeal", "file", "file_sha256", "added_by")
        list_select_related = ("appeal", "added_by")
