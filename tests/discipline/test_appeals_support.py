"""Shared cast and helpers for the appeal tests (A4 四.七); imported by the test_appeals_* modules.

The chain in 华东置业: 李明 (salesperson) → 杨经理 (project manager, his supervisor) → 王经理
(sales manager, the next level up). 周人事 is HR; 赵强 is a colleague of 李 with no part in the
appeal; 客服小陈 works at 西湖燃气, another company.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, path, resolve

from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.discipline import rules
from kehu.discipline.models import Appeal, DisciplineEntry
from kehu.discipline.services import discipline_entry_post

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday in an ordinary working week (no holiday within ten working days).
MONDAY_MORNING = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@dataclass
class Org:
    company: Company
    li: Staff  # the appellant
    yang: Staff  # 李's supervisor
    wang: Staff  # the next level up
    hr: Staff  # HR of 华东置业
    zhao: Staff  # a colleague of 李
    chen: Staff  # another company


@pytest.fixture(name="media")
def media_fixture(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(name="frozen")
def frozen_fixture() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture(name="org")
def org_fixture(
    cast: Any, east: Company, wang: Staff, li: Staff, zhao: Staff, chen: Staff, media: Path
) -> Org:
    yang = cast.staff(east, "杨经理", Post.PROJECT_MANAGER, supervisor=wang)
    li.supervisor = yang
    li.save(update_fields=["supervisor"])
    hr = cast.staff(east, "周人事", Post.HR)
    return Org(company=east, li=li, yang=yang, wang=wang, hr=hr, zhao=zhao, chen=chen)


def criticism(org: Org, on: dt.date = dt.date(2026, 10, 28), reason: str = "") -> DisciplineEntry:
    """杨经理 records a 通报批评 for 李 (the entry the appeals are about)."""
    return discipline_entry_post(
        employee=org.li,
        on=on,
        kind="criticism",
        reason=reason or "客户登记资料未按时交回",
        rule_ids=["A4 五.5.1"],
        recorded_by=org.yang,
    )


def pdf(name: str = "考勤记录.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% kehu test\n" + b"0" * max(0, size - 21)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png(name: str = "聊天截图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")


def docx(name: str = "情况说明.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def appeals_ledger(appeal: Appeal) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(
            stream="appeals", subject_type="discipline.appeal", subject_id=str(appeal.pk)
        ).order_by("seq")
    )


def standing_of(employee: Staff, as_of: dt.date) -> rules.Standing:
    """The employee's standing recomputed from the ledger with the rulebook's defaults."""
    entries = [
        rules.Entry(
            id=str(row.pk),
            kind=rules.Kind(row.kind),
            on=row.on,
            seq=row.pk,
            amount=row.amount,
            points=row.points,
            failure_type=row.failure_type,
            refs=tuple(str(ref) for ref in row.refs),
            rule_ids=tuple(row.rule_ids),
        )
        for row in DisciplineEntry.objects.filter(employee=employee)
    ]
    return rules.standing(entries, rules.DisciplinePolicy(), as_of)


# --- URLs -------------------------------------------------------------------------------------
# The appeals router is mounted at /api/v1/discipline/appeals/ by the discipline app's API; until
# that lands, tests mount it themselves in front of the project's URLs (same auth, same errors).


def _test_api_urls() -> list[Any]:
    from ninja import NinjaAPI

    from kehu.core.web.api_support import (
        BearerTokenAuth,
        KehuJSONRenderer,
        StaffSessionAuth,
        install_error_handlers,
    )
    from kehu.discipline.appeals_api import router

    api = NinjaAPI(
        urls_namespace="appeals_test_api",
        auth=[BearerTokenAuth(), StaffSessionAuth()],
        renderer=KehuJSONRenderer(),
        docs_url=None,
    )
    install_error_handlers(api)
    api.add_router("/", router)
    return [path("api/v1/discipline/appeals/", api.urls)]


def _project_has_api() -> bool:
    try:
        resolve("/api/v1/discipline/appeals/mine")
    except Resolver404:
        return False
    return True


@pytest.fixture(name="appeal_urls")
def appeal_urls_fixture(settings: Any) -> None:
    """Make /api/v1/discipline/appeals/ and the discipline:appeal_* pages resolvable."""
    if _project_has_api():
        return
    import sys
    import types

    from kehu import urls as project_urls

    module = types.ModuleType("appeals_test_urlconf")
    module.urlpatterns = [  # type: ignore[attr-defined]
        *_test_api_urls(),
        *project_urls.urlpatterns,
    ]
    for handler in ("handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(project_urls, handler))
    sys.modules["appeals_test_urlconf"] = module
    settings.ROOT_URLCONF = "appeals_test_urlconf"
