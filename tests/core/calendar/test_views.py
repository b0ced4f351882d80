"""The company calendar page and the "compute a due time" page."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from kehu.core.calendar.models import CalendarOverride
from kehu.core.org.models import Staff

pytestmark = pytest.mark.django_db


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_anonymous_visitors_are_sent_to_login(client: Client) -> None:
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_administrator_adds_an_override_from_the_page(sun: Staff) -> None:
    client = as_staff(sun)
    response = client.post(
        "/calendar/", {"date": "2026-05-06", "is_working_day": "0", "reason": "公司调休"}
    )
    assert response.status_code == 302
    page = client.get("/calendar/")
    assert "2026-05-06" in page.content.decode() and "公司调休" in page.content.decode()
    override = CalendarOverride.objects.get()
    assert override.company == sun.company and override.is_working_day is False


def test_a_salesperson_sees_the_list_but_no_form_and_cannot_post(li: Staff, sun: Staff) -> None:
    as_staff(sun).post(
        "/calendar/", {"date": "2026-05-06", "is_working_day": "0", "reason": "公司调休"}
    )
    client = as_staff(li)
    page = client.get("/calendar/").content.decode()
    assert "公司调休" in page
    assert 'name="reason"' not in page
    response = client.post(
        "/calendar/", {"date": "2026-05-07", "is_working_day": "0", "reason": "想放假"}
    )
    assert response.status_code == 400
    assert "calendar.add_calendaroverride" in response.content.decode()
    assert CalendarOverride.objects.count() == 1


def test_an_outsider_does_not_see_the_companys_overrides(sun: Staff, chen: Staff) -> None:
    as_staff(sun).post(
        "/calendar/", {"date": "2026-05-06", "is_working_day": "0", "reason": "华东专属"}
    )
    assert "华东专属" not in as_staff(chen).get("/calendar/").content.decode()


def test_delete_from_the_page(sun: Staff) -> None:
    client = as_staff(sun)
    client.post("/calendar/", {"date": "2026-05-06", "is_working_day": "1", "reason": "上班"})
    override = CalendarOverride.objects.get()
    response = client.post(f"/calendar/overrides/{override.pk}/delete/")
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()


def test_the_due_form_shows_the_due_time_and_reasons(li: Staff) -> None:
    response = as_staff(li).get(
        "/calendar/due/", {"start": "2026-02-13T16:00", "amount": "2", "unit": "workday"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "2026-02-24 23:59:59 (Asia/Shanghai)" in content
    assert "调休上班" in content and "春节" in content
    assert "A3 reading (clock)" in content


def test_the_due_form_shows_an_uncovered_year_clearly(li: Staff) -> None:
    response = as_staff(li).get(
        "/calendar/due/", {"start": "2026-12-31T10:00", "amount": "1", "unit": "workday"}
    )
    assert "2027 年" in response.content.decode()


def test_the_due_form_uses_company_overrides(sun: Staff, li: Staff) -> None:
    as_staff(sun).post(
        "/calendar/", {"date": date(2026, 2, 24).isoformat(), "is_working_day": "0", "reason": "休"}
    )
    response = as_staff(li).get(
        "/calendar/due/", {"start": "2026-02-13T16:00", "amount": "2", "unit": "workday"}
    )
    assert "2026-02-25 23:59:59" in response.content.decode()
