"""/api/v1/calendar/years and /api/v1/calendar/overrides/bulk: declared years and pasted
overrides, each only for the caller's own company; refusals are 403 and audited.

2027 dates are the made-up TEST DATA of ``conftest.EXAMPLE_2027``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.calendar.models import CalendarOverride, CalendarYearDeclaration
from kehu.core.org.models import Staff

pytestmark = pytest.mark.django_db

YEARS = "/api/v1/calendar/years"
BULK = "/api/v1/calendar/overrides/bulk"
DUE = "/api/v1/calendar/due"
NOTE = "测试数据：虚构的2027年安排（非国务院通知）"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def denied_events(code: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.PERMISSION_DENIED, outcome=AuditOutcome.DENIED, detail__code=code
        )
    )


class TestBulk:
    def test_dry_run_previews_every_line_and_saves_nothing(
        self, sun: Staff, example_2027: str
    ) -> None:
        response = post(as_staff(sun), BULK, {"text": example_2027, "dry_run": True})
        assert response.status_code == 200
        body = response.json()
        assert body["dry_run"] is True and body["ok"] is True and body["created"] == 9
        assert body["lines"][0] == {
            "line": 2,
            "date": "2027-01-01",
            "is_working_day": False,
            "reason": "元旦（测试数据）",
            "action": "create",
            "action_zh": "新增",
            "before_is_working_day": None,
            "before_reason": "",
        }
        assert body["years"] == [{"year": 2027, "lines": 9, "official": False, "declared": False}]
        assert not CalendarOverride.objects.exists()

    def test_dry_run_lists_rejected_lines(self, sun: Staff) -> None:
        text = "2027-01-01 休 元旦\n2027-02-30 休 x\n2027-01-01 班 y\n2027-01-05 歇 z\n"
        body = post(as_staff(sun), BULK, {"text": text, "dry_run": True}).json()
        assert body["ok"] is False
        assert [(r["line"], r["problem"]) for r in body["rejected"]] == [
            (2, "bad_date"),
            (3, "duplicate"),
            (4, "unknown_marker"),
        ]

    def test_import_saves_all_lines(self, sun: Staff, example_2027: str) -> None:
        response = post(as_staff(sun), BULK, {"text": example_2027})
        assert response.status_code == 201
        assert response.json()["created"] == 9
        assert CalendarOverride.objects.filter(company=sun.company).count() == 9

    def test_import_with_a_bad_line_saves_nothing(self, sun: Staff, example_2027: str) -> None:
        response = post(as_staff(sun), BULK, {"text": example_2027 + "2027-13-01 休 x\n"})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "calendar.import_rejected"
        assert error["details"]["rejected"][0]["line"] == 11
        assert not CalendarOverride.objects.exists()

    def test_an_empty_paste_is_a_clear_error(self, sun: Staff) -> None:
        response = post(as_staff(sun), BULK, {"text": "\n\n", "dry_run": True})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "calendar.import_empty"

    def test_a_salesperson_gets_an_audited_403(self, li: Staff) -> None:
        response = post(as_staff(li), BULK, {"text": "2027-01-01 休 元旦"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "calendar.permission_denied"
        assert len(denied_events("calendar.permission_denied")) == 1
        assert not CalendarOverride.objects.exists()

    def test_an_anonymous_caller_is_refused(self, client: Client) -> None:
        response = post(client, BULK, {"text": "2027-01-01 休 元旦"})
        assert response.status_code in (401, 403)
        assert not CalendarOverride.objects.exists()


class TestYears:
    def test_declare_then_deadlines_count_into_2027(self, sun: Staff, example_2027: str) -> None:
        client = as_staff(sun)
        query = {"start": "2026-12-30T10:00", "amount": "3", "unit": "workday"}
        post(client, BULK, {"text": example_2027})
        before = client.get(DUE, query)
        assert before.status_code == 422
        assert before.json()["error"]["code"] == "calendar.year_not_covered"
        assert "声明" in before.json()["error"]["message"]

        response = post(client, YEARS, {"year": 2027, "note": NOTE})
        assert response.status_code == 201
        assert response.json()["year"] == 2027 and response.json()["note"] == NOTE
        assert response.json()["declared_by"] == sun.user.get_username()

        after = client.get(DUE, query).json()
        assert after["due_at"].startswith("2027-01-05T23:59:59.999999+08:00")
        assert after["counted"][-1]["kind"] == "declared_workday"
        assert after["counted"][-1]["name_zh"] == "公司已声明2027年安排"

    def test_list_shows_the_official_range_and_the_companys_years(
        self, sun: Staff, example_2027: str
    ) -> None:
        client = as_staff(sun)
        post(client, BULK, {"text": example_2027})
        post(client, YEARS, {"year": 2027, "note": NOTE})
        body = client.get(YEARS).json()
        assert body["official_source"].startswith("chinesecalendar")
        assert (body["official_first"], body["official_last"]) == (2004, 2026)
        (year,) = body["years"]
        assert year["year"] == 2027 and year["official"] is False
        assert (year["overrides"], year["days_off"], year["working_days"]) == (9, 8, 1)
        assert year["declared"] is True and year["declaration"]["note"] == NOTE

    @pytest.mark.parametrize(
        ("year", "status", "code"),
        [
            (2026, 422, "calendar.year_already_covered"),
            (2028, 422, "calendar.year_has_no_overrides"),
            (99, 400, "calendar.bad_year"),
        ],
    )
    def test_refusals(
        self, sun: Staff, example_2027: str, year: int, status: int, code: str
    ) -> None:
        client = as_staff(sun)
        post(client, BULK, {"text": example_2027})
        response = post(client, YEARS, {"year": year, "note": NOTE})
        assert response.status_code == status
        assert response.json()["error"]["code"] == code
        assert not CalendarYearDeclaration.objects.exists()

    def test_declaring_twice_is_a_conflict(self, sun: Staff, example_2027: str) -> None:
        client = as_staff(sun)
        post(client, BULK, {"text": example_2027})
        post(client, YEARS, {"year": 2027, "note": NOTE})
        response = post(client, YEARS, {"year": 2027, "note": NOTE})
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "calendar.year_already_declared"

    def test_a_missing_note_is_refused(self, sun: Staff, example_2027: str) -> None:
        client = as_staff(sun)
        post(client, BULK, {"text": example_2027})
        response = post(client, YEARS, {"year": 2027, "note": " "})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "calendar.bad_note"

    def test_withdraw(self, sun: Staff, example_2027: str) -> None:
        client = as_staff(sun)
        post(client, BULK, {"text": example_2027})
        post(client, YEARS, {"year": 2027, "note": NOTE})
        assert client.delete(f"{YEARS}/2027").status_code == 204
        assert not CalendarYearDeclaration.objects.exists()
        again = client.delete(f"{YEARS}/2027")
        assert again.status_code == 404
        assert again.json()["error"]["code"] == "calendar.declaration_not_found"

    def test_a_salesperson_may_list_but_not_declare_or_withdraw(
        self, sun: Staff, li: Staff, example_2027: str
    ) -> None:
        post(as_staff(sun), BULK, {"text": example_2027})
        client = as_staff(li)
        assert client.get(YEARS).status_code == 200
        refused = post(client, YEARS, {"year": 2027, "note": NOTE})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "calendar.permission_denied"
        post(as_staff(sun), YEARS, {"year": 2027, "note": NOTE})
        assert client.delete(f"{YEARS}/2027").status_code == 403
        assert len(denied_events("calendar.permission_denied")) == 2
        assert CalendarYearDeclaration.objects.count() == 1

    def test_another_company_neither_sees_nor_withdraws_the_declaration(
        self, sun: Staff, zhou: Staff, chen: Staff, example_2027: str
    ) -> None:
        post(as_staff(sun), BULK, {"text": example_2027})
        post(as_staff(sun), YEARS, {"year": 2027, "note": NOTE})
        assert as_staff(chen).get(YEARS).json()["years"] == []
        assert as_staff(zhou).delete(f"{YEARS}/2027").status_code == 404
        assert CalendarYearDeclaration.objects.filter(company=sun.company).exists()
        # And 西湖燃气's deadlines into 2027 still stop
        query = {"start": "2026-12-30T10:00", "amount": "3", "unit": "workday"}
        assert as_staff(chen).get(DUE, query).status_code == 422

    def test_an_anonymous_caller_is_refused(self, client: Client) -> None:
        assert client.get(YEARS).status_code in (401, 403)
        assert post(client, YEARS, {"year": 2027, "note": NOTE}).status_code in (401, 403)
