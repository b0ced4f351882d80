"""The API shell: who is calling (request.auth is the Staff), one error format, pagination."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.org.models import ApiToken, Staff
from kehu.core.org.services import api_token_issue, api_token_revoke
from kehu.core.web.api_support import KehuPagination, PageParams

from .conftest import login_staff

# The test URLconf beside this file, whatever package name pytest gives this directory.
PROBE_URLS = __name__.rsplit(".", 1)[0] + ".urls_for_tests"

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]


# --- authentication -------------------------------------------------------------------------


def test_unauthenticated_call_gets_401_in_the_error_format(client: Client) -> None:
    response = client.get("/api/v1/me")
    error = assert_error(response, 401, "auth.required")
    assert "请先登录" in error["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_error_message_follows_accept_language(client: Client) -> None:
    response = client.get("/api/v1/me", headers={"accept-language": "en"})
    error = assert_error(response, 401, "auth.required")
    assert error["message"].startswith("Log in first")


def test_error_message_follows_the_language_switch(client: Client, li: Staff) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    error = assert_error(client.get("/api/v1/me"), 401, "auth.required")
    assert error["message"].startswith("Log in first")


def test_session_auth_makes_request_auth_the_staff(client: Client, li: Staff) -> None:
    login_staff(client, li)
    body = client.get("/api/v1/me").json()
    assert body["name"] == "李明"
    assert body["post"] == "salesperson" and body["post_label"] == "售楼员"
    assert body["company"] == {"code": "huadong", "name": "华东置业", "kind": "real_estate"}
    assert "customers.view_customer" in body["permissions"]


def test_me_in_english(client: Client, li: Staff) -> None:
    login_staff(client, li)
    body = client.get("/api/v1/me", headers={"accept-language": "en"}).json()
    assert body["post_label"] == "Salesperson"


def test_token_auth_works_and_records_last_use(client: Client, chen: Staff) -> None:
    issued = api_token_issue(staff=chen, name="报表脚本")
    response = client.get("/api/v1/me", headers=bearer(issued.key))
    assert response.status_code == 200
    assert response.json()["name"] == "陈小"
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_revoked_token_fails(client: Client, chen: Staff) -> None:
    issued = api_token_issue(staff=chen, name="报表脚本")
    api_token_revoke(staff=chen, token_id=issued.token.pk)
    assert_error(client.get("/api/v1/me", headers=bearer(issued.key)), 401, "auth.invalid_token")


def test_unknown_token_fails_even_with_a_session(client: Client, li: Staff) -> None:
    # A wrong token is an error, not a reason to fall back to the browser session.
    login_staff(client, li)
    response = client.get("/api/v1/me", headers=bearer("kehu_not-a-real-token"))
    assert_error(response, 401, "auth.invalid_token")


def test_token_of_a_departed_staff_member_fails(client: Client, chen: Staff) -> None:
    issued = api_token_issue(staff=chen, name="报表脚本")
    Staff.objects.filter(pk=chen.pk).update(active=False)
    assert_error(client.get("/api/v1/me", headers=bearer(issued.key)), 401, "auth.invalid_token")


def test_token_of_a_deactivated_login_fails(client: Client, chen: Staff) -> None:
    issued = api_token_issue(staff=chen, name="报表脚本")
    get_user_model().objects.filter(pk=chen.user_id).update(is_active=False)
    assert_error(client.get("/api/v1/me", headers=bearer(issued.key)), 401, "auth.invalid_token")


def test_a_token_call_reads_its_caller_once_and_records_the_use_once(
    client: Client, chen: Staff
) -> None:
    issued = api_token_issue(staff=chen, name="报表脚本")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me", headers=bearer(issued.key)).status_code == 200
    staff_reads = [q for q in queries if q["sql"].startswith('SELECT m."id"')]
    token_writes = [q for q in queries if q["sql"].startswith('UPDATE "org_apitoken"')]
    assert len(staff_reads) == len(token_writes) == 1
    assert len(queries) == 3  # the caller, the last use, the permissions


def test_login_without_staff_gets_403_and_is_audited(client: Client) -> None:
    user = get_user_model().objects.create_user("bare", password="kehu-bare-pass-2026")
    client.force_login(user)
    assert_error(client.get("/api/v1/me"), 403, "auth.no_staff")
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.actor == user and event.outcome == AuditOutcome.DENIED
    assert event.detail["code"] == "auth.no_staff"


# --- tokens ---------------------------------------------------------------------------------


def test_issue_a_token_from_the_browser_session(li: Staff) -> None:
    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/login/")
    csrf = login_page.cookies["csrftoken"].value
    client.post(
        "/login/",
        {
            "username": li.user.username,
            "password": "kehu-test-pass-2026",
            "csrfmiddlewaretoken": csrf,
        },
    )
    csrf = client.cookies["csrftoken"].value
    # Given a logged-in browser session, when it asks for a token (with the CSRF header)
    response = client.post(
        "/api/v1/tokens",
        {"name": "报表脚本"},
        content_type="application/json",
        headers={"x-csrftoken": csrf},
    )
    # Then the key is shown once, and only its hash is stored
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"].startswith("kehu_") and body["name"] == "报表脚本"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == ApiToken.hash_key(body["key"]) and body["key"] not in token.key_hash
    # And the issue is audited
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert event.actor == li.user and event.object_id == str(token.pk)
    assert body["key"] not in str(event.detail)
    # And the new key works
    fresh = Client()
    assert fresh.get("/api/v1/me", headers=bearer(body["key"])).json()["name"] == "李明"


def test_session_post_without_csrf_token_is_refused(li: Staff) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(li.user)
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1


def test_a_token_cannot_mint_tokens(client: Client, chen: Staff) -> None:
    issued = api_token_issue(staff=chen, name="脚本")
    response = client.post(
        "/api/v1/tokens",
        {"name": "more"},
        content_type="application/json",
        headers=bearer(issued.key),
    )
    assert_error(response, 401, "auth.required")
    assert ApiToken.objects.count() == 1


def test_list_own_tokens_is_paginated(client: Client, li: Staff, zhao: Staff) -> None:
    for i in range(3):
        api_token_issue(staff=li, name=f"脚本{i}")
    api_token_issue(staff=zhao, name="赵的脚本")
    login_staff(client, li)
    body = client.get("/api/v1/tokens?page=1&page_size=2").json()
    assert body["count"] == 3 and body["page"] == 1 and body["page_size"] == 2
    assert [t["name"] for t in body["items"]] == ["脚本2", "脚本1"]
    assert "key" not in body["items"][0] and "key_hash" not in body["items"][0]
    body = client.get("/api/v1/tokens?page=2&page_size=2").json()
    assert [t["name"] for t in body["items"]] == ["脚本0"]


def test_revoke_own_token_but_not_someone_elses(client: Client, li: Staff, zhao: Staff) -> None:
    mine = api_token_issue(staff=li, name="mine")
    theirs = api_token_issue(staff=zhao, name="theirs")
    # 李 revokes with the token itself (a leaked token can be shut out by whoever holds it)
    response = client.delete(f"/api/v1/tokens/{mine.token.pk}", headers=bearer(mine.key))
    assert response.status_code == 200 and response.json()["revoked_at"] is not None
    # 赵's token is "not found" for 李: outsiders cannot even learn it exists
    login_staff(client, li)
    assert_error(client.delete(f"/api/v1/tokens/{theirs.token.pk}"), 404, "org.token_not_found")
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


# --- the error format, on a probe API (tests/core/web/urls_for_tests.py) --------------------


@pytest.mark.urls(PROBE_URLS)
def test_validation_error_lists_the_fields(client: Client, li: Staff) -> None:
    login_staff(client, li)
    response = client.post("/api/probe/echo", {"amount": "many"}, content_type="application/json")
    error = assert_error(response, 422, "validation_error")
    assert "请求数据有误" in error["message"]
    fields = {d["field"]: d for d in error["details"]}
    assert set(fields) == {"name", "amount"}
    assert fields["name"]["location"] == "body" and fields["name"]["type"] == "missing"
    assert fields["amount"]["type"] == "int_parsing"


@pytest.mark.urls(PROBE_URLS)
def test_kehu_error_keeps_its_code_status_and_details(client: Client, li: Staff) -> None:
    login_staff(client, li)
    error = assert_error(client.get("/api/probe/kehu-error"), 409, "probe.year_not_covered")
    assert error["message"] == "2031 年的工作日历尚未维护。"
    assert error["details"] == {"year": 2031}
    error = assert_error(
        client.get("/api/probe/kehu-error", headers={"accept-language": "en"}),
        409,
        "probe.year_not_covered",
    )
    assert error["message"] == "The working calendar does not cover 2031 yet."


@pytest.mark.urls(PROBE_URLS)
def test_unexpected_error_is_500_without_a_traceback(client: Client, li: Staff) -> None:
    login_staff(client, li)
    response = client.get("/api/probe/boom")
    assert_error(response, 500, "server_error")
    assert b"hunter2" not in response.content and b"Traceback" not in response.content


@pytest.mark.urls(PROBE_URLS)
def test_missing_permission_is_403_and_audited(client: Client, li: Staff) -> None:
    # 售楼员 has no customers.view_all_customers
    login_staff(client, li)
    error = assert_error(client.get("/api/probe/needs-perm"), 403, "permission_denied")
    assert error["details"] == {"permission": "customers.view_all_customers"}
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.actor == li.user and event.object_id == "/api/probe/needs-perm"


@pytest.mark.urls(PROBE_URLS)
def test_django_permission_denied_in_an_endpoint_is_403_and_audited(
    client: Client, chen: Staff
) -> None:
    issued = api_token_issue(staff=chen, name="脚本")
    assert_error(
        client.get("/api/probe/forbidden", headers=bearer(issued.key)), 403, "permission_denied"
    )
    # With a token, the audit names the token's owner.
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.actor == chen.user


# --- OpenAPI and docs ---------------------------------------------------------------------


def test_openapi_schema_is_served_with_both_auth_schemes(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "kehu API"
    assert "/api/v1/me" in schema["paths"] and "/api/v1/tokens" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    # the paginated list documents items/count/page/page_size
    listing = schema["paths"]["/api/v1/tokens"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"page", "page_size"}


def test_docs_page_uses_local_files_only(client: Client) -> None:
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# --- pagination as a property ----------------------------------------------------------------


@given(total=st.integers(0, 120), page_size=st.integers(1, 100))
def test_pages_cover_every_item_exactly_once(total: int, page_size: int) -> None:
    paginator = KehuPagination()
    items = list(range(total))
    seen: list[int] = []
    page = 1
    while True:
        result = paginator.paginate_queryset(
            items,  # type: ignore[arg-type]
            PageParams(page=page, page_size=page_size),
            request=None,  # type: ignore[arg-type]
        )
        assert result["count"] == total
        if not result["items"]:
            break
        seen.extend(result["items"])
        page += 1
    assert seen == items
    assert page - 1 == -(-total // page_size)


def test_page_size_over_the_limit_is_a_validation_error(client: Client, li: Staff) -> None:
    login_staff(client, li)
    error = assert_error(client.get("/api/v1/tokens?page_size=101"), 422, "validation_error")
    assert error["details"][0]["field"].endswith("page_size")


def test_token_created_at_is_aware_utc(li: Staff) -> None:
    issued = api_token_issue(staff=li, name="x")
    assert timezone.is_aware(issued.token.created_at)
