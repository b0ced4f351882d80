"""Deals through the API: record → close → split on the ledger; the monthly commission ledger
(own lines only for a salesperson) and its audited export; A7.19 requests; conduct records;
outsiders get 404."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales.models.deal import ConductForward, ConductRecord

from .test_deal_services import clock, walk_in  # noqa: F401
from .test_reception_services import Office, make_office

BASE = "/api/v1/sales/deals/"


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


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def closed_through_api(o: Office, *, unit: str = "1-0101", price: str = "1000000.00") -> Any:
    done = walk_in(o, o.zhao, "冯客", "13900000401")
    now = timezone.now().isoformat()
    response = post(
        as_staff(o.zhao),
        BASE,
        {
            "customer_id": done.visit.customer_id,
            "unit": unit,
            "price": price,
            "subscriber": "冯客",
            "deposit_paid_at": now,
            "subscription_signed_at": now,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a7_17_a_deal_through_the_api_closes_and_shows_its_split(office: Office) -> None:
    deal = closed_through_api(office)
    # then it is a deal with its decision, rule IDs, policy and the closer's 100% share
    assert deal["is_deal"] and deal["closed_at"]
    assert deal["decision_id"] and "A7.17" in deal["decision_rule_ids"] + [
        r for line in deal["commission"] for r in line["rule_ids"]
    ]
    assert deal["policy_ref"].startswith("sales@")
    assert [(s["percent"], s["amount"]) for s in deal["shares"]] == [("100", "1000000.00")]
    assert [c["salesperson_id"] for c in deal["commission"]] == [office.zhao.pk]
    # and the deal is readable by its closer
    again = as_staff(office.zhao).get(f"{BASE}{deal['id']}")
    assert again.status_code == 200 and again.json()["id"] == deal["id"]


def test_a7_17_a_deposit_alone_through_the_api_is_not_a_deal(office: Office) -> None:
    done = walk_in(office, office.zhao, "褚客", "13900000402")
    response = post(
        as_staff(office.zhao),
        BASE,
        {
            "customer_id": done.visit.customer_id,
            "unit": "1-0102",
            "price": "900000",
            "deposit_paid_at": timezone.now().isoformat(),
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["is_deal"] is False and body["commission"] == [] and body["shares"] == []
    # a bad step is a clear bilingual error and writes nothing
    bad = post(
        as_staff(office.zhao),
        f"{BASE}{body['id']}/steps",
        {"step": "subscription", "at": timezone.now().isoformat()},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "deal.subscriber_required"
    english = as_staff(office.zhao).post(
        f"{BASE}{body['id']}/steps",
        {"step": "subscription", "at": timezone.now().isoformat()},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert "subscriber" in english.json()["error"]["message"]


def test_commission_ledger_a_salesperson_sees_only_their_own(office: Office) -> None:
    deal = closed_through_api(office)
    month = deal["commission"][0]["month"][:7]
    # 赵强 sees his line and the month total
    mine = as_staff(office.zhao).get(f"{BASE}commission?month={month}")
    assert mine.status_code == 200
    assert mine.json()["total"] == "1000000.00"
    # 李明 sees nothing of 赵强's: his own ledger is empty, 赵强's is "not found"
    li = as_staff(office.li)
    assert li.get(f"{BASE}commission?month={month}").json()["total"] == "0.00"
    other = li.get(f"{BASE}commission?month={month}&salesperson_id={office.zhao.pk}")
    assert other.status_code == 404
    # and 赵强's deal is not his to read
    assert li.get(f"{BASE}{deal['id']}").status_code == 404
    # the sales manager sees everyone
    everyone = as_staff(office.wang).get(f"{BASE}commission?month={month}").json()
    assert [g["salesperson_id"] for g in everyone["groups"]] == [office.zhao.pk]


def test_commission_export_is_an_audited_excel_file(office: Office) -> None:
    deal = closed_through_api(office)
    month = deal["commission"][0]["month"][:7]
    response = as_staff(office.wang).get(f"{BASE}commission/export?month={month}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "售楼员" and rows[1][3] == "1-0101"
    assert Decimal(str(rows[-1][8])) == Decimal("1000000.00")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.object_type == "sales.commission_ledger" and event.detail["rows"] == 1


def test_outsider_another_company_sees_nothing(office: Office, cast: Any) -> None:
    deal = closed_through_api(office)
    # a sales manager of another real-estate company: "not found" everywhere
    other = cast.company("other-estate", "别家置业")
    outsider = as_staff(cast.staff(other, "外人", Post.SALES_MANAGER))
    assert outsider.get(f"{BASE}{deal['id']}").status_code == 404
    assert post(outsider, f"{BASE}{deal['id']}/commission/refresh", {}).status_code == 404
    ledger = outsider.get(f"{BASE}commission?month={deal['commission'][0]['month'][:7]}")
    assert ledger.status_code == 200 and ledger.json()["groups"] == []
    assert outsider.get(f"{BASE}requests").json() == []
    # customer service of the gas company has no deal permission at all
    chen = as_staff(office.chen)
    assert chen.get(f"{BASE}{deal['id']}").status_code in (403, 404)
    assert chen.get(f"{BASE}commission").status_code == 403


def test_a7_19_request_and_decision_through_the_api(office: Office) -> None:
    zhao, wang = as_staff(office.zhao), as_staff(office.wang)
    made = post(
        zhao,
        f"{BASE}requests",
        {"kind": "discount", "unit": "2-0101", "discount_amount": "10000", "reason": "团购价"},
    )
    assert made.status_code == 201, made.content
    ask = made.json()
    assert ask["status"] == "pending" and ask["rule_ids"] == ["A2.10", "A7.19"]
    # the sales manager's queue shows it
    queue = wang.get(f"{BASE}requests?pending=true").json()
    assert [r["id"] for r in queue] == [ask["id"]]
    # a salesperson cannot decide
    assert (
        post(zhao, f"{BASE}requests/{ask['id']}/decision", {"approve": True, "reason": "x"})
    ).status_code == 403
    decided = post(wang, f"{BASE}requests/{ask['id']}/decision", {"approve": False, "reason": "否"})
    assert decided.status_code == 201 and decided.json()["status"] == "rejected"
    again = post(wang, f"{BASE}requests/{ask['id']}/decision", {"approve": True, "reason": "改"})
    assert again.status_code == 409
    assert wang.get(f"{BASE}requests?pending=true").json() == []


@pytest.mark.parametrize(
    ("rule_id", "facts"),
    [
        ("A2.9", "未经原售楼员同意，把名片递给了同事的客户"),
        ("A2.11", "未送客户出售楼处，客户走后在背后取笑客户"),
    ],
    ids=["A2.9", "A2.11"],
)
def test_conduct_a2_9_a2_11_is_a_record_only_until_a_manager_forwards_it(
    office: Office, rule_id: str, facts: str
) -> None:
    """A2.9 (a business card to a colleague's customer without consent) and A2.11 (not seeing
    the customer out, talking behind their back): no system effect beyond the record."""
    from kehu.discipline.models import DisciplineProposal

    wang = as_staff(office.wang)
    made = post(
        wang,
        f"{BASE}conduct",
        {
            "salesperson_id": office.zhao.pk,
            "rule_id": rule_id,
            "facts": facts,
            "occurred_at": timezone.now().isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    record = made.json()
    assert record["rule_id"] == rule_id and record["forwarded_proposal_id"] is None
    assert not DisciplineProposal.objects.exists()
    assert [r["id"] for r in as_staff(office.zhao).get(f"{BASE}conduct").json()] == [record["id"]]
    forwarded = post(
        wang,
        f"{BASE}conduct/{record['id']}/forward",
        {"kind": "fine_in_range", "low": "100", "high": "300"},
    )
    assert forwarded.status_code == 201, forwarded.content
    assert DisciplineProposal.objects.get().rule_ids == [rule_id]


def test_conduct_a2_13_recorded_and_forwarded_by_a_manager(office: Office) -> None:
    from kehu.discipline.models import DisciplineProposal

    wang = as_staff(office.wang)
    made = post(
        wang,
        f"{BASE}conduct",
        {
            "salesperson_id": office.zhao.pk,
            "rule_id": "A2.13",
            "facts": "劝客户暂缓落定，等同事休假回来再交",
            "occurred_at": timezone.now().isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    record = made.json()
    assert record["rule_id"] == "A2.13" and record["forwarded_proposal_id"] is None
    # a record alone changes nothing else: no discipline proposal
    assert not DisciplineProposal.objects.exists()
    # the salesperson sees the record about him; a colleague does not
    assert [r["id"] for r in as_staff(office.zhao).get(f"{BASE}conduct").json()] == [record["id"]]
    assert as_staff(office.li).get(f"{BASE}conduct").json() == []
    # a salesperson cannot record
    refused = post(
        as_staff(office.li),
        f"{BASE}conduct",
        {
            **{k: record[k] for k in ("salesperson_id", "rule_id", "facts")},
            "occurred_at": timezone.now().isoformat(),
        },
    )
    assert refused.status_code == 403
    # the manager forwards it as a fine proposal within a range
    forwarded = post(
        wang,
        f"{BASE}conduct/{record['id']}/forward",
        {"kind": "fine_in_range", "low": "100", "high": "300"},
    )
    assert forwarded.status_code == 201, forwarded.content
    proposal = DisciplineProposal.objects.get()
    assert proposal.employee == office.zhao and proposal.rule_ids == ["A2.13"]
    assert forwarded.json()["forwarded_proposal_id"] == proposal.pk
    # once only
    twice = post(
        wang,
        f"{BASE}conduct/{record['id']}/forward",
        {"kind": "fine_in_range", "low": "100", "high": "300"},
    )
    assert twice.status_code == 409
    assert ConductRecord.objects.count() == 1 and ConductForward.objects.count() == 1


def test_conduct_a2_6_forwarded_as_a_criticism_becomes_a_criticism_entry_once_approved(
    office: Office,
) -> None:
    """A conduct record may go to the discipline ledger as a criticism (通报批评), not only as a
    fine: no amount range; approved, it is a criticism entry citing the record's rule, which
    the discipline rules count toward demerits."""
    from kehu.core.errors import KehuError
    from kehu.discipline.models import DisciplineEntry, DisciplineProposal
    from kehu.discipline.selectors import proposals_queue_for, stored_proposal_key
    from kehu.discipline.services import proposal_decide
    from kehu.sales import deal_services

    record = deal_services.conduct_record(
        actor=office.wang,
        salesperson_id=office.zhao.pk,
        rule_id="A2.6",
        facts="在客户面前与同事争抢客户",
        occurred_at=timezone.now(),
    )
    assert "criticism" in deal_services.forward_kinds()
    # a criticism carries no amount range
    with pytest.raises(KehuError) as ranged:
        deal_services.conduct_forward(
            actor=office.wang, record_id=record.pk, kind="criticism", low="100", high="200"
        )
    assert ranged.value.status == 422
    forward = deal_services.conduct_forward(
        actor=office.wang, record_id=record.pk, kind="criticism"
    )

    proposal = DisciplineProposal.objects.get(pk=forward.proposal_id)
    assert proposal.kind == "criticism" and proposal.low is None and proposal.rule_ids == ["A2.6"]
    # the sales manager decides for the salespeople who report to him
    office.zhao.supervisor = office.wang
    office.zhao.save(update_fields=["supervisor"])
    assert [i.kind for i in proposals_queue_for(office.wang)] == ["criticism"]
    proposal_decide(
        decider=office.wang,
        proposal_key=stored_proposal_key(proposal),
        outcome="approved",
        reason="属实，通报批评",
    )
    entry = DisciplineEntry.objects.get(employee=office.zhao)
    assert entry.kind == "criticism" and entry.rule_ids == ["A2.6"]
