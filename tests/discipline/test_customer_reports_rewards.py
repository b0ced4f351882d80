"""Customers' rewards for hazard and theft reports (A4 五.6.1, A4 五.6.2): receive, verify, pay.

Readings: the policy in force when the report was *received* sets the reward (the customer is
promised what was announced when they reported); a report found not verified earns nothing;
a hazard in the reporter's own home earns nothing even when verified.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company
from kehu.core.policy.services import policy_version_create
from kehu.discipline.errors import DisciplineError, DisciplineErrorCode
from kehu.discipline.models import CustomerReport, CustomerReportState
from kehu.discipline.reports_services import (
    LEDGER_STREAM,
    ReportAccessDenied,
    customer_report_pay,
    customer_report_verify,
)

from .test_customer_reports_support import Team, make_team, receive

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 5, 11, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def team(cast: Any, east: Company, west: Company) -> Team:
    return make_team(cast, east, west)


def ledger_rows(report: CustomerReport) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(
            stream=LEDGER_STREAM, subject_id=str(report.pk), company_id=report.company_id
        ).order_by("seq")
    )


class TestHazardRewards:
    """A4 五.6.1: a verified hazard outside the reporter's home earns 200/500/1000/2000 yuan."""

    @pytest.mark.parametrize(
        ("severity", "amount"),
        [("minor", "200.00"), ("ordinary", "500.00"), ("major", "1000.00"), ("serious", "2000.00")],
    )
    def test_reward_by_severity(self, team: Team, severity: str, amount: str) -> None:
        # Given 热线小周 received a customer's report of a hazard in a neighbour's stairwell
        report = receive(team.hotline)
        assert report.state == CustomerReportState.RECEIVED
        # When 稽查老吴 verifies it with its severity
        report = customer_report_verify(
            staff=team.auditor, report_id=report.pk, verified=True, severity=severity
        )
        # Then the reward is the rulebook amount, citing A4 五.6.1 and the policy used
        assert report.state == CustomerReportState.VERIFIED
        assert report.reward_amount == Decimal(amount)
        assert report.rule_ids == ["A4 五.6.1"]
        assert report.policy_ref == "discipline@default"
        assert report.severity == severity and report.verified_by == team.auditor
        assert f"奖励{amount}元" in report.verification_note

    def test_own_home_earns_nothing_even_when_verified(self, team: Team) -> None:
        report = receive(team.hotline, own_home=True)
        report = customer_report_verify(
            staff=team.auditor, report_id=report.pk, verified=True, severity="serious"
        )
        assert report.state == CustomerReportState.VERIFIED
        assert report.reward_amount == Decimal("0.00")
        assert "自家隐患" in report.verification_note

    def test_the_verifier_can_find_it_was_the_reporters_own_home(self, team: Team) -> None:
        report = receive(team.hotline)
        report = customer_report_verify(
            staff=team.auditor,
            report_id=report.pk,
            verified=True,
            severity="major",
            own_home=True,
            note="现场核实为举报人自家厨房胶管老化",
        )
        assert report.own_home and report.reward_amount == Decimal("0.00")
        assert ledger_rows(report)[-1].payload["own_home"] is True

    def test_not_verified_earns_nothing_and_needs_a_note(self, team: Team) -> None:
        report = receive(team.hotline)
        with pytest.raises(DisciplineError) as refused:
            customer_report_verify(staff=team.auditor, report_id=report.pk, verified=False)
        assert refused.value.code == DisciplineErrorCode.BAD_INPUT
        assert "核实说明" in refused.value.message_zh
        report = customer_report_verify(
            staff=team.auditor,
            report_id=report.pk,
            verified=False,
            note="现场检查立管完好，无泄漏",
        )
        assert report.state == CustomerReportState.NOT_VERIFIED
        assert report.reward_amount == Decimal("0.00") and report.severity == ""
        assert report.rule_ids == ["A4 五.6.1"]

    def test_a_verified_hazard_needs_its_severity(self, team: Team) -> None:
        report = receive(team.hotline)
        with pytest.raises(DisciplineError) as refused:
            customer_report_verify(staff=team.auditor, report_id=report.pk, verified=True)
        assert refused.value.code == DisciplineErrorCode.BAD_INPUT
        assert "隐患程度" in refused.value.message_zh and "轻微隐患" in refused.value.message_zh

    def test_the_amounts_come_from_the_policy_in_force_at_receipt(self, team: Team) -> None:
        # Given 孙经理 raised the minor-hazard reward to 300 yuan from this morning
        with time_machine.travel(MORNING, tick=False):
            policy_version_create(
                staff=team.manager,
                key="discipline",
                values={"hazard_reward_minor": "300.00"},
                effective_from=MORNING,
                note="公司决定提高轻微隐患举报奖励",
            )
        with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
            report = receive(team.hotline)
            report = customer_report_verify(
                staff=team.auditor, report_id=report.pk, verified=True, severity="minor"
            )
        assert report.reward_amount == Decimal("300.00")
        assert report.policy_ref == "discipline@v1"


