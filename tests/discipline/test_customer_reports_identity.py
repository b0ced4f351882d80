"""The reporter's identity is kept strictly confidential (A4 五.6.2).

Only 经理 and 总经理 of the report's company see it, through an explicit audited action; it is
absent from the database in clear, the ledger, lists, details, exports, API responses, the
admin, logs and reprs. Each surface has its test here.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.customers.crypto import FieldDecryptionError, decrypt_field
from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.models import Company, Staff
from kehu.discipline.errors import DisciplineError
from kehu.discipline.models import CustomerReport
from kehu.discipline.reports_services import (
    EXPORT_COLUMNS,
    PURPOSE_REPORTER_IDENTITY,
    ReportAccessDenied,
    customer_report_identity_reveal,
    customer_report_pay,
    customer_report_verify,
    customer_reports_export,
)

from .test_customer_reports_support import (
    ADDRESS,
    API,
    NAME,
    PAGES,
    PHONE,
    URLCONF,
    Team,
    as_staff,
    assert_no_secret,
    make_team,
    receive,
    test_api,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]


@pytest.fixture
def team(cast: Any, east: Company, west: Company) -> Team:
    return make_team(cast, east, west)


@pytest.fixture
def report(team: Team) -> CustomerReport:
    """A theft report, verified and paid, so every surface has something to show."""
    report = receive(team.hotline, kind="theft")
    customer_report_verify(
        staff=team.auditor, report_id=report.pk, verified=True, basis_amount="6000"
    )
    customer_report_pay(staff=team.auditor, report_id=report.pk, note="现金发放，凭证 A-17")
    return CustomerReport.objects.get(pk=report.pk)


def reveals(report: CustomerReport) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.FIELD_REVEAL, object_type="customer_report", object_id=report.pk
        )
    )


def denials(report_id: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.PERMISSION_DENIED,
            object_type="customer_report",
            object_id=str(report_id),
        )
    )


# --- at rest ---------------------------------------------------------------------------------


class TestAtRest:
    def test_the_raw_column_holds_ciphertext_only(self, report: CustomerReport) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reporter_identity FROM discipline_customerreport WHERE id = %s",
                [report.pk],
            )
            (raw,) = cursor.fetchone()
        assert_no_secret(raw, "the database column")
        assert raw.startswith("gAAAA")  # a Fernet token
        # It is the identity, under its own key: another field's key cannot read it.
        assert json.loads(decrypt_field(raw, purpose=PURPOSE_REPORTER_IDENTITY)) == {
            "name": NAME,
            "phone": PHONE,
            "address": ADDRESS,
        }
        with pytest.raises(FieldDecryptionError):
            decrypt_field(raw, purpose="customers.id_number")

    def test_the_clear_identity_never_reaches_sql(self, team: Team) -> None:
        with CaptureQueriesContext(connection) as queries:
            receive(team.hotline)
        assert_no_secret(" ".join(q["sql"] for q in queries.captured_queries), "SQL")

    def test_the_ledger_holds_a_fingerprint_not_the_identity(self, report: CustomerReport) -> None:
        rows = LedgerEntry.objects.filter(stream="customer_reports", subject_id=str(report.pk))
        assert rows.count() == 3
        for row in rows:
            assert_no_secret(json.dumps(row.payload, ensure_ascii=False), f"ledger {row.kind}")
            assert "reporter" not in json.dumps(row.payload)
        received = rows.get(kind="customer_report.received")
        token = report.reporter_identity
        assert received.payload["identity_sha256"] == hashlib.sha256(token.encode()).hexdigest()


class TestReprAndLogs:
    def test_str_and_repr_of_a_report(self, report: CustomerReport) -> None:
        assert_no_secret(str(report), "str")
        assert_no_secret(repr(report), "repr")

    def test_a_revealed_identity_does_not_print_itself(
        self, team: Team, report: CustomerReport
    ) -> None:
        identity = customer_report_identity_reveal(staff=team.manager, report_id=report.pk)
        assert identity.name == NAME
        assert_no_secret(repr(identity), "repr")
        assert_no_secret(str(identity), "str")

    def test_nothing_is_logged_with_the_identity(
        self, team: Team, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.DEBUG):
            report = receive(team.hotline)
            customer_report_verify(
                staff=team.auditor, report_id=report.pk, verified=True, severity="minor"
            )
            customer_report_identity_reveal(staff=team.manager, report_id=report.pk)
            as_staff(team.manager).post(f"{PAGES}{report.pk}/reveal-identity/")
            as_staff(team.auditor).post(f"{API}{report.pk}/reveal-identity")
        assert_no_secret(caplog.text, "logs")


# --- the one way to see it -------------------------------------------------------------------


class TestReveal:
    @pytest.mark.parametrize("who", ["manager", "general_manager"])
    def test_manager_and_general_manager_see_it_and_each_view_is_audited(
        self, team: Team, report: CustomerReport, who: str
    ) -> None:
        staff: Staff = getattr(team, who)
        identity = customer_report_identity_reveal(staff=staff, report_id=report.pk)
        assert identity.as_dict() == {"name": NAME, "phone": PHONE, "address": ADDRESS}
        customer_report_identity_reveal(staff=staff, report_id=report.pk)
        events = reveals(report)
        assert len(events) == 2
        assert {e.actor_id for e in events} == {staff.user_id}
        assert events[0].detail["field"] == "reporter_identity"
        assert events[0].outcome == AuditOutcome.SUCCESS
        assert events[0].company_id == report.company_id
        assert_no_secret(json.dumps(events[0].detail, ensure_ascii=False), "audit detail")

    def test_no_audit_event_no_identity(
        self, team: Team, report: CustomerReport, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # If the audit event cannot be written, the identity is not handed out.
        def broken(**_: Any) -> None:
            raise RuntimeError("audit store unavailable")

        monkeypatch.setattr("kehu.discipline.reports_services.audit_record", broken)
        with pytest.raises(RuntimeError):
            customer_report_identity_reveal(staff=team.manager, report_id=report.pk)

    @pytest.mark.parametrize("who", ["hotline", "auditor", "deputy", "salesperson"])
    def test_other_posts_are_refused_and_the_attempt_is_audited(
        self, team: Team, report: CustomerReport, who: str
    ) -> None:
        staff: Staff = getattr(team, who)
        with pytest.raises(ReportAccessDenied) as refused:
            customer_report_identity_reveal(staff=staff, report_id=report.pk)
        assert "查看举报人身份" in refused.value.message_zh
        assert "已记录" in refused.value.message_zh
        assert refused.value.status == 403
        (event,) = denials(report.pk)
        assert event.actor_id == staff.user_id and event.outcome == AuditOutcome.DENIED
        assert event.detail["field"] == "reporter_identity"
        assert event.detail["permission"] == "discipline.view_reporter_identity"
        assert reveals(report) == []

    def test_a_manager_of_another_company_gets_not_found_and_is_audited(
        self, team: Team, report: CustomerReport
    ) -> None:
        with pytest.raises(DisciplineError) as hidden:
            customer_report_identity_reveal(staff=team.outsider_manager, report_id=report.pk)
        assert hidden.value.status == 404
        (event,) = denials(report.pk)
        assert event.actor_id == team.outsider_manager.user_id
        assert reveals(report) == []


# --- the web pages ---------------------------------------------------------------------------


class TestPages:
    @pytest.mark.parametrize("who", ["hotline", "auditor", "deputy", "manager", "general_manager"])
    def test_list_and_detail_never_show_it(
        self, team: Team, report: CustomerReport, who: str
    ) -> None:
        client = as_staff(getattr(team, who))
        for url in (PAGES, f"{PAGES}?kind=theft", f"{PAGES}{report.pk}/"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_no_secret(response.content.decode(), url)

    def test_the_reveal_button_is_offered_only_to_manager_and_general_manager(
        self, team: Team, report: CustomerReport
    ) -> None:
        action = f'action="{PAGES}{report.pk}/reveal-identity/"'
        for staff in (team.manager, team.general_manager):
            html = as_staff(staff).get(f"{PAGES}{report.pk}/").content.decode()
            assert action in html and "查看举报人身份" in html
        for staff in (team.hotline, team.auditor, team.deputy):
            html = as_staff(staff).get(f"{PAGES}{report.pk}/").content.decode()
            assert action not in html and "身份保密" in html

    def test_the_reveal_action_shows_it_audited_and_uncached(
        self, team: Team, report: CustomerReport
    ) -> None:
        response = as_staff(team.manager).post(f"{PAGES}{report.pk}/reveal-identity/")
        assert response.status_code == 200
        html = response.content.decode()
        assert NAME in html and PHONE in html and ADDRESS in html
        assert "no-store" in response["Cache-Control"]
        assert len(reveals(report)) == 1

    def test_the_reveal_action_is_post_only(self, team: Team, report: CustomerReport) -> None:
        response = as_staff(team.manager).get(f"{PAGES}{report.pk}/reveal-identity/")
        assert response.status_code == 405
        assert reveals(report) == []

    def test_a_forged_reveal_by_another_post_is_refused_and_audited(
        self, team: Team, report: CustomerReport
    ) -> None:
        response = as_staff(team.auditor).post(f"{PAGES}{report.pk}/reveal-identity/")
        assert response.status_code == 403
        html = response.content.decode()
        assert_no_secret(html, "refusal page")
        assert "无权查看举报人身份" in html
        assert len(denials(report.pk)) == 1

    def test_an_outsider_gets_404_everywhere(self, team: Team, report: CustomerReport) -> None:
        client = as_staff(team.outsider_manager)
        assert client.get(f"{PAGES}{report.pk}/").status_code == 404
        response = client.post(f"{PAGES}{report.pk}/reveal-identity/")
        assert response.status_code == 404
        assert_no_secret(response.content.decode(), "outsider 404")
        assert f"{PAGES}{report.pk}/" not in client.get(PAGES).content.decode()


# --- the API ---------------------------------------------------------------------------------


class TestApi:
    def test_list_detail_and_create_answers_never_carry_it(
        self, team: Team, report: CustomerReport
    ) -> None:
        client = as_staff(team.manager)
        for url in (API, f"{API}?state=paid", f"{API}{report.pk}"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_no_secret(response.content.decode(), url)
        created = as_staff(team.hotline).post(
            API,
            {
                "kind": "hazard",
                "reporter_name": NAME,
                "reporter_phone": PHONE,
                "reporter_address": ADDRESS,
                "location": "3栋楼道",
                "description": "燃气管道锈蚀",
            },
            content_type="application/json",
        )
        assert created.status_code == 201
        assert_no_secret(created.content.decode(), "create response")
        assert "reporter" not in created.json()

    def test_no_response_schema_but_the_reveal_has_an_identity_field(self) -> None:
        spec = test_api.get_openapi_schema()
        reveal_refs: set[str] = set()
        for path, operations in spec["paths"].items():
            for operation in operations.values():
                refs = json.dumps(operation.get("responses", {}))
                if path.endswith("/reveal-identity"):
                    reveal_refs.add(refs)
                    continue
                assert "Identity" not in refs, path
        schemas = spec["components"]["schemas"]
        with_identity = {
            name
            for name, schema in schemas.items()
            # (staff names appear as StaffRef.name; a reporter's would come with a phone)
            if {"phone", "address", "identity"} & set(schema.get("properties", {}))
            or any("reporter" in p for p in schema.get("properties", {}))
        }
        # Only the reveal answer, and the create *request* (which must carry it in).
        assert with_identity == {"IdentityOut", "ReportIn"}
        assert any("IdentityOut" in refs for refs in reveal_refs)

    def test_reveal_for_the_manager_audited_once(self, team: Team, report: CustomerReport) -> None:
        response = as_staff(team.manager).post(f"{API}{report.pk}/reveal-identity")
        assert response.status_code == 200
        assert response.json() == {
            "report_id": report.pk,
            "name": NAME,
            "phone": PHONE,
            "address": ADDRESS,
        }
        assert len(reveals(report)) == 1

    def test_reveal_refused_for_the_auditor_audited_once(
        self, team: Team, report: CustomerReport
    ) -> None:
        before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        response = as_staff(team.auditor).post(f"{API}{report.pk}/reveal-identity")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "discipline.permission_denied"
        assert_no_secret(response.content.decode(), "API refusal")
        after = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        assert after - before == 1 and len(denials(report.pk)) == 1

    def test_reveal_by_an_outsider_is_not_found(self, team: Team, report: CustomerReport) -> None:
        response = as_staff(team.outsider_manager).post(f"{API}{report.pk}/reveal-identity")
        assert response.status_code == 404
        assert_no_secret(response.content.decode(), "API 404")
        assert as_staff(team.outsider_manager).get(f"{API}{report.pk}").status_code == 404

    def test_reveal_is_post_only(self, team: Team, report: CustomerReport) -> None:
        assert as_staff(team.manager).get(f"{API}{report.pk}/reveal-identity").status_code == 405


# --- the export ------------------------------------------------------------------------------


def workbook_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        " ".join("" if cell is None else str(cell) for cell in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


class TestExport:
    def test_the_workbook_has_no_identity_and_the_export_is_audited(
        self, team: Team, report: CustomerReport
    ) -> None:
        # Even the manager, who may reveal it, gets no identity in an export
        export = customer_reports_export(staff=team.manager)
        text = workbook_text(export.content)
        assert_no_secret(text, "export")
        assert report.reporter_identity not in text
        assert "举报人" not in text.splitlines()[0]
        assert "300.00" in text and "幸福里小区9栋101室" in text
        assert all(key != "reporter_identity" for _, key in EXPORT_COLUMNS)
        (event,) = AuditEvent.objects.filter(action=AuditAction.EXPORT)
        assert event.object_type == "customer_report"
        assert event.actor_id == team.manager.user_id and event.detail["rows"] == export.rows == 1

    def test_the_export_through_the_page_and_the_api(
        self, team: Team, report: CustomerReport
    ) -> None:
        for url in (f"{PAGES}export.xlsx", f"{API}export"):
            response = as_staff(team.general_manager).get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"].startswith(
                "application/vnd.openxmlformats-officedocument.spreadsheetml"
            )
            assert "attachment" in response["Content-Disposition"]
            assert_no_secret(workbook_text(response.content), url)
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2

    def test_only_report_posts_export_and_outsiders_export_their_own(
        self, team: Team, report: CustomerReport
    ) -> None:
        refused = as_staff(team.salesperson).get(f"{API}export")
        assert refused.status_code == 403
        assert AuditEvent.objects.filter(
            action=AuditAction.PERMISSION_DENIED, actor=team.salesperson.user
        ).exists()
        theirs = as_staff(team.outsider_manager).get(f"{PAGES}export.xlsx")
        assert theirs.status_code == 200
        assert "幸福里小区9栋101室" not in workbook_text(theirs.content)


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def superuser_client() -> Client:
    user = get_user_model().objects.create_superuser("root", password="kehu-test-pass-2026")
    client = Client()
    client.force_login(user)
    return client


class TestAdmin:
    def test_changelist_and_change_page_show_no_identity(
        self, superuser_client: Client, report: CustomerReport
    ) -> None:
        base = "/admin/discipline/customerreport/"
        for url in (base, f"{base}{report.pk}/change/", f"{base}?q=幸福"):
            response = superuser_client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert_no_secret(html, url)
            assert report.reporter_identity not in html
            assert 'name="reporter_identity"' not in html
        assert "幸福里小区9栋101室" in superuser_client.get(base).content.decode()

    def test_the_admin_is_read_only(self, superuser_client: Client, report: CustomerReport) -> None:
        base = "/admin/discipline/customerreport/"
        assert superuser_client.get(f"{base}add/").status_code == 403
        changed = superuser_client.post(f"{base}{report.pk}/change/", {"location": "改写"})
        assert changed.status_code == 403
        assert superuser_client.get(f"{base}{report.pk}/delete/").status_code == 403
        assert CustomerReport.objects.get(pk=report.pk).location == "幸福里小区9栋101室"
