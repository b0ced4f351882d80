"""The customer-report API at /api/v1/discipline/customer-reports/ (A4 五.6)."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company

from .test_customer_reports_support import (
    ADDRESS,
    API,
    NAME,
    PHONE,
    URLCONF,
    Team,
    as_staff,
    make_team,
    receive,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]
JSON = "application/json"


@pytest.fixture
def team(cast: Any, east: Company, west: Company) -> Team:
    return make_team(cast, east, west)


def new_report(**extra: Any) -> dict[str, Any]:
    body = {
        "kind": "theft",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "reporter_address": ADDRESS,
        "location": "幸福里小区9栋101室",
        "description": "疑似绕表用气",
    }
    body.update(extra)
    return body


def test_receive_verify_pay_through_the_api(team: Team) -> None:
    # Given the hotline takes a theft report by phone
    created = as_staff(team.hotline).post(API, new_report(), content_type=JSON)
    assert created.status_code == 201
    body = created.json()
    report_id = body["id"]
    assert body["state"] == "received" and body["kind_label"] == "盗气举报"
    assert body["can_verify"] is False and body["can_reveal_identity"] is False
    assert body["history"][0]["label"] == "受理"

    # When the auditor verifies it with the recovered fees and records the payment
    auditor = as_staff(team.auditor)
    verified = auditor.post(
        f"{API}{report_id}/verify",
        {"verified": True, "basis_amount": "4321.10"},
        content_type=JSON,
    )
    assert verified.status_code == 200, verified.content
    body = verified.json()
    # Then 5% of 4321.10 rounds half up to 216.06, citing A4 五.6.2 and the policy
    assert body["reward_amount"] == "216.06"
    assert body["reward_rate"] == "0.0500"
    assert body["rule_ids"] == ["A4 五.6.2"] and body["policy_ref"] == "discipline@default"
    assert body["can_pay"] is True
    paid = auditor.post(f"{API}{report_id}/pay", {"note": "现金，凭证 C-3"}, content_type=JSON)
    assert paid.status_code == 200
    assert paid.json()["state"] == "paid"
    assert paid.json()["payment"]["note"] == "现金，凭证 C-3"


def test_list_is_paginated_and_filtered(team: Team) -> None:
    for _ in range(3):
        receive(team.hotline)
    receive(team.hotline, kind="theft")
    client = as_staff(team.manager)
    page = client.get(API, {"page_size": 2}).json()
    assert page["count"] == 4 and len(page["items"]) == 2 and page["page_size"] == 2
    thefts = client.get(API, {"kind": "theft"}).json()
    assert thefts["count"] == 1 and thefts["items"][0]["location"] == "幸福里小区9栋101室"
    assert set(thefts["items"][0]) == {
        "id",
        "kind",
        "kind_label",
        "location",
        "own_home",
        "state",
        "state_label",
        "severity",
        "reward_amount",
        "received_at",
    }
    bad = client.get(API, {"state": "lost"})
    assert bad.status_code == 422 and "筛选条件" in bad.json()["error"]["message"]


def test_errors_are_clear_in_chinese_and_english(team: Team) -> None:
    report = receive(team.hotline)
    client = as_staff(team.auditor)
    missing = client.post(f"{API}{report.pk}/verify", {"verified": True}, content_type=JSON)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "discipline.bad_input"
    assert "隐患程度" in missing.json()["error"]["message"]
    english = client.post(
        f"{API}{report.pk}/verify",
        {"verified": True},
        content_type=JSON,
        headers={"Accept-Language": "en"},
    )
    assert "severity" in english.json()["error"]["message"]
    client.post(
        f"{API}{report.pk}/verify", {"verified": True, "severity": "minor"}, content_type=JSON
    )
    again = client.post(
        f"{API}{report.pk}/verify", {"verified": False, "note": "x"}, content_type=JSON
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "discipline.bad_transition"
    bad_phone = as_staff(team.hotline).post(
        API, new_report(reporter_phone="555"), content_type=JSON
    )
    assert bad_phone.status_code == 422
    assert bad_phone.json()["error"]["details"] == {"field": "reporter_phone"}


def test_permissions_are_refused_once_and_audited(team: Team) -> None:
    report = receive(team.hotline)
    refused = as_staff(team.salesperson).post(API, new_report(), content_type=JSON)
    assert refused.status_code == 403
    assert "受理客户举报" in refused.json()["error"]["message"]
    assert as_staff(team.salesperson).get(API).status_code == 403
    no_verify = as_staff(team.hotline).post(
        f"{API}{report.pk}/verify", {"verified": True, "severity": "minor"}, content_type=JSON
    )
    assert no_verify.status_code == 403
    denied = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
    assert denied.count() == 3  # one event per refusal, not two
    assert all(e.object_type == "customer_report" for e in denied)


def test_an_outsider_sees_nothing_of_another_companys_reports(team: Team) -> None:
    report = receive(team.hotline)
    client = as_staff(team.outsider_manager)
    assert client.get(API).json()["count"] == 0
    for method, url, body in (
        ("get", f"{API}{report.pk}", None),
        ("post", f"{API}{report.pk}/verify", {"verified": True, "severity": "minor"}),
        ("post", f"{API}{report.pk}/pay", {"note": "x"}),
        ("post", f"{API}{report.pk}/reveal-identity", None),
    ):
        response = getattr(client, method)(url, body, content_type=JSON)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "discipline.not_found"


def test_anonymous_callers_are_asked_to_log_in(team: Team) -> None:
    from django.test import Client

    assert Client().get(API).status_code == 401
