"""The customer-report pages: receive, list, detail with verify and pay (A4 五.6)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import kehu.discipline
from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company
from kehu.discipline.models import CustomerReport, CustomerReportState
from kehu.discipline.reports_services import customer_report_verify

from .test_customer_reports_support import (
    ADDRESS,
    NAME,
    PAGES,
    PHONE,
    URLCONF,
    Team,
    as_staff,
    assert_no_secret,
    make_team,
    receive,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

TEMPLATES = Path(kehu.discipline.__file__).parent / "templates" / "discipline" / "reports"


@pytest.fixture
def team(cast: Any, east: Company, west: Company) -> Team:
    return make_team(cast, east, west)


def form_data(**extra: Any) -> dict[str, Any]:
    data = {
        "kind": "hazard",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "reporter_address": ADDRESS,
        "location": "幸福里小区5栋楼道",
        "description": "楼道燃气立管锈蚀，有气味",
    }
    data.update(extra)
    return data


class TestReceive:
    def test_hotline_receives_a_report_and_lands_on_its_page(self, team: Team) -> None:
        client = as_staff(team.hotline)
        form = client.get(f"{PAGES}new/")
        assert form.status_code == 200
        html = form.content.decode()
        assert "<html" in html and "受理客户举报" in html and 'name="reporter_phone"' in html
        response = client.post(f"{PAGES}new/", form_data())
        report = CustomerReport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{PAGES}{report.pk}/"
        page = client.get(response["Location"])
        assert "幸福里小区5栋楼道" in page.content.decode()
        assert_no_secret(page.content.decode(), "the page after receiving")
        assert report.received_by == team.hotline

    def test_errors_are_shown_in_chinese_on_the_form(self, team: Team) -> None:
        response = as_staff(team.hotline).post(f"{PAGES}new/", form_data(reporter_phone="12345"))
        assert response.status_code == 400
        assert "举报人联系电话格式不对" in response.content.decode()
        assert not CustomerReport.objects.exists()

    def test_posts_that_may_not_receive_are_refused_and_audited(self, team: Team) -> None:
        for staff in (team.salesperson, team.general_manager):
            client = as_staff(staff)
            assert client.get(f"{PAGES}new/").status_code == 403
            response = client.post(f"{PAGES}new/", form_data())
            assert response.status_code == 403
            assert "受理客户举报" in response.content.decode()
        assert not CustomerReport.objects.exists()
        assert (
            AuditEvent.objects.filter(
                action=AuditAction.PERMISSION_DENIED, object_type="customer_report"
            ).count()
            == 4
        )

    def test_identity_fields_are_hidden_from_error_reports(self, team: Team) -> None:
        # Django's error reports (mails, logs of a 500) mask sensitive POST parameters.
        from django.views.debug import SafeExceptionReporterFilter

        response = as_staff(team.hotline).post(f"{PAGES}new/", form_data())
        request = response.wsgi_request
        assert set(request.sensitive_post_parameters) == {  # type: ignore[attr-defined]
            "reporter_name",
            "reporter_phone",
            "reporter_address",
        }
        shown = SafeExceptionReporterFilter().get_post_parameters(request)
        assert_no_secret(str(dict(shown)), "an error report")


class TestList:
    def test_the_list_shows_kind_location_state_and_reward(self, team: Team) -> None:
        hazard = receive(team.hotline)
        customer_report_verify(
            staff=team.auditor, report_id=hazard.pk, verified=True, severity="serious"
        )
        receive(team.hotline, kind="theft")
        html = as_staff(team.auditor).get(PAGES).content.decode()
        assert "安全隐患举报" in html and "盗气举报" in html
        assert "已查实" in html and "2000.00" in html and "已受理，待核实" in html
        assert "幸福里小区9栋101室" in html
        filtered = as_staff(team.auditor).get(PAGES, {"kind": "theft"}).content.decode()
        assert "幸福里小区9栋101室" in filtered and "幸福里小区5栋楼道" not in filtered

    def test_the_list_query_count_does_not_grow_with_reports(self, team: Team) -> None:
        client = as_staff(team.auditor)
        receive(team.hotline)
        client.get(PAGES)
        with CaptureQueriesContext(connection) as few:
            client.get(PAGES)
        for _ in range(5):
            r = receive(team.hotline)
            customer_report_verify(
                staff=team.auditor, report_id=r.pk, verified=True, severity="minor"
            )
        with CaptureQueriesContext(connection) as many:
            client.get(PAGES)
        assert len(many) == len(few)
        assert all("reporter_identity" not in q["sql"] for q in many.captured_queries)

    def test_a_salesperson_has_no_report_pages(self, team: Team) -> None:
        receive(team.hotline)
        response = as_staff(team.salesperson).get(PAGES)
        assert response.status_code == 403
        assert "查看客户举报" in response.content.decode()

    def test_a_bad_filter_is_explained(self, team: Team) -> None:
        response = as_staff(team.auditor).get(PAGES, {"state": "lost"})
        assert response.status_code == 422
        assert "筛选条件" in response.content.decode()


class TestVerifyAndPay:
    def test_the_auditor_verifies_and_records_the_payment(self, team: Team) -> None:
        report = receive(team.hotline, kind="theft")
        client = as_staff(team.auditor)
        detail = client.get(f"{PAGES}{report.pk}/").content.decode()
        assert "保存核实结果" in detail and 'name="basis_amount"' in detail
        response = client.post(
            f"{PAGES}{report.pk}/verify/", {"verified": "1", "basis_amount": "12000", "note": ""}
        )
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.reward_amount == Decimal("600.00")
        detail = client.get(f"{PAGES}{report.pk}/").content.decode()
        assert "600.00" in detail and "A4 五.6.2" in detail and "5%" in detail
        assert "登记奖励发放" in detail
        response = client.post(f"{PAGES}{report.pk}/pay/", {"note": "银行转账，凭证 88"})
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.state == CustomerReportState.PAID
        detail = client.get(f"{PAGES}{report.pk}/").content.decode()
        assert "银行转账，凭证 88" in detail and "奖励已发放" in detail
        assert "保存核实结果" not in detail and "登记奖励发放" not in detail

    def test_verify_errors_stay_on_the_page_in_chinese(self, team: Team) -> None:
        report = receive(team.hotline)
        response = as_staff(team.auditor).post(f"{PAGES}{report.pk}/verify/", {"verified": "1"})
        assert response.status_code == 400
        assert "须选择隐患程度" in response.content.decode()
        response = as_staff(team.auditor).post(f"{PAGES}{report.pk}/verify/", {"verified": "0"})
        assert "未查实的举报须写明核实说明" in response.content.decode()
        report.refresh_from_db()
        assert report.state == CustomerReportState.RECEIVED

    def test_the_hotline_sees_the_report_but_cannot_verify(self, team: Team) -> None:
        report = receive(team.hotline)
        client = as_staff(team.hotline)
        assert "保存核实结果" not in client.get(f"{PAGES}{report.pk}/").content.decode()
        forged = client.post(f"{PAGES}{report.pk}/verify/", {"verified": "1", "severity": "minor"})
        assert forged.status_code == 403
        report.refresh_from_db()
        assert report.state == CustomerReportState.RECEIVED

    def test_an_outsider_cannot_verify(self, team: Team) -> None:
        report = receive(team.hotline)
        response = as_staff(team.outsider_manager).post(
            f"{PAGES}{report.pk}/verify/", {"verified": "1", "severity": "minor"}
        )
        assert response.status_code == 404


class TestTemplates:
    def test_every_page_extends_base_and_has_no_inline_script_or_style(self) -> None:
        for template in TEMPLATES.glob("*.html"):
            text = template.read_text()
            assert text.startswith('{% extends "base.html" %}'), template.name
            assert "<script" not in text and "style=" not in text and "<style" not in text
            assert not re.search(r"\bon[a-z]+=", text), template.name
