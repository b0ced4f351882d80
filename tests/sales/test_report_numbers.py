"""The sales-office reports on a small known dataset (``test_report_support``): exact counts
for receptions and rotation fairness (A2.1, A5.1, A7.1, A7.2), the visit → registration →
deal funnel (A1.1, A7.17), conflicts by deciding clause and commission net of reversals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.core.org.models import Company, Staff
from kehu.sales import report_selectors as selectors

from .test_report_support import END, START, Dataset, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(cast: Any, east: Company, west: Company, li: Staff, zhao: Staff, wang: Staff) -> Dataset:
    return make_dataset(cast, east, west, li, zhao, wang)


def scope(staff: Staff, **extra: Any) -> selectors.ReportScope:
    return selectors.report_scope(staff, selectors.ReportFilters(start=START, end=END, **extra))


def test_A7_1_receptions_per_salesperson_per_day_count_consumed_not_consumed_and_makeups(
    data: Dataset,
) -> None:
    # given the office's October and November rotation
    # when the sales manager reads the receptions per day
    report = selectors.reception_report(scope(data.wang, site_id=data.site.pk))
    # then each salesperson's day has the exact counts
    rows = [
        (r.period.isoformat(), r.name, r.receptions, r.consumed, r.not_consumed,
         r.makeups_served, r.makeups_earned)
        for r in report.rows
    ]  # fmt: skip
    assert rows == [
        ("2026-10-15", "赵强", 1, 1, 0, 0, 0),
        ("2026-11-02", "李明", 2, 2, 0, 0, 0),
        ("2026-11-02", "赵强", 2, 1, 1, 1, 1),
        ("2026-11-02", "钱芳", 0, 0, 0, 0, 1),
    ]


def test_A7_2_receptions_per_month_add_up_the_days(data: Dataset) -> None:
    report = selectors.reception_report(scope(data.wang, period="month"))
    rows = [(r.period.isoformat(), r.name, r.receptions, r.consumed, r.makeups_earned)
            for r in report.rows]  # fmt: skip
    assert rows == [
        ("2026-10-01", "赵强", 1, 1, 0),
        ("2026-11-01", "李明", 2, 2, 0),
        ("2026-11-01", "赵强", 2, 1, 1),
        ("2026-11-01", "钱芳", 0, 0, 1),
    ]


def test_A2_1_fairness_compares_each_salesperson_with_the_mean_and_gives_the_spread(
    data: Dataset,
) -> None:
    # given 李明 2 consumed turns, 赵强 2, 钱芳 (on duty) none
    report = selectors.reception_report(scope(data.wang))
    # then the mean is 4/3 and the spread 2; 钱芳 counts although she received nobody
    assert report.mean_consumed == Decimal("1.33")
    assert report.spread == 2
    assert [(r.name, r.consumed, r.versus_mean) for r in report.fairness] == [
        ("李明", 2, Decimal("0.67")),
        ("赵强", 2, Decimal("0.67")),
        ("钱芳", 0, Decimal("-1.33")),
    ]


def test_A7_17_funnel_counts_visits_registrations_customers_and_deals(data: Dataset) -> None:
    # given five visits in range (one unregistered, A visited twice), A's deal closed, B's not
    report = selectors.funnel_report(scope(data.wang))
    # then
    assert [(s.key, s.count, s.percent_of_previous) for s in report.stages] == [
        ("visits", 5, None),
        ("registered", 4, Decimal("80.0")),
        ("customers", 3, Decimal("75.0")),
        ("dealt", 2, Decimal("66.7")),
    ]


def test_A7_17_a_deal_closed_after_the_range_does_not_count(data: Dataset) -> None:
    report = selectors.funnel_report(
        selectors.report_scope(
            data.wang, selectors.ReportFilters(start=START, end=dt.date(2026, 11, 9))
        )
    )
    assert [s.count for s in report.stages] == [5, 4, 3, 1]


def test_A7_20_conflicts_by_deciding_clause_per_month_count_only_current_decisions(
    data: Dataset,
) -> None:
    # given v2's A7.15 decision superseded by A7.13, v3 李明's own customer, v5 pending
    report = selectors.conflict_report(scope(data.wang))
    # then
    assert [(r.month.isoformat(), r.clause, r.count) for r in report.rows] == [
        ("2026-10-01", "A7.20", 1),
        ("2026-11-01", "A1.5", 1),
        ("2026-11-01", "A7.13", 1),
    ]
    assert report.clauses == ["A1.5", "A7.13", "A7.20"]


def test_A7_17_commission_per_salesperson_per_month_nets_reversals(data: Dataset) -> None:
    report = selectors.commission_report(scope(data.wang))
    assert [(r.month.isoformat(), r.name, r.amount, r.lines) for r in report.rows] == [
        ("2026-10-01", "李明", Decimal("5000.00"), 1),
        ("2026-11-01", "李明", Decimal("8000.00"), 1),
        ("2026-11-01", "赵强", Decimal("0.00"), 3),
    ]
    assert report.total == Decimal("13000.00")


def test_each_chart_is_one_aggregate_query_whatever_the_rows(data: Dataset) -> None:
    s = scope(data.wang)
    for report, queries in (
        (selectors.funnel_report, 1),
        (selectors.conflict_report, 1),
        (selectors.commission_report, 1),
        (selectors.reception_report, 3),  # assignments, make-ups earned, who was on duty
    ):
        with CaptureQueriesContext(connection) as captured:
            report(s)
        assert len(captured.captured_queries) == queries, report.__name__


def test_a_project_manager_sees_their_own_office_only(
    data: Dataset, cast: Any, east: Company
) -> None:
    # given another sales office of the company
    other = cast.staff(east, "外项目售楼员", "salesperson", site=None)
    from kehu.core.org.models import Site

    elsewhere = Site.objects.create(company=east, name="另一项目", kind="sales_office")
    # when the PM asks for it: not found; without a site: their own
    with pytest.raises(selectors.ReportError) as refused:
        scope(data.pm, site_id=elsewhere.pk)
    assert refused.value.status == 404
    assert scope(data.pm).site == data.site
    assert other.company_id == east.pk
