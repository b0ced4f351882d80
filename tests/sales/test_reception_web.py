"""The customer's ownership-decisions page: rule IDs and policy shown; outsiders get 404."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.core.org.models import Company, Staff
from kehu.sales import reception_services as services
from kehu.sales.registration_services import VisitDetails

from .test_reception_services import Office, clock, make_office, open_day  # noqa: F401


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


def test_the_decisions_page_shows_rules_and_policy(office: Office) -> None:
    # given a walk-in registered for 赵强
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    done = services.visit_register(
        actor=office.desk, visit_id=visit.pk, details=VisitDetails(customer_name="页客")
    )
    url = f"/sales/receptions/customers/{done.visit.customer_id}/decisions/"
    # when the sales manager opens the customer's decisions
    client = Client()
    client.force_login(office.wang.user)
    page = client.get(url)
    # then the clause, rule IDs and policy version are shown
    assert page.status_code == 200
    text = page.content.decode()
    assert "A1.5" in text and done.decision.policy_ref in text
    # and another company's staff get 404
    outsider = Client()
    outsider.force_login(office.chen.user)
    assert outsider.get(url).status_code == 404
