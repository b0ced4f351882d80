"""The company calendar page: declared years and the bulk-entry helper.

2027 dates are the made-up TEST DATA of ``conftest.EXAMPLE_2027``."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.calendar import services
from kehu.core.calendar.models import CalendarOverride, CalendarYearDeclaration
from kehu.core.org.models import Staff

pytestmark = pytest.mark.django_db

NOTE = "测试数据：虚构的2027年安排（非国务院通知）"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def page(client: Client) -> str:
    return client.get("/calendar/").content.decode()


class TestBulkEntry:
    def test_preview_lists_each_line_and_saves_nothing(self, sun: Staff, example_2027: str) -> None:
        response = as_staff(sun).post(
            "/calendar/import/", {"text": example_2027, "action": "preview"}
        )
        content = response.content.decode()
        assert response.status_code == 200
        assert "2027-02-13" in content and "春节调休（测试数据）" in content and "新增" in content
        assert "尚未声明" in content
        assert not CalendarOverride.objects.exists()

    def test_preview_shows_rejected_lines_with_reasons(self, sun: Staff) -> None:
        text = "2027-01-01 休 元旦\n2027-02-30 休 x\n2027-01-01 班 值班\n2027-01-04 放 y\n"
        response = as_staff(sun).post("/calendar/import/", {"text": text, "action": "preview"})
        content = response.content.decode()
        assert response.status_code == 400
        assert "2027-02-30" in content and "不认识的标记" in content and "重复" in content
        assert not CalendarOverride.objects.exists()

    def test_import_saves_everything_and_suggests_declaring(
        self, sun: Staff, example_2027: str
    ) -> None:
        client = as_staff(sun)
        response = client.post("/calendar/import/", {"text": example_2027, "action": "import"})
        assert response.status_code == 302
        assert CalendarOverride.objects.filter(company=sun.company).count() == 9
        content = page(client)
        assert "新增 9 条" in content
        assert "声明该年安排已录入完整" in content  # the form for 2027

    def test_import_with_one_bad_line_saves_nothing(self, sun: Staff, example_2027: str) -> None:
        response = as_staff(sun).post(
            "/calendar/import/", {"text": example_2027 + "2027-10-01 休\n", "action": "import"}
        )
        content = response.content.decode()
        assert response.status_code == 400
        assert "全部未保存" in content and "缺少原因" in content
        assert not CalendarOverride.objects.exists()

    def test_a_salesperson_sees_no_import_form_and_is_refused_and_audited(self, li: Staff) -> None:
        client = as_staff(li)
        assert 'name="text"' not in page(client)
        response = client.post(
            "/calendar/import/", {"text": "2027-01-01 休 元旦", "action": "import"}
        )
        assert response.status_code == 403
        assert "calendar.add_calendaroverride" in response.content.decode()
        assert not CalendarOverride.objects.exists()
        event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
        assert event.detail["code"] == "calendar.permission_denied"
        assert event.actor == li.user


class TestDeclaring:
    def test_an_uncovered_year_with_overrides_can_be_declared_and_withdrawn(
        self, sun: Staff, example_2027: str
    ) -> None:
        client = as_staff(sun)
        client.post("/calendar/import/", {"text": example_2027, "action": "import"})
        assert "未声明" in page(client)
        response = client.post("/calendar/years/declare/", {"year": "2027", "note": NOTE})
        assert response.status_code == 302
        declaration = CalendarYearDeclaration.objects.get()
        assert declaration.company == sun.company and declaration.note == NOTE
        content = page(client)
        assert "已声明" in content and NOTE in content and "撤回声明" in content
        client.post("/calendar/years/2027/withdraw/")
        assert not CalendarYearDeclaration.objects.exists()
        assert "已撤回 2027 年的年度声明" in page(client)

    def test_a_missing_note_is_explained(self, sun: Staff, example_2027: str) -> None:
        client = as_staff(sun)
        client.post("/calendar/import/", {"text": example_2027, "action": "import"})
        client.post("/calendar/years/declare/", {"year": "2027", "note": ""})
        assert not CalendarYearDeclaration.objects.exists()
        assert "请填写声明的依据" in page(client)

    def test_a_year_without_overrides_is_refused_with_what_to_enter(self, sun: Staff) -> None:
        client = as_staff(sun)
        client.post("/calendar/years/declare/", {"year": "2027", "note": NOTE})
        assert not CalendarYearDeclaration.objects.exists()
        assert "还没有录入任何 2027 年的日历例外" in page(client)

    def test_a_salesperson_sees_the_status_but_cannot_declare(
        self, sun: Staff, li: Staff, example_2027: str
    ) -> None:
        services.calendar_overrides_import(company=sun.company, text=example_2027, actor=sun.user)
        client = as_staff(li)
        content = page(client)
        assert "2027" in content and "未声明" in content
        assert "声明该年安排已录入完整" not in content
        client.post("/calendar/years/declare/", {"year": "2027", "note": NOTE})
        assert not CalendarYearDeclaration.objects.exists()
        assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1

    def test_an_outsider_does_not_see_the_companys_years(
        self, sun: Staff, chen: Staff, example_2027: str
    ) -> None:
        services.calendar_overrides_import(company=sun.company, text=example_2027, actor=sun.user)
        services.calendar_year_declare(company=sun.company, year=2027, note=NOTE, actor=sun.user)
        content = page(as_staff(chen))
        assert NOTE not in content and "春节（测试数据）" not in content