class TestTheftRewards:
    """A4 五.6.2: a verified theft report earns a rate (policy: 5% or 10%) of the fine or the
    recovered fees."""

    def test_default_rate_is_five_percent_of_the_basis(self, team: Team) -> None:
        report = receive(team.hotline, kind="theft")
        report = customer_report_verify(
            staff=team.auditor, report_id=report.pk, verified=True, basis_amount="8000"
        )
        assert report.reward_rate == Decimal("0.0500")
        assert report.basis_amount == Decimal("8000.00")
        assert report.reward_amount == Decimal("400.00")
        assert report.rule_ids == ["A4 五.6.2"]
        assert "5%" in report.verification_note

    def test_a_policy_version_sets_ten_percent(self, team: Team) -> None:
        # Given the company's policy says 10% from this morning
        with time_machine.travel(MORNING, tick=False):
            policy_version_create(
                staff=team.manager,
                key="discipline",
                values={"theft_reward_rate": "0.10"},
                effective_from=MORNING,
                note="盗气举报奖励提高到10%",
            )
        # When a theft report received afterwards is verified with a 3,333.33 yuan fine
        with time_machine.travel(MORNING + dt.timedelta(hours=2), tick=False):
            report = receive(team.hotline, kind="theft")
            report = customer_report_verify(
                staff=team.general_manager,
                report_id=report.pk,
                verified=True,
                basis_amount=Decimal("3333.33"),
            )
        # Then the reward is 10%, rounded half up to the fen, citing the policy version
        assert report.reward_rate == Decimal("0.1000")
        assert report.reward_amount == Decimal("333.33")
        assert report.policy_ref == "discipline@v1"

    def test_a_report_received_before_a_rate_change_keeps_the_old_rate(self, team: Team) -> None:
        with time_machine.travel(MORNING - dt.timedelta(days=3), tick=False):
            report = receive(team.hotline, kind="theft")
        with time_machine.travel(MORNING, tick=False):
            policy_version_create(
                staff=team.manager,
                key="discipline",
                values={"theft_reward_rate": "0.10"},
                effective_from=MORNING,
                note="盗气举报奖励提高到10%",
            )
            report = customer_report_verify(
                staff=team.auditor, report_id=report.pk, verified=True, basis_amount="1000"
            )
        assert report.reward_amount == Decimal("50.00")
        assert report.policy_ref == "discipline@default"

    @pytest.mark.parametrize("basis", [None, "", "0", "-5", "abc", "NaN"])
    def test_a_verified_theft_needs_a_positive_basis(self, team: Team, basis: Any) -> None:
        report = receive(team.hotline, kind="theft")
        with pytest.raises(DisciplineError) as refused:
            customer_report_verify(
                staff=team.auditor, report_id=report.pk, verified=True, basis_amount=basis
            )
        assert refused.value.code == DisciplineErrorCode.BAD_INPUT
        assert "处罚额或追缴气费" in refused.value.message_zh

    def test_not_verified_theft_earns_nothing(self, team: Team) -> None:
        report = receive(team.hotline, kind="theft")
        report = customer_report_verify(
            staff=team.auditor, report_id=report.pk, verified=False, note="表具铅封完好"
        )
        assert report.reward_amount == Decimal("0.00") and report.reward_rate is None

    def test_own_home_is_meaningless_for_theft(self, team: Team) -> None:
        report = receive(team.hotline, kind="theft", own_home=True)
        assert report.own_home is False

    # The staff are reused across examples on purpose; each example is a new report.
    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        basis=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
    )
    def test_theft_reward_is_the_rate_of_the_basis_to_the_fen(
        self, team: Team, basis: Decimal
    ) -> None:
        # Invariant: reward = basis × 5%, within half a fen, never negative, two places.
        report = receive(team.hotline, kind="theft")
        report = customer_report_verify(
            staff=team.auditor, report_id=report.pk, verified=True, basis_amount=basis
        )
        assert report.reward_amount is not None
        assert report.reward_amount >= 0
        assert abs(report.reward_amount - basis * Decimal("0.05")) <= Decimal("0.005")
        assert report.reward_amount == report.reward_amount.quantize(Decimal("0.01"))


