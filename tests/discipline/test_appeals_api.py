"""The appeals API at /api/v1/discipline/appeals/ (A4 四.七): lists, detail, multipart filing,
actions, errors in the one format, and "not found" for anyone who may not see an appeal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kehu.core.org.models import Staff
from kehu.discipline.models import Appeal, DisciplineEntry

from .test_appeals_support import (  # noqa: F401  (the *_fixture names register fixtures)
    Org,
    appeal_urls_fixture,
    criticism,
    frozen_fixture,
    media_fixture,
    org_fixture,
    pdf,
)

pytestmark = pytest.mark.usefixtures("frozen", "appeal_urls")

BASE = "/api/v1/discipline/appeals"


def as_(client: Client, staff: Staff) -> Client:
    client.force_login(staff.user)
    return client


def file_via_api(client: Client, org: Org, entry: DisciplineEntry, **extra: Any) -> Any:
    data = {"entry": entry.pk, "statement": "资料已交前台", **extra}
    return as_(client, org.li).post(f"{BASE}/", data)


def act(client: Client, staff: Staff, appeal_id: int, action: str, **body: str) -> Any:
    return as_(client, staff).post(
        f"{BASE}/{appeal_id}/{action}", body, content_type="application/json"
    )


def test_the_whole_flow_over_the_api(org: Org, client: Client) -> None:
    entry = criticism(org)
    # 李 files with a file (multipart)
    response = file_via_api(client, org, entry, evidence_text="前台签收记录", files=[pdf()])
    assert response.status_code == 201, response.content
    body = response.json()
    appeal_id = body["id"]
    assert body["state"] == "supervisor_review" and body["handler"]["name"] == "杨经理"
    assert body["actions"] == ["add_evidence", "withdraw"] and body["level"] == 1
    assert body["due_at"].startswith("2026-11-09T15:59:59")  # 23:59:59 in Shanghai, as UTC
    [text, file] = body["evidence"]
    assert text["text"] == "前台签收记录" and file["file_name"] == "考勤记录.pdf"
    assert file["download_url"] == f"{BASE}/{appeal_id}/evidence/{file['id']}/file"
    assert as_(client, org.li).get(file["download_url"]).status_code == 200

    # the lists
    mine = as_(client, org.li).get(f"{BASE}/mine").json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == appeal_id
    queue = as_(client, org.yang).get(f"{BASE}/queue").json()
    assert [item["id"] for item in queue["items"]] == [appeal_id]
    assert queue["items"][0]["due"] == "ok"

    # reject, escalate, HR findings (multipart), uphold
    assert act(client, org.yang, appeal_id, "reject", reason="无签名").json()["state"] == "rejected"
    body = act(client, org.li, appeal_id, "escalate", reason="前台可作证").json()
    assert body["state"] == "escalated" and body["handler"]["name"] == "王经理"
    response = as_(client, org.hr).post(
        f"{BASE}/{appeal_id}/findings", {"findings": "前台确认收到", "files": [pdf("笔录.pdf")]}
    )
    assert response.status_code == 200, response.content
    body = act(client, org.wang, appeal_id, "uphold", reason="属实").json()
    assert body["state"] == "upheld" and body["reversal_entry_id"] is not None
    assert [event["action"] for event in body["events"]] == [
        "submit",
        "reject",
        "escalate",
        "hr_findings",
        "uphold",
    ]
    reversal = DisciplineEntry.objects.get(pk=body["reversal_entry_id"])
    assert reversal.refs == [entry.pk]


def test_errors_come_in_the_one_format_with_the_code(org: Org, client: Client) -> None:
    entry = criticism(org)
    response = file_via_api(client, org, entry, evidence_text="")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "discipline.evidence_required" and "事实依据" in error["message"]
    # in English when asked
    response = as_(client, org.li).post(
        f"{BASE}/",
        {"entry": entry.pk, "statement": "x"},
        headers={"accept-language": "en"},
    )
    assert "factual evidence" in response.json()["error"]["message"]


def test_a_file_of_the_wrong_type_is_refused(org: Org, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = file_via_api(client, org, criticism(org), files=[SimpleUploadedFile("a.exe", b"MZ")])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "discipline.bad_input"


def test_only_the_handler_decides_over_the_api(org: Org, client: Client) -> None:
    appeal_id = file_via_api(client, org, criticism(org), evidence_text="e").json()["id"]
    response = act(client, org.li, appeal_id, "uphold", reason="我自己认定成立")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "discipline.permission_denied"
    response = act(client, org.yang, appeal_id, "escalate", reason="x")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "discipline.bad_transition"


@pytest.mark.parametrize("who", ["zhao", "chen"])
def test_an_outsider_gets_not_found_everywhere(org: Org, client: Client, who: str) -> None:
    appeal_id = file_via_api(client, org, criticism(org), evidence_text="e").json()["id"]
    outsider = getattr(org, who)
    assert as_(client, outsider).get(f"{BASE}/{appeal_id}").status_code == 404
    for action in ("uphold", "reject", "escalate", "withdraw"):
        response = act(client, outsider, appeal_id, action, reason="x", note="x")
        assert response.status_code == 404
    assert as_(client, outsider).get(f"{BASE}/mine").json()["count"] == 0
    assert as_(client, outsider).get(f"{BASE}/queue").json()["count"] == 0
    assert Appeal.objects.get(pk=appeal_id).state == "supervisor_review"


def test_overdue_appeals_need_the_company_wide_view(org: Org, client: Client) -> None:
    import datetime as dt

    import time_machine

    appeal_id = file_via_api(client, org, criticism(org), evidence_text="e").json()["id"]
    assert as_(client, org.li).get(f"{BASE}/overdue").status_code == 403
    with time_machine.travel(dt.datetime(2026, 11, 10, 1, 0, tzinfo=dt.UTC), tick=False):
        body = as_(client, org.hr).get(f"{BASE}/overdue").json()
    assert [item["id"] for item in body["items"]] == [appeal_id]
    assert body["items"][0]["due"] == "overdue"


def test_withdraw_over_the_api(org: Org, client: Client) -> None:
    appeal_id = file_via_api(client, org, criticism(org), evidence_text="e").json()["id"]
    body = act(client, org.li, appeal_id, "withdraw", note="已与主管沟通").json()
    assert body["state"] == "withdrawn" and body["actions"] == []


def test_the_api_needs_authentication(client: Client, org: Org) -> None:
    assert client.get(f"{BASE}/mine").status_code == 401
