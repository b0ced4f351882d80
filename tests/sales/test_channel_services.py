"""Channel reports (渠道报备): protection from the policy (X7.1), duplicates refused with the
holder and the time (X7.2), the visit that confirms a report with visit decides on and off
(X7.3), and outsiders who see nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.sales.test_channel_support import (  # noqa: F401  fixtures
    agents_fixture,
    desk_fixture,
    director_fixture,
    pm_fixture,
    set_sales_policy,
    shanghai,
    west_manager_fixture,
)

from kehu.core.org.models import Staff
from kehu.sales.channel_errors import ChannelError
from kehu.sales.channel_rules import ReportStatus
from kehu.sales.channel_selectors import (
    channel_countdown_for_customer,
    channel_expiring_count,
    channel_expiring_for_user,
    channel_report_get_for_user,
    channel_reports_for_user,
)
from kehu.sales.channel_services import (
    channel_report_create,
    channel_report_visit_confirm,
    channel_visit_confirm,
)
from kehu.sales.models.channel import ChannelAgent, ChannelConfirmation, ChannelReport
from kehu.sales.registration_services import VisitDetails, registration_record

MORNING = shanghai(2026, 11, 2, 9, 0)


def _report(actor: Staff, agent: ChannelAgent, name: str = "王芳", phone: str = "13900001111"):
    return channel_report_create(actor=actor, agent_id=agent.pk, customer_name=name, phone=phone)


def _visit(desk: Staff, receiver: Staff, name: str = "王芳", phone: str = "13900001111") -> Any:
    return registration_record(
        staff=desk, receiver=receiver, details=VisitDetails(customer_name=name, contact=phone)
    ).registration.customer


def test_x7_1_a_report_is_protected_for_72_hours_by_default(desk: Staff, agents: Any) -> None:
    # given the front desk enters 马骏's report at 09:00
    with time_machine.travel(MORNING, tick=False):
        report = _report(desk, agents[0])
    # then it is protected for 72 hours, the policy's default, and the phone is kept masked
    assert report.protected_until == MORNING + dt.timedelta(hours=72)
    assert (report.protection_amount, report.protection_unit) == (72, "hours")
    assert report.visit_decides is True
    assert report.phone_e164 == "+8613900001111" and report.phone_masked == "139****1111"


def test_x7_1_days_mode_from_the_policy(desk: Staff, agents: Any, cast: Any, east: Any) -> None:
    # given the company protects reports for 3 days
    with time_machine.travel(MORNING, tick=False):
        set_sales_policy(
            east, cast, {"channel_protection_amount": 3, "channel_protection_unit": "days"}
        )
        report = _report(desk, agents[0])
    # then day 3 (5 Nov) is still protected and it ends at midnight starting 6 Nov
    assert report.protected_until == shanghai(2026, 11, 6, 0, 0)
    assert report.policy_ref.startswith("sales@v")


def test_x7_2_a_phone_still_protected_is_refused_naming_the_holder_and_time(
    desk: Staff, agents: Any
) -> None:
    # given 马骏 reported 王芳 at 09:00
    with time_machine.travel(MORNING, tick=False):
        _report(desk, agents[0])
    # when 邓丽 reports the same phone at hour 71
    at_71 = MORNING + dt.timedelta(hours=71)
    with time_machine.travel(at_71, tick=False), pytest.raises(ChannelError) as refused:
        _report(desk, agents[1], name="王女士")
    # then she is refused with the holder and the time, in Chinese and English
    error = refused.value
    assert error.code == "sales.channel.already_reported" and error.status == 409
    assert "马骏" in error.message_zh and "2026-11-02 09:00" in error.message_zh
    assert "马骏" in error.message_en and "X7.2" in error.message_en
    assert error.details["rule_ids"][0] == "X7.2"
    assert ChannelReport.objects.count() == 1


def test_x7_2_after_the_period_lapses_another_agent_may_report(desk: Staff, agents: Any) -> None:
    with time_machine.travel(MORNING, tick=False):
        _report(desk, agents[0])
    with time_machine.travel(MORNING + dt.timedelta(hours=73), tick=False):
        second = _report(desk, agents[1])
    assert second.agent == agents[1]


def test_x7_2_a_registered_customer_of_the_office_is_refused(
    desk: Staff, agents: Any, li: Staff
) -> None:
    # given 王芳 already visited and is in the registration book (received by 李明)
    _visit(desk, li)
    # when an agent reports her phone
    with pytest.raises(ChannelError) as refused:
        _report(desk, agents[0])
    # then the report is refused naming 李明
    assert refused.value.code == "sales.channel.already_customer"
    assert "李明" in refused.value.message_zh and "registered" in refused.value.message_en
    assert not ChannelReport.objects.exists()


def test_x7_2_bad_phone_gets_a_clear_bilingual_error_and_writes_nothing(
    desk: Staff, agents: Any
) -> None:
    with pytest.raises(ChannelError) as refused:
        _report(desk, agents[0], phone="12345")
    assert refused.value.status == 400 and "无效" in refused.value.message_zh
    assert "not valid" in refused.value.message_en
    assert not ChannelReport.objects.exists()


def test_x7_3_visit_decides_on_a_visit_in_time_confirms_the_report(
    desk: Staff, agents: Any, li: Staff
) -> None:
    # given 马骏's report at 09:00, visit decides on (default)
    with time_machine.travel(MORNING, tick=False):
        report = _report(desk, agents[0])
    # when 王芳 visits at hour 50 and the reception flow calls the channel hook
    at = MORNING + dt.timedelta(hours=50)
    with time_machine.travel(at, tick=False):
        customer = _visit(desk, li)
        confirmation = channel_visit_confirm(actor=desk, customer=customer, visited_at=at)
    # then the confirmation names the report and the time, and the report holds for good
    assert confirmation is not None and confirmation.report == report
    assert confirmation.visited_at == at and confirmation.rule_ids == ["X7.1", "X7.3"]
    with time_machine.travel(MORNING + dt.timedelta(days=30), tick=False):
        row = channel_report_get_for_user(desk, report.pk)
    assert row.state.status is ReportStatus.CONFIRMED and row.state.holds


def test_x7_3_visit_decides_on_no_visit_in_time_the_report_lapses(
    desk: Staff, agents: Any, li: Staff
) -> None:
    with time_machine.travel(MORNING, tick=False):
        report = _report(desk, agents[0])
    at = MORNING + dt.timedelta(hours=73)
    with time_machine.travel(at, tick=False):
        customer = _visit(desk, li)
        assert channel_visit_confirm(actor=desk, customer=customer, visited_at=at) is None
        assert channel_report_get_for_user(desk, report.pk).state.status is ReportStatus.LAPSED


def test_x7_3_visit_decides_off_the_report_protects_for_the_period_and_then_expires(
    desk: Staff, agents: Any, li: Staff, cast: Any, east: Any
) -> None:
    # given the switch is off: the report itself protects
    with time_machine.travel(MORNING, tick=False):
        set_sales_policy(east, cast, {"channel_visit_decides": False})
        report = _report(desk, agents[0])
    assert report.visit_decides is False
    # when the customer visits at hour 10, the visit is recorded
    at = MORNING + dt.timedelta(hours=10)
    with time_machine.travel(at, tick=False):
        confirmation = channel_visit_confirm(actor=desk, customer=_visit(desk, li), visited_at=at)
    assert confirmation is not None and confirmation.rule_ids == ["X7.1"]
    # then it protects to hour 72 and no longer
    with time_machine.travel(MORNING + dt.timedelta(hours=71), tick=False):
        assert channel_report_get_for_user(desk, report.pk).state.status is ReportStatus.PROTECTED
    with time_machine.travel(MORNING + dt.timedelta(hours=73), tick=False):
        assert channel_report_get_for_user(desk, report.pk).state.status is ReportStatus.EXPIRED


def test_x7_3_the_pm_confirms_a_visit_by_hand_only_within_the_period(
    pm: Staff, desk: Staff, agents: Any, li: Staff
) -> None:
    with time_machine.travel(MORNING, tick=False):
        report = _report(desk, agents[0])
    with time_machine.travel(MORNING + dt.timedelta(hours=80), tick=False):
        _visit(desk, li)
        with pytest.raises(ChannelError) as late:
            channel_report_visit_confirm(actor=pm, report_id=report.pk)
        assert "保护期" in late.value.message_zh and late.value.status == 400
        done = channel_report_visit_confirm(
            actor=pm, report_id=report.pk, visited_at=MORNING + dt.timedelta(hours=60)
        )
    assert done.report == report and ChannelConfirmation.objects.count() == 1


def test_x7_3_confirmations_are_append_only(desk: Staff, agents: Any, li: Staff) -> None:
    report = _report(desk, agents[0])
    customer = _visit(desk, li)
    channel_visit_confirm(actor=desk, customer=customer, visited_at=timezone.now())
    with pytest.raises(DatabaseError), transaction.atomic():
        ChannelReport.objects.filter(pk=report.pk).update(customer_name="改名")
    with pytest.raises(DatabaseError), transaction.atomic():
        ChannelConfirmation.objects.all().delete()


def test_x7_1_expiring_lists_reports_ending_within_n_hours_and_counts_them(
    desk: Staff, pm: Staff, agents: Any
) -> None:
    # given one report made 62 hours ago (10 left) and one just now (72 left)
    with time_machine.travel(MORNING, tick=False):
        old = _report(desk, agents[0])
    with time_machine.travel(MORNING + dt.timedelta(hours=62), tick=False):
        _report(desk, agents[1], name="赵雷", phone="13900002222")
        rows, within = channel_expiring_for_user(pm)
        count = channel_expiring_count(pm)
    # then only the old one is expiring within the default 24 hours
    assert within == 24 and [r.report for r in rows] == [old] and count == 1
    assert rows[0].countdown == "10小时0分"


def test_x7_1_the_customer_panel_shows_the_countdown_to_the_owner(
    desk: Staff, agents: Any, li: Staff, zhao: Staff
) -> None:
    with time_machine.travel(MORNING, tick=False):
        _report(desk, agents[0])
    at = MORNING + dt.timedelta(hours=5)
    with time_machine.travel(at, tick=False):
        customer = _visit(desk, li)  # a visit without the hook: still counting down
        panel = channel_countdown_for_customer(li, customer.pk)
        assert panel.holding is not None and panel.holding.countdown == "2天19小时"
        # 赵强 does not own 王芳: not found
        with pytest.raises(ChannelError) as hidden:
            channel_countdown_for_customer(zhao, customer.pk)
    assert hidden.value.status == 404


def test_a_salesperson_may_not_enter_or_read_channel_reports(li: Staff, agents: Any) -> None:
    with pytest.raises(ChannelError) as refused:
        _report(li, agents[0])
    assert refused.value.status == 403
    with pytest.raises(ChannelError):
        channel_reports_for_user(li)


def test_outsiders_see_no_reports_and_cannot_use_our_agents(
    desk: Staff, agents: Any, west_manager: Staff
) -> None:
    report = _report(desk, agents[0])
    assert channel_reports_for_user(west_manager) == []
    with pytest.raises(ChannelError) as hidden:
        channel_report_get_for_user(west_manager, report.pk)
    assert hidden.value.status == 404
    with pytest.raises(ChannelError) as no_agent:
        _report(west_manager, agents[1], phone="13900009999")
    assert no_agent.value.status == 404


# --- through the web and the API ----------------------------------------------------------------


def test_web_the_channel_list_shows_countdowns(client: Any, pm: Staff, agents: Any) -> None:
    client.force_login(pm.user)
    response = client.post(
        "/sales/channel/", {"agent": agents[0].pk, "customer_name": "王芳", "phone": "13900001111"}
    )
    assert response.status_code == 302
    page = client.get("/sales/channel/").content.decode()
    assert "王芳" in page and "139****1111" in page and "保护中" in page and "2天23小时" in page
    # a duplicate comes back as a message on the page
    client.post(
        "/sales/channel/", {"agent": agents[1].pk, "customer_name": "王芳", "phone": "13900001111"}
    )
    assert "不能重复报备" in client.get("/sales/channel/").content.decode()


def test_web_outsiders_get_404_on_a_report_and_a_customer_panel(
    client: Any, desk: Staff, agents: Any, li: Staff, west_manager: Staff
) -> None:
    report = _report(desk, agents[0])
    customer = _visit(desk, li, name="孙婷", phone="13555550001")
    client.force_login(west_manager.user)
    assert client.get(f"/sales/channel/{report.pk}/").status_code == 404
    assert client.get(f"/sales/channel/customers/{customer.pk}/").status_code == 404


def test_api_report_duplicate_is_409_with_the_holder(client: Any, pm: Staff, agents: Any) -> None:
    client.force_login(pm.user)
    body = {"agent_id": agents[0].pk, "customer_name": "王芳", "phone": "13900001111"}
    url = "/api/v1/sales/channel/reports"
    with time_machine.travel(MORNING, tick=False):
        created = client.post(url, body, content_type="application/json")
        body["agent_id"] = agents[1].pk
        again = client.post(url, body, content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert data["status"] == "protected" and data["phone_masked"] == "139****1111"
    assert data["rule_ids"] == ["X7.1", "X7.3"] and data["remaining_seconds"] == 72 * 3600
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "sales.channel.already_reported"
    assert "马骏" in again.json()["error"]["message"]


def test_api_outsiders_get_404(client: Any, desk: Staff, agents: Any, west_manager: Staff) -> None:
    report = _report(desk, agents[0])
    client.force_login(west_manager.user)
    assert client.get(f"/api/v1/sales/channel/reports/{report.pk}").status_code == 404
    assert client.get("/api/v1/sales/channel/reports").json() == []


def test_x7_1_the_list_page_costs_the_same_queries_however_many_reports(
    client: Any, pm: Staff, desk: Staff, agents: Any
) -> None:
    client.force_login(pm.user)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/sales/channel/").status_code == 200
        return len(queries)

    for n in range(2):
        _report(desk, agents[n % 2], name=f"客户{n}", phone=f"1390000100{n}")
    few = queries_for_list()
    for n in range(2, 8):
        _report(desk, agents[n % 2], name=f"客户{n}", phone=f"1390000100{n}")
    assert queries_for_list() == few


def test_x7_1_the_customer_page_itself_shows_the_countdown_and_the_ownership_section(
    client: Any, desk: Staff, agents: Any, li: Staff, zhao: Staff
) -> None:
    """The kernel's customer page carries the sales office's sections (``customer_panels``):
    the owner sees the agent's countdown; a colleague who does not own the customer gets 404
    from the page itself, so no section leaks."""
    with time_machine.travel(MORNING, tick=False):
        _report(desk, agents[0])
    with time_machine.travel(MORNING + dt.timedelta(hours=5), tick=False):
        customer = _visit(desk, li)
        client.force_login(li.user)
        page = client.get(f"/customers/{customer.pk}/").content.decode()
        assert "渠道报备" in page and "保护期剩余 2天19小时" in page
        decisions = f"/sales/receptions/customers/{customer.pk}/decisions/"
        assert "业绩归属" in page and decisions in page
        client.force_login(zhao.user)
        assert client.get(f"/customers/{customer.pk}/").status_code == 404