class TestTransitionsAndPayment:
    def test_verify_once_then_pay_once(self, team: Team) -> None:
        report = receive(team.hotline)
        customer_report_verify(
            staff=team.auditor, report_id=report.pk, verified=True, severity="ordinary"
        )
        with pytest.raises(DisciplineError) as again:
            customer_report_verify(
                staff=team.manager, report_id=report.pk, verified=True, severity="serious"
            )
        assert again.value.code == DisciplineErrorCode.BAD_TRANSITION
        assert again.value.message_zh == "该举报当前状态为“已查实”，不能再次核实。"
        assert again.value.status == 409

        with pytest.raises(DisciplineError) as no_note:
            customer_report_pay(staff=team.auditor, report_id=report.pk, note="  ")
        assert no_note.value.code == DisciplineErrorCode.BAD_INPUT

        paid = customer_report_pay(
            staff=team.auditor, report_id=report.pk, note="现金发放，凭证 2026-05-017"
        )
        assert paid.state == CustomerReportState.PAID
        with pytest.raises(DisciplineError) as twice:
            customer_report_pay(staff=team.auditor, report_id=report.pk, note="再发一次")
        assert twice.value.code == DisciplineErrorCode.BAD_TRANSITION
        assert "奖励已发放" in twice.value.message_zh

    def test_nothing_to_pay_for_unverified_or_zero_rewards(self, team: Team) -> None:
        unverified = receive(team.hotline)
        with pytest.raises(DisciplineError) as received:
            customer_report_pay(staff=team.auditor, report_id=unverified.pk, note="发放")
        assert "已受理，待核实" in received.value.message_zh

        own_home = receive(team.hotline, own_home=True)
        customer_report_verify(
            staff=team.auditor, report_id=own_home.pk, verified=True, severity="minor"
        )
        with pytest.raises(DisciplineError) as zero:
            customer_report_pay(staff=team.auditor, report_id=own_home.pk, note="发放")
        assert "没有奖励" in zero.value.message_zh

    def test_each_decision_is_a_ledger_row_and_the_chain_holds(self, team: Team) -> None:
        report = receive(team.hotline, kind="theft")
        customer_report_verify(
            staff=team.auditor, report_id=report.pk, verified=True, basis_amount="2000"
        )
        customer_report_pay(staff=team.manager, report_id=report.pk, note="转账，凭证 TX-88")
        rows = ledger_rows(report)
        assert [r.kind for r in rows] == [
            "customer_report.received",
            "customer_report.verified",
            "customer_report.paid",
        ]
        verified = rows[1].payload
        assert verified["reward_amount"] == "100.00" and verified["rule_ids"] == ["A4 五.6.2"]
        assert verified["policy"] == "discipline@default"
        assert rows[2].payload["note"] == "转账，凭证 TX-88"
        assert all(r.recorded_by_id is not None for r in rows)
        assert ledger_verify().ok


class TestReceiveInput:
    @pytest.mark.parametrize(
        ("field", "value", "words"),
        [
            ("kind", "fire", "举报类型"),
            ("reporter_name", " ", "举报人姓名"),
            ("reporter_phone", "", "联系电话"),
            ("reporter_phone", "12345", "格式不对"),
            ("location", "", "地点"),
            ("description", "", "举报内容"),
        ],
    )
    def test_clear_chinese_errors(self, team: Team, field: str, value: str, words: str) -> None:
        with pytest.raises(DisciplineError) as refused:
            receive(team.hotline, **{field: value})
        assert refused.value.code == DisciplineErrorCode.BAD_INPUT
        assert words in refused.value.message_zh
        assert refused.value.details == {"field": field}
        assert not CustomerReport.objects.exists()

    def test_a_bad_phone_is_not_echoed_in_the_error(self, team: Team) -> None:
        with pytest.raises(DisciplineError) as refused:
            receive(team.hotline, reporter_phone="1391234567")
        assert "1391234567" not in refused.value.message_zh + refused.value.message_en


class TestPermissions:
    def test_who_may_receive(self, team: Team) -> None:
        for staff in (team.hotline, team.auditor, team.manager):
            receive(staff)
        for staff in (team.salesperson, team.deputy, team.general_manager):
            with pytest.raises(ReportAccessDenied):
                receive(staff)

    def test_who_may_verify(self, team: Team) -> None:
        for staff in (team.auditor, team.deputy, team.manager, team.general_manager):
            report = receive(team.hotline)
            customer_report_verify(
                staff=staff, report_id=report.pk, verified=True, severity="minor"
            )
        report = receive(team.hotline)
        for staff in (team.hotline, team.salesperson):
            with pytest.raises(ReportAccessDenied):
                customer_report_verify(
                    staff=staff, report_id=report.pk, verified=True, severity="minor"
                )

    def test_another_companys_report_is_not_found(self, team: Team) -> None:
        report = receive(team.hotline)
        with pytest.raises(DisciplineError) as hidden:
            customer_report_verify(
                staff=team.outsider_manager, report_id=report.pk, verified=True, severity="minor"
            )
        assert hidden.value.status == 404
        with pytest.raises(DisciplineError) as hidden_pay:
            customer_report_pay(staff=team.outsider_manager, report_id=report.pk, note="x")
        assert hidden_pay.value.status == 404
