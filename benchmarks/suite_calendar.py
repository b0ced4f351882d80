"""Deadlines: ``due_at_for_company`` (3 working days) against the pure rules function given the
same official calendar and the same company overrides, already in memory (no database)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from benchmarks.suite_customers import queries_per_call
from benchmarks.timing import Result, compare, series
from benchmarks.world import World
from kehu.core.calendar import official, rules
from kehu.core.calendar.models import CalendarOverride
from kehu.core.calendar.selectors import due_at_for_company

# A company's own decisions: an anniversary off, a stock-take Saturday at work, and so on.
OVERRIDES = (
    (date(2025, 3, 15), True, "盘点日上班"),
    (date(2025, 5, 20), False, "公司周年庆"),
    (date(2025, 8, 8), False, "高温停工"),
    (date(2025, 11, 29), True, "开盘活动"),
    (date(2025, 12, 31), False, "年终盘点"),
    (date(2026, 3, 14), True, "盘点日上班"),
    (date(2026, 5, 20), False, "公司周年庆"),
    (date(2026, 7, 11), True, "开盘活动"),
    (date(2026, 8, 7), False, "高温停工"),
    (date(2026, 12, 31), False, "年终盘点"),
)
FIRST_START = datetime(2025, 1, 1, tzinfo=UTC)
LAST_START = datetime(2026, 12, 15, tzinfo=UTC)  # + 3 working days stays inside 2026


def run_deadline(world: World, *, calls: int, warmup: int, seed: int, log: Any) -> list[Result]:
    log("  deadline: due_at_for_company(unit=workday, amount=3)")
    company = world.company
    CalendarOverride.objects.bulk_create(
        CalendarOverride(
            company=company,
            date=day,
            is_working_day=working,
            reason=reason,
            created_by=world.manager.user,
        )
        for day, working, reason in OVERRIDES
    )
    overrides = {day: rules.CompanyDay(day, working, reason) for day, working, reason in OVERRIDES}
    rng = random.Random(seed)
    span = (LAST_START - FIRST_START).total_seconds()
    starts = [FIRST_START + timedelta(seconds=rng.random() * span) for _ in range(calls)]

    def kehu(start: datetime) -> rules.DueDecision:
        return due_at_for_company(company=company, start=start, amount=3, unit="workday")

    def day_status(day: date) -> rules.DayStatus:
        return rules.company_day_status(
            day, official=official.official_day_status, override=overrides.get(day)
        )

    def floor(start: datetime) -> rules.DueDecision:
        return rules.due_at(start=start, amount=3, unit="workday", day_status=day_status)

    for start in starts[:50]:
        if kehu(start).due_at != floor(start).due_at:
            raise AssertionError(f"deadline floor disagrees for {start}")
    kehu_stats, floor_stats = compare(kehu, floor, starts, warmup=warmup)
    walked = [len(floor(s).days) for s in starts[:200]]
    days = [s.date() + timedelta(days=1 + i % 5) for i, s in enumerate(starts)]
    return [
        Result(
            group="deadline",
            operation="due_at_for_company — 3 working days (工作日)",
            size=len(OVERRIDES),
            kehu=kehu_stats,
            floor=floor_stats,
            kehu_queries=queries_per_call(lambda: kehu(starts[0])),
            floor_queries=0,
            note=(
                f"size = the company's overrides; days walked per call: mean "
                f"{sum(walked) / len(walked):.1f}, max {max(walked)}"
            ),
            extras={
                "official_day_status, one date": series(
                    official.official_day_status, days, warmup=warmup
                )
            },
        )
    ]
