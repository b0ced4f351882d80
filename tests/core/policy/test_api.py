"""The policy API at /api/v1/policy/: read, create, compare — always the caller's company."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company, Staff
from kehu.core.policy.models import PolicyVersion
from kehu.core.policy.services import policy_version_create

from .support import as_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]

BASE = "/api/v1/policy"


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def east_v1(liu: Staff) -> PolicyVersion:
    return policy_version_create(
        staff=liu,
        key="customers",
        values={"follow_up_days": 10},
        effective_from=date(2026, 3, 15),
        note="销售例会决定",
    )


def test_schemas_are_listed_with_their_json_schema_and_the_callers_profile(wang: Staff) -> None:
    response = as_staff(wang).get(f"{BASE}/schemas")
    assert response.status_code == 200
    by_key = {item["key"]: item for item in response.json()}
    customers = by_key["customers"]
    assert customers["title_zh"] == "客户跟进"
    assert customers["definition"]["properties"]["follow_up_days"]["rule_ids"] == ["A1.4"]
    assert customers["profile_overrides"] == {}


def test_values_in_force_now_and_at_a_given_moment(wang: Staff, east_v1: PolicyVersion) -> None:
    client = as_staff(wang)
    now = client.get(f"{BASE}/customers").json()
    assert (now["values"]["follow_up_days"], now["ref"], now["source"]) == (
        7,
        "customers@default",
        "default",
    )
    later = client.get(f"{BASE}/customers", {"at": "2026-03-15T00:00:00+08:00"}).json()
    assert (later["values"]["follow_up_days"], later["version_id"]) == (10, east_v1.pk)
    just_before = client.get(f"{BASE}/customers", {"at": "2026-03-14T23:59:59"}).json()
    assert just_before["version"] == 0  # a time without zone is read as Shanghai time


def test_a_manager_creates_a_version_through_the_api(liu: Staff) -> None:
    response = post_json(
        as_staff(liu),
        f"{BASE}/customers/versions",
        {"values": {"follow_up_days": 9}, "effective_from": "2026-03-20", "note": "季度调整"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["ref"], body["values"]["follow_up_days"]) == (
        1,
        "customers@v1",
        9,
    )
    assert body["effective_from"].startswith("2026-03-20T00:00:00+08:00") or body[
        "effective_from"
    ].startswith("2026-03-19T16:00:00")
    assert body["created_by"] == "刘总"


def test_an_utc_datetime_start_keeps_its_zone(liu: Staff) -> None:
    response = post_json(
        as_staff(liu),
        f"{BASE}/customers/versions",
        {"values": {"follow_up_days": 9}, "effective_from": "2026-03-20T00:00:00Z", "note": "x"},
    )
    assert response.status_code == 201
    row = PolicyVersion.objects.get()
    assert row.effective_from.isoformat() == "2026-03-20T00:00:00+00:00"


def test_invalid_values_get_a_400_with_the_chinese_message(liu: Staff) -> None:
    response = post_json(
        as_staff(liu),
        f"{BASE}/customers/versions",
        {"values": {"follow_up_days": "很多"}, "effective_from": "2026-03-20", "note": "x"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "policy.invalid_values"
    assert "「未跟进提醒天数」必须是整数" in error["message"]
    assert error["details"][0]["field"] == "follow_up_days"


def test_the_english_message_for_english_callers(liu: Staff) -> None:
    client = as_staff(liu)
    response = client.post(
        f"{BASE}/customers/versions",
        data=json.dumps(
            {"values": {"follow_up_days": 0}, "effective_from": "2026-03-20", "note": "x"}
        ),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert (
        "“Days without follow-up before a reminder” must be at least 1"
        in response.json()["error"]["message"]
    )


def test_a_sales_manager_may_read_but_not_create_and_the_refusal_is_audited(wang: Staff) -> None:
    response = post_json(
        as_staff(wang),
        f"{BASE}/customers/versions",
        {"values": {"follow_up_days": 9}, "effective_from": "2026-03-20", "note": "x"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "policy.permission_denied"
    assert (
        AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=wang.user).count()
        == 1
    )
    assert not PolicyVersion.objects.exists()


def test_a_salesperson_cannot_read_policies_and_the_refusal_is_audited(li: Staff) -> None:
    response = as_staff(li).get(f"{BASE}/customers")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.detail["permission"] == "policy.view_policyversion"


def test_versions_and_compare(liu: Staff, east_v1: PolicyVersion) -> None:
    client = as_staff(liu)
    post_json(
        client,
        f"{BASE}/customers/versions",
        {"values": {"phone_mask": False}, "effective_from": "2026-03-16", "note": "内网"},
    )
    versions = client.get(f"{BASE}/customers/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    changes = client.get(f"{BASE}/customers/compare", {"a": 1, "b": 2}).json()
    assert changes == [
        {
            "field": "phone_mask",
            "title": "隐藏客户电话中间四位",
            "title_en": "Mask the middle of customers' phone numbers",
            "old": True,
            "new": False,
        }
    ]


def test_an_unknown_key_is_404(wang: Staff) -> None:
    response = as_staff(wang).get(f"{BASE}/nonsense")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "policy.unknown_key"


class TestOutsiders:
    """西湖燃气's people never see or change 华东置业's versions."""

    def test_west_cannot_read_an_east_version_by_id(
        self, zhou: Staff, east_v1: PolicyVersion
    ) -> None:
        response = as_staff(zhou).get(f"{BASE}/versions/{east_v1.pk}")
        assert response.status_code == 404
        assert "销售例会决定" not in response.content.decode()

    def test_west_sees_only_its_own_versions_and_values(
        self, zhou: Staff, east_v1: PolicyVersion
    ) -> None:
        client = as_staff(zhou)
        assert client.get(f"{BASE}/customers/versions").json() == []
        at_start = client.get(f"{BASE}/customers", {"at": "2026-03-16T00:00:00+08:00"}).json()
        assert at_start["values"]["follow_up_days"] == 7 and at_start["version_id"] is None
        assert client.get(f"{BASE}/customers/compare", {"a": 0, "b": 1}).status_code == 404

    def test_west_creating_a_version_changes_only_west(
        self, zhou: Staff, east: Company, east_v1: PolicyVersion
    ) -> None:
        response = post_json(
            as_staff(zhou),
            f"{BASE}/customers/versions",
            {
                "values": {"follow_up_days": 3},
                "effective_from": "2026-03-12",
                "note": "燃气公司",
                "company": east.pk,
            },
        )
        assert response.status_code == 201
        row = PolicyVersion.objects.get(pk=response.json()["id"])
        assert row.company == zhou.company and row.version == 1
        assert list(PolicyVersion.objects.filter(company=east)) == [east_v1]

    def test_east_can_read_its_version_by_id(self, wang: Staff, east_v1: PolicyVersion) -> None:
        response = as_staff(wang).get(f"{BASE}/versions/{east_v1.pk}")
        assert response.status_code == 200
        assert response.json()["note"] == "销售例会决定"


@pytest.mark.parametrize("start", ["abc", "2026-13-45", "", "2026-03-20T25:00"])
def test_an_unreadable_start_is_a_422(liu: Staff, start: str) -> None:
    response = post_json(
        as_staff(liu),
        f"{BASE}/customers/versions",
        {"values": {"follow_up_days": 9}, "effective_from": start, "note": "x"},
    )
    assert response.status_code == 422, response.content
    assert not PolicyVersion.objects.exists()
