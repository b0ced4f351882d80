"""``GET /api/v1/ledger/verify|heads`` and the ledger page: the caller's company only, and only
for staff holding ``ledger.verify_ledger``; a refusal is a 403 and an audit event."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post

from .conftest import Book, guards_down, set_payload_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def west_auditor(cast, west: Company) -> Staff:  # type: ignore[no-untyped-def]
    """A 稽查员 of 西湖燃气: may verify, but only 西湖燃气's ledger."""
    return cast.staff(west, "孙稽查", Post.AUDITOR)


def test_the_sales_manager_verifies_his_companys_ledger(
    client: Client, wang: Staff, west: Company, book: Book
) -> None:
    book(3)
    book(2, company=west)
    client.force_login(wang.user)
    response = client.get("/api/v1/ledger/verify")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["rule_ids"] == ["A1.2", "A7.21", "A4 四.五"]
    assert body["unguarded_tables"] == []
    assert [(s["company"], s["stream"], s["count"]) for s in body["streams"]] == [
        ("huadong", "registration_book", 3)
    ]
    assert body["streams"][0]["label_zh"] == "客户登记册"


def test_verify_names_the_first_bad_entry(client: Client, wang: Staff, book: Book) -> None:
    entries = book(3)
    with guards_down():
        set_payload_json(entries[1].pk, json.dumps({"customer": "别人"}))
    client.force_login(wang.user)
    body = client.get("/api/v1/ledger/verify").json()
    assert body["ok"] is False
    assert body["streams"][0]["finding"] == {
        "problem": "edited",
        "problem_zh": "被篡改",
        "seq": 2,
        "entry_id": entries[1].pk,
        "detail_zh": "序号 2 的内容与其哈希不符：记录被修改",
        "detail_en": "the content of seq 2 does not match its hash: the entry was edited",
    }


def test_heads_are_the_callers_companys_only(
    client: Client, west_auditor: Staff, east: Company, book: Book
) -> None:
    book(2)
    (theirs,) = book(1, company=west_auditor.company, stream="check_ledger")
    client.force_login(west_auditor.user)
    response = client.get("/api/v1/ledger/heads")
    assert response.status_code == 200
    assert [(h["company"], h["stream"], h["seq"], h["hash"]) for h in response.json()] == [
        ("xihu-gas", "check_ledger", 1, theirs.hash)
    ]
    body = client.get("/api/v1/ledger/verify").json()
    assert [s["company"] for s in body["streams"]] == ["xihu-gas"]


@pytest.mark.parametrize("path", ["/api/v1/ledger/verify", "/api/v1/ledger/heads"])
def test_a_salesperson_is_refused_and_the_refusal_is_audited(
    client: Client, li: Staff, book: Book, path: str
) -> None:
    book(1)
    client.force_login(li.user)
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ledger.permission_denied"
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert (event.actor, event.company, event.outcome) == (li.user, li.company, AuditOutcome.DENIED)
    assert event.object_type == "ledger"
    assert event.detail == {"permission": "ledger.verify_ledger"}


@pytest.mark.parametrize("path", ["/api/v1/ledger/verify", "/api/v1/ledger/heads"])
def test_an_anonymous_caller_is_refused(client: Client, path: str) -> None:
    assert client.get(path).status_code == 401


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_heads_and_verifies_on_request(
    client: Client, wang: Staff, book: Book
) -> None:
    entries = book(2)
    client.force_login(wang.user)
    page = client.get("/ledger/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "客户登记册" in text
    assert entries[1].hash in text
    assert "立即校验" in text
    result = client.post("/ledger/verify/")
    assert result.status_code == 200
    assert "账本完整" in result.content.decode()


def test_the_page_reports_tampering(client: Client, wang: Staff, book: Book) -> None:
    entries = book(3)
    with guards_down():
        set_payload_json(entries[0].pk, "{}")
    client.force_login(wang.user)
    text = client.post("/ledger/verify/").content.decode()
    assert "账本异常" in text
    assert "被篡改" in text
    assert f"id {entries[0].pk}" in text


def test_the_page_refuses_a_salesperson_and_audits_it(client: Client, li: Staff) -> None:
    client.force_login(li.user)
    assert client.get("/ledger/").status_code == 403
    assert client.post("/ledger/verify/").status_code == 403
    assert (
        AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=li.user).count() == 2
    )


def test_the_page_needs_a_login(client: Client) -> None:
    response = client.get("/ledger/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
