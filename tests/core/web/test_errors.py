"""Error pages in Chinese; every permission denial is written to the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.org.models import Staff

from .conftest import login_staff

# The test URLconf beside this file, whatever package name pytest gives this directory.
PROBE_URLS = __name__.rsplit(".", 1)[0] + ".urls_for_tests"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(PROBE_URLS)]


def test_403_is_chinese_and_audited(client: Client, li: Staff) -> None:
    # Given 李 the salesperson is logged in
    login_staff(client, li)
    # When a page refuses 李
    response = client.get("/test/forbidden/")
    # Then the page explains in Chinese, with the view's reason (and rule ID)
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html
    assert "只有销售经理可以查阅客户登记本（A1.2）" in html
    # And the refusal is in the audit trail, with who, where and why
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.outcome == AuditOutcome.DENIED
    assert event.actor == li.user
    assert event.company == li.company
    assert event.object_id == "/test/forbidden/"
    assert event.detail["reason"] == "只有销售经理可以查阅客户登记本（A1.2）"
    assert event.ip == "127.0.0.1"


def test_404_is_chinese(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_404_under_api_is_json(client: Client) -> None:
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_500_is_chinese_and_leaks_nothing() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/test/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html
    assert "hunter2" not in html and "Traceback" not in html


def test_expired_form_gets_a_chinese_csrf_page_and_is_audited(li: Staff) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": li.user.username, "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.detail["code"] == "csrf_failed"


def test_every_response_carries_a_strict_csp(client: Client) -> None:
    csp = client.get("/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
