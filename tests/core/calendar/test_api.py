"""/api/v1/calendar/: due times and company overrides, each seen only by its own company."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kehu.core.calendar import services
from kehu.core.calendar.models import CalendarOverride
from kehu.core.org.models import Staff

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due"
OVERRIDES = "/api/v1/calendar/overrides"


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(OVERRIDES, body, content_type="application/json")


class TestDue:
    def test_spring_festival_due_time_with_reasons(self, li: Staff) -> None:
        response = as_staff(li).get(
            DUE, {"start": "2026-02-13T16:00", "amount": "2", "unit": "workday"}
        )
        assert response.status_code == 200
        body = response.json()
        assert body["due_at"].startswith("2026-02-24T23:59:59.999999+08:00")
        assert body["due_at_display"] == "2026-02-24 23:59:59 (Asia/Shanghai)"
        assert body["rule_ids"] == ["A3 reading (clock)"]
        assert [d["date"] for d in body["counted"]] == ["2026-02-14", "2026-02-24"]
        assert body["counted"][0]["kind"] == "adjusted_workday"
        assert body["counted"][0]["label_zh"] == "调休上班"
        assert len(body["skipped"]) == 9
        assert body["skipped"][0]["name_zh"] == "春节"
        assert "跳过" in body["explanation_zh"] and "Skipped" in body["explanation_en"]

    def test_an_offset_in_the_start_is_honoured(self, li: Staff) -> None:
        response = as_staff(li).get(
            DUE, {"start": "2026-02-13T08:00+00:00", "amount": "1", "unit": "hour"}
        )
        assert response.json()["due_at_display"] == "2026-02-13 17:00:00 (Asia/Shanghai)"

    def test_the_callers_company_overrides_apply_and_no_others(
        self, sun: Staff, li: Staff, chen: Staff
    ) -> None:
        services.calendar_override_set(
            company=sun.company,
            date=date(2026, 2, 24),
            is_working_day=False,
            reason="节后错峰休息",
            actor=sun.user,
        )
        query = {"start": "2026-02-13T16:00", "amount": "2", "unit": "workday"}
        assert as_staff(li).get(DUE, query).json()["due_at"].startswith("2026-02-25")
        assert as_staff(chen).get(DUE, query).json()["due_at"].startswith("2026-02-24")

    @pytest.mark.parametrize(
        ("query", "status", "code"),
        [
            (
                {"start": "2026-02-13T16:00", "amount": "2", "unit": "week"},
                400,
                "calendar.bad_unit",
            ),
            (
                {"start": "2026-02-13T16:00", "amount": "0", "unit": "day"},
                400,
                "calendar.bad_amount",
            ),
            ({"start": "someday", "amount": "1", "unit": "day"}, 400, "calendar.bad_start"),
            (
                {"start": "2026-12-31T10:00", "amount": "1", "unit": "workday"},
                422,
                "calendar.year_not_covered",
            ),
        ],
    )
    def test_errors_carry_a_code_and_a_message(
        self, li: Staff, query: dict[str, str], status: int, code: str
    ) -> None:
        response = as_staff(li).get(DUE, query)
        assert response.status_code == status
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["message"]

    def test_uncovered_year_message_is_chinese_by_default(self, li: Staff) -> None:
        response = as_staff(li).get(
            DUE, {"start": "2026-12-31T10:00", "amount": "1", "unit": "workday"}
        )
        error = response.json()["error"]
        assert "2027 年" in error["message"]
        assert error["details"]["year"] == 2027

    def test_an_anonymous_caller_is_refused(self, client: Client) -> None:
        response = client.get(DUE, {"start": "2026-02-13T16:00", "amount": "2", "unit": "workday"})
        assert response.status_code in (401, 403)

    def test_a_login_without_a_staff_record_is_refused(self) -> None:
        user = get_user_model().objects.create_user(username="visitor", password="x" * 12)
        client = Client()
        client.force_login(user)
        response = client.get(DUE, {"start": "2026-02-13T16:00", "amount": "2", "unit": "workday"})
        assert response.status_code == 403
        assert response.json()["error"]["code"]  # the API root's auth.no_staff


class TestOverrides:
    def test_an_administrator_adds_an_override(self, sun: Staff) -> None:
        response = post(
            as_staff(sun), {"date": "2026-05-06", "is_working_day": False, "reason": "公司调休"}
        )
        assert response.status_code == 201
        body = response.json()
        assert body["date"] == "2026-05-06" and body["is_working_day"] is False
        assert body["created_by"] == sun.user.get_username()
        assert CalendarOverride.objects.get().company == sun.company

    def test_a_salesperson_gets_403_with_a_clear_message(self, li: Staff) -> None:
        response = post(
            as_staff(li), {"date": "2026-05-06", "is_working_day": False, "reason": "想放假"}
        )
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["code"] == "calendar.permission_denied"
        assert "calendar.add_calendaroverride" in error["message"]
        assert not CalendarOverride.objects.exists()

    def test_an_anonymous_post_is_refused(self, client: Client) -> None:
        response = post(client, {"date": "2026-05-06", "is_working_day": False, "reason": "x"})
        assert response.status_code in (401, 403)
        assert not CalendarOverride.objects.exists()

    def test_a_missing_reason_is_refused(self, sun: Staff) -> None:
        response = post(
            as_staff(sun), {"date": "2026-05-06", "is_working_day": False, "reason": " "}
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "calendar.bad_reason"

    def test_the_list_is_the_callers_company_only(
        self, sun: Staff, zhou: Staff, chen: Staff
    ) -> None:
        post(as_staff(sun), {"date": "2026-05-06", "is_working_day": False, "reason": "华东"})
        post(as_staff(zhou), {"date": "2027-01-04", "is_working_day": True, "reason": "西湖"})
        east_list = as_staff(sun).get(OVERRIDES).json()
        west_list = as_staff(chen).get(OVERRIDES).json()
        assert [o["reason"] for o in east_list] == ["华东"]
        assert [o["reason"] for o in west_list] == ["西湖"]
        assert as_staff(chen).get(OVERRIDES, {"year": "2026"}).json() == []

    def test_an_anonymous_list_is_refused(self, client: Client) -> None:
        assert client.get(OVERRIDES).status_code in (401, 403)

    def test_delete_own_but_not_anothers(self, sun: Staff, zhou: Staff) -> None:
        created = post(
            as_staff(sun), {"date": "2026-05-06", "is_working_day": False, "reason": "华东"}
        ).json()
        outsider = as_staff(zhou).delete(f"{OVERRIDES}/{created['id']}")
        assert outsider.status_code == 404
        assert as_staff(sun).delete(f"{OVERRIDES}/{created['id']}").status_code == 204
        assert not CalendarOverride.objects.exists()
