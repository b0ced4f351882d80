"""The front desk's tablet page drives the reception flow with Visits: arrival answered with the
receiver and rule, today's receptions, registration with the decision shown, a conflict with
consent, came-for, end — and outsiders get 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from kehu.core.org.models import Company, Staff
from kehu.sales.models.reception import ConflictEvent, ConsentRecord, OwnershipDecision, Visit

from .test_reception_services import (  # noqa: F401
    NOW,
    Office,
    clock,
    make_office,
    old_registration,
    open_day,
)


@pytest.fixture
def office(
    clock: None,  # noqa: F811
    cast: object,
    east: Company,
    li: Staff,
    zhao: Staff,
    wang: Staff,
    chen: Staff,
) -> Office:
    return make_office(cast, east, li, zhao, wang, chen)


def login(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def desk_url(o: Office, rest: str = "") -> str:
    return f"/sales/rotation/{o.site.pk}/desk/{rest}"


def visit_url(visit: Visit, rest: str = "") -> str:
    return f"/sales/receptions/{visit.pk}/{rest}"


def test_a2_12_a1_5_the_desk_drives_a_walk_in_from_arrival_to_decision(office: Office) -> None:
    # given 赵强 is next and the front desk has the tablet page open
    open_day(office, office.zhao)
    desk = login(office.desk)
    # when a new visitor arrives asking for nobody
    response = desk.post(desk_url(office, "arrive/"), {"arrival": "walk_in"})
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?visit={visit.pk}")
    page = desk.get(response["Location"]).content.decode()
    # then the answer names 赵强 and the rotation rule, and the reception is listed for today
    assert "请 <strong>赵强</strong> 接待" in page and "A7.1" in page
    assert "今日接待" in page and visit_url(visit) in page
    # when the desk registers the visitor on the visit page
    form = desk.get(visit_url(visit)).content.decode()
    assert 'hx-get="/sales/book/register/match/"' in form  # the book's live matching
    response = desk.post(
        visit_url(visit, "register/"), {"customer_name": "新客甲", "contact": "13900000301"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # then the decision is shown: owner, clause, rule IDs with titles, turns, explanation
    page = desk.get(visit_url(visit)).content.decode()
    decision = OwnershipDecision.objects.get(visit=visit)
    assert "A1.5" in page and "客户登记有冲突的，以先登记者为准" in page
    assert "占用接待名额" in page and decision.explanation_zh in page
    # when the reception ends from the list
    desk.post(desk_url(office, "end/"), {"visit_id": visit.pk})
    visit.refresh_from_db()
    assert visit.ended_at is not None


def test_a7_13_a2_8_conflict_and_consent_through_the_page(office: Office) -> None:
    # given 李明 registered 孙客 ten days ago, and 赵强 receives him as a walk-in
    old = old_registration(office, office.li, 10, customer_name="孙客", contact="13900000302")
    open_day(office, office.zhao)
    desk = login(office.desk)
    desk.post(desk_url(office, "arrive/"), {"arrival": "walk_in"})
    visit = Visit.objects.get()
    # when the desk records the conflict during the reception and 李明 consents
    desk.post(
        visit_url(visit, "conflict/"),
        {
            "holder_id": office.li.pk,
            "during_reception": "1",
            "holder_on_site": "1",
            "holder_reachable": "1",
        },
    )
    desk.post(visit_url(visit, "consent/"), {"holder_id": office.li.pk, "given": "1"})
    assert ConflictEvent.objects.filter(visit=visit, during_reception=True).exists()
    assert ConsentRecord.objects.get(visit=visit).given
    # and registers the customer as 李明's old customer
    response = desk.post(
        visit_url(visit, "register/"),
        {"customer_name": "孙客", "contact": "13900000302", "customer_id": old.pk},
    )
    assert response.status_code == 302
    # then the decision (A7.13) keeps him 李明's, with no grab
    decision = OwnershipDecision.objects.get(visit=visit)
    assert decision.clause == "A7.13" and "grab" not in decision.flags
    assert decision.owner_after["salesperson"] == str(office.li.pk)
    page = desk.get(visit_url(visit)).content.decode()
    assert "同意继续接待" in page and "A7.13" in page


def test_a7_9_3_came_for_through_the_page_after_registration_redecides(office: Office) -> None:
    open_day(office, office.zhao)
    desk = login(office.desk)
    desk.post(desk_url(office, "arrive/"), {"arrival": "walk_in"})
    visit = Visit.objects.get()
    desk.post(visit_url(visit, "register/"), {"customer_name": "找人客"})
    with time_machine.travel(NOW + dt.timedelta(minutes=20), tick=False):
        desk.post(visit_url(visit, "came-for/"), {"staff_id": office.qian.pk})
    rows = list(OwnershipDecision.objects.filter(visit=visit).order_by("pk"))
    assert [r.clause for r in rows] == ["A1.5", "A7.9(3)"]
    assert rows[1].supersedes_id == rows[0].pk


def test_outsiders_get_404_on_the_visit_pages(office: Office) -> None:
    open_day(office, office.zhao)
    desk = login(office.desk)
    desk.post(desk_url(office, "arrive/"), {"arrival": "walk_in"})
    visit = Visit.objects.get()
    outsider = login(office.chen)
    assert outsider.get(visit_url(visit)).status_code == 404
    assert outsider.post(visit_url(visit, "end/")).status_code == 404
    assert outsider.post(visit_url(visit, "register/"), {"customer_name": "x"}).status_code == 404
    visit.refresh_from_db()
    assert visit.ended_at is None and visit.registration_id is None
