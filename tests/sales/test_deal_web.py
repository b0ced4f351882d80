"""Deal pages in the browser's terms: record a deal in two steps, its page with the split, the
monthly commission ledger (a salesperson sees only their own), the sales manager's request queue
and conduct records; outsiders get 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.core.web.queues import queue_states_for_staff
from kehu.sales import deal_services as deals
from kehu.sales.models.deal import Deal, SalesRequest

from .test_deal_services import clock, close_deal, walk_in  # noqa: F401
from .test_reception_services import Office, make_office


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


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def local_input() -> str:
    return timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")


def test_a7_17_recording_a_deal_in_two_steps_through_the_pages(office: Office) -> None:
    done = walk_in(office, office.zhao, "蒋客", "13900000501")
    zhao = as_staff(office.zhao)
    # step one: the customer; the form defaults to the latest visit, its receiver closing
    page = zhao.get(f"/sales/deals/new/?customer={done.visit.customer_id}")
    assert page.status_code == 200
    assert f'value="{done.visit.pk}" selected' in page.content.decode()
    # the deposit alone
    response = zhao.post(
        f"/sales/deals/new/?customer={done.visit.customer_id}",
        {
            "visit": done.visit.pk,
            "unit": "A-1001",
            "price": "1200000",
            "subscriber": "",
            "deposit_paid_at": local_input(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    deal = Deal.objects.get()
    deal_html = zhao.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert "未成交" in deal_html and "补登签认购书" in deal_html
    # the signed subscription closes it
    signed = zhao.post(
        f"/sales/deals/{deal.pk}/step/",
        {"step": "subscription", "at": local_input(), "subscriber": "蒋客"},
        follow=True,
    )
    html = signed.content.decode()
    assert "已成交（A7.17）" in html and "A7.17" in html
    assert "业绩分成" in html and "100%" in html and "1,200,000.00" in html


def test_deal_page_shows_the_split_and_the_ledger_shows_the_month(office: Office) -> None:
    done = walk_in(office, office.zhao, "韩客", "13900000502")
    result = close_deal(office, done, unit="B-0808", price="880000.00")
    zhao = as_staff(office.zhao)
    deal_page = zhao.get(f"/sales/deals/{result.deal.pk}/").content.decode()
    assert "赵强" in deal_page and "880,000.00" in deal_page and "sales@" in deal_page
    month = deals.month_of(result.deal.closed_at or timezone.now()).strftime("%Y-%m")
    ledger = zhao.get(f"/sales/deals/commission/?month={month}")
    assert ledger.status_code == 200
    html = ledger.content.decode()
    assert "B-0808" in html and "880,000.00" in html and "合计" in html
    # another salesperson sees neither the deal nor 赵强's ledger
    li = as_staff(office.li)
    assert li.get(f"/sales/deals/{result.deal.pk}/").status_code == 404
    assert (
        li.get(f"/sales/deals/commission/?month={month}&salesperson={office.zhao.pk}").status_code
        == 404
    )
    assert "B-0808" not in li.get(f"/sales/deals/commission/?month={month}").content.decode()
    # the sales manager sees it, and may export it
    wang = as_staff(office.wang)
    assert "B-0808" in wang.get(f"/sales/deals/commission/?month={month}").content.decode()
    export = wang.get(f"/sales/deals/commission/export/?month={month}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")


def test_outsider_another_company_gets_404(office: Office, cast: Any) -> None:
    done = walk_in(office, office.zhao, "杨外", "13900000503")
    deal = close_deal(office, done, unit="C-0101").deal
    other = cast.company("other-estate", "别家置业")
    outsider = as_staff(cast.staff(other, "外人", Post.SALES_MANAGER))
    assert outsider.get(f"/sales/deals/{deal.pk}/").status_code == 404
    ask = deals.sales_request_submit(actor=office.zhao, kind="hold", unit="C-0102", reason="留")
    assert outsider.get(f"/sales/deals/requests/{ask.pk}/").status_code == 404


def test_a7_19_the_sales_managers_queue_and_decision_page(office: Office) -> None:
    zhao = as_staff(office.zhao)
    response = zhao.post(
        "/sales/deals/requests/",
        {"kind": "discount", "unit": "D-0101", "discount_percent": "1", "reason": "老客户"},
    )
    assert response.status_code == 302
    ask = SalesRequest.objects.get()
    # the home counter of the sales manager counts it
    states = {s.queue.key: s.count for s in queue_states_for_staff(staff=office.wang)}
    assert states.get("sales.approvals") == 1
    wang = as_staff(office.wang)
    queue = wang.get("/sales/deals/requests/").content.decode()
    assert "待审批" in queue and f"#{ask.pk}" in queue
    # a salesperson cannot decide
    assert (
        zhao.post(f"/sales/deals/requests/{ask.pk}/", {"decision": "approve", "reason": "x"})
    ).status_code == 403
    decided = wang.post(
        f"/sales/deals/requests/{ask.pk}/",
        {"decision": "approve", "reason": "同意一个点"},
        follow=True,
    )
    assert "已批准" in decided.content.decode()
    states = {s.queue.key: s.count for s in queue_states_for_staff(staff=office.wang)}
    assert states.get("sales.approvals") == 0


def test_conduct_a7_11_recorded_on_the_page_forwarding_is_the_managers_choice(
    office: Office,
) -> None:
    wang = as_staff(office.wang)
    response = wang.post(
        "/sales/deals/conduct/",
        {
            "salesperson": office.li.pk,
            "rule_id": "A7.11",
            "occurred_at": local_input(),
            "facts": "赵强接待中，李明上前询问客户是否自己的来电客户",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "A7.11" in html and "转交奖惩台账" in html
    # the salesperson sees the record about him, without the forward form
    li_page = as_staff(office.li).get("/sales/deals/conduct/").content.decode()
    assert "A7.11" in li_page and "记录违规" not in li_page
