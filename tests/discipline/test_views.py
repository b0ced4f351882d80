"""The rewards-and-penalties pages: an employee's standing with its explanation (A4 五.5, A4 四.六),
the team list, the record form, the decision queue and the company report — each for the right
people only (404 for anyone else, another company included)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.discipline.models import DisciplineEntry, ProposalDecision
from kehu.discipline.rules import Kind
from kehu.discipline.services import discipline_entry_post, discipline_proposal_post

pytestmark = pytest.mark.django_db

D = dt.date
ME = "/discipline/me/"
TEAM = "/discipline/team/"
RECORD = "/discipline/record/"
DECISIONS = "/discipline/decisions/"
DECIDE = "/discipline/decisions/decide/"
REPORT = "/discipline/report/"


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    # 2026-11-27 10:00 in Asia/Shanghai.
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def team(wang: Staff, li: Staff, zhao: Staff) -> list[Staff]:
    """李 and 赵 report to 王经理 (sales manager: records, sees the team, decides)."""
    Staff.objects.filter(pk__in=[li.pk, zhao.pk]).update(supervisor=wang)
    li.refresh_from_db()
    zhao.refresh_from_db()
    return [li, zhao]


@pytest.fixture
def sun(cast: Any, east: Company) -> Staff:
    """孙总监, 华东置业's sales director: sees the whole company, decides, reads the report."""
    return cast.staff(east, "孙总监", Post.SALES_DIRECTOR)


@pytest.fixture
def west_manager(cast: Any, west: Company) -> Staff:
    """A 经理 of 西湖燃气, who sees their own company's ledgers and nobody else's."""
    return cast.staff(west, "西湖经理", Post.MANAGER)


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def post(
    employee: Staff, kind: Kind | str, on: dt.date, by: Staff, **extra: Any
) -> DisciplineEntry:
    return discipline_entry_post(
        employee=employee,
        on=on,
        kind=kind,
        reason=extra.pop("reason", f"测试{kind}"),
        rule_ids=extra.pop("rule_ids", []),
        recorded_by=by,
        **extra,
    )


def text(response: Any) -> str:
    return str(response.content.decode())


class TestStandingPage:
    def test_an_employee_sees_their_own_standing_with_its_explanation(
        self, team: list[Staff], wang: Staff
    ) -> None:
        li = team[0]
        # Given two criticisms on 李's ledger (A4 五.5.5: two make one minor demerit)
        first = post(li, Kind.CRITICISM, D(2026, 3, 2), wang, reason="迟到")
        second = post(li, Kind.CRITICISM, D(2026, 6, 9), wang, reason="未按时回访")
        post(li, Kind.FINE, D(2026, 6, 9), wang, amount=Decimal("300"), rule_ids=["A7.13"])
        # When 李 opens 我的奖惩
        response = as_staff(li).get(ME)
        html = text(response)
        # Then the minor-demerit card shows 1, the criticism card 0
        assert response.status_code == 200
        assert re.search(r'data-level="minor_demerit">\s*<h3[^>]*>记小过\s*<span[^>]*>1<', html)
        assert re.search(r'data-level="criticism">\s*<h3[^>]*>通报批评\s*<span[^>]*>0<', html)
        # and the explanation names the conversion, the entries it consumed and the rule IDs
        assert "2次通报批评记为1次记小过" in html
        assert "A4 五.5.5(惩罚)" in html and "A7.13" in html
        assert f'href="#entry-{first.pk}"' in html and f'href="#entry-{second.pk}"' in html
        assert f'id="entry-{first.pk}"' in html
        # money and the policy version used
        assert "300.00" in html and "-300.00" in html
        assert "discipline@default" in html

    def test_each_entry_offers_the_employee_an_appeal(self, team: list[Staff], wang: Staff) -> None:
        li = team[0]
        entry = post(li, Kind.CRITICISM, D(2026, 3, 2), wang)
        html = text(as_staff(li).get(ME))
        assert f"/discipline/appeals/new/?entry={entry.pk}" in html
        # The manager looking at the same page is not offered 李's appeal.
        manager_html = text(as_staff(wang).get(f"/discipline/staff/{li.pk}/"))
        assert "?entry=" not in manager_html

    def test_rewards_offer_no_appeal(self, team: list[Staff], wang: Staff) -> None:
        # Only adverse entries can be appealed (A4 四.七); a bonus gets no button.
        li = team[0]
        bonus = post(li, Kind.COMMENDATION, D(2026, 3, 2), wang)
        html = text(as_staff(li).get(ME))
        assert f"?entry={bonus.pk}" not in html

    def test_a_derived_conversion_shows_which_entries_it_consumed(
        self, team: list[Staff], wang: Staff
    ) -> None:
        li = team[0]
        # Four criticisms → two minor demerits → one major demerit (A4 五.5.5 reading)
        rows = [post(li, Kind.CRITICISM, D(2026, m, 1), wang) for m in (1, 2, 3, 4)]
        html = text(as_staff(li).get(ME))
        assert "2次记小过记为1次记大过" in html
        assert re.search(r'data-level="major_demerit">\s*<h3[^>]*>记大过\s*<span[^>]*>1<', html)
        derived = html.split('id="derived"')[1].split("</section>")[0]
        for row in rows:
            assert f"#entry-{row.pk}" in derived
        assert "记小过（累计转换）" in derived

    def test_the_as_of_date_recomputes_the_standing(self, team: list[Staff], wang: Staff) -> None:
        li = team[0]
        post(li, Kind.CRITICISM, D(2026, 3, 2), wang)
        post(li, Kind.CRITICISM, D(2026, 6, 9), wang)
        html = text(as_staff(li).get(ME, {"as_of": "2026-04-01"}))
        assert "截至 2026-04-01" in html and "2次通报批评记为1次记小过" not in html
        bad = text(as_staff(li).get(ME, {"as_of": "2026-13-40"}))
        assert "日期格式应为 2026-11-20。" in bad

    def test_supervision_failures_and_warnings_are_explained(
        self, team: list[Staff], wang: Staff
    ) -> None:
        li = team[0]
        for month in (2, 5, 8):
            post(li, Kind.SUPERVISION_FAILURE, D(2026, month, 27), wang, failure_type=1)
        html = text(as_staff(li).get(ME))
        assert "同类第3次" in html and "警告（本期第1次）" in html
        assert "A4 四.六.1" in html

    def test_open_proposals_are_listed(self, team: list[Staff], wang: Staff) -> None:
        li = team[0]
        post(li, Kind.CRITICISM, D(2026, 8, 1), wang)
        post(li, Kind.COMMENDATION, D(2026, 9, 1), wang)
        html = text(as_staff(li).get(ME))
        proposals = html.split('id="proposals"')[1].split("</section>")[0]
        assert "功过相抵" in proposals and "A4 五.5.6" in proposals

    def test_a_manager_sees_a_team_members_standing(self, team: list[Staff], wang: Staff) -> None:
        li = team[0]
        post(li, Kind.CRITICISM, D(2026, 3, 2), wang)
        response = as_staff(wang).get(f"/discipline/staff/{li.pk}/")
        assert response.status_code == 200 and "李明的奖惩" in text(response)
        assert f"/discipline/record/?employee={li.pk}" in text(response)

    def test_a_colleague_gets_not_found(self, team: list[Staff], wang: Staff) -> None:
        li, zhao = team
        post(li, Kind.CRITICISM, D(2026, 3, 2), wang)
        response = as_staff(zhao).get(f"/discipline/staff/{li.pk}/")
        assert response.status_code == 404
        assert "李明" not in text(response)

    def test_another_companys_manager_gets_not_found(
        self, team: list[Staff], west_manager: Staff
    ) -> None:
        li = team[0]
        assert as_staff(west_manager).get(f"/discipline/staff/{li.pk}/").status_code == 404
        assert as_staff(west_manager).get("/discipline/staff/999999/").status_code == 404

    def test_anonymous_visitors_are_sent_to_log_in(self, li: Staff) -> None:
        response = Client().get(ME)
        assert response.status_code == 302 and "login" in response["Location"]

    def test_the_shell_nav_links_to_the_discipline_pages(self, li: Staff) -> None:
        html = text(as_staff(li).get(ME))
        assert 'href="/discipline/"' in html
        assert as_staff(li).get("/discipline/")["Location"] == ME


class TestTeamPage:
    def test_a_manager_sees_each_members_counts(self, team: list[Staff], wang: Staff) -> None:
        li, zhao = team
        post(li, Kind.CRITICISM, D(2026, 3, 2), wang)
        post(li, Kind.CRITICISM, D(2026, 6, 9), wang)
        post(zhao, Kind.COMMENDATION, D(2026, 5, 1), wang)
        response = as_staff(wang).get(TEAM)
        html = text(response)
        assert response.status_code == 200
        li_row = html.split(f'data-employee="{li.pk}"')[1].split("</tr>")[0]
        numbers = re.findall(r'<td class="num(?: muted)?">(\d+)</td>', li_row)
        assert numbers[:6] == ["0", "1", "0", "0", "0", "0"]  # one minor demerit
        zhao_row = html.split(f'data-employee="{zhao.pk}"')[1].split("</tr>")[0]
        assert re.findall(r'<td class="num(?: muted)?">(\d+)</td>', zhao_row)[:6] == [
            "0",
            "0",
            "0",
            "1",
            "0",
            "0",
        ]

    def test_the_team_page_shows_only_the_viewers_team(
        self, team: list[Staff], wang: Staff, cast: Any, east: Company
    ) -> None:
        outsider = cast.staff(east, "外组员工", Post.SALESPERSON)
        html = text(as_staff(wang).get(TEAM))
        assert "李明" in html and "外组员工" not in html
        assert outsider.pk

    def test_a_salesperson_may_not_open_the_team_page(self, team: list[Staff]) -> None:
        assert as_staff(team[0]).get(TEAM).status_code == 403

    def test_the_query_count_does_not_grow_with_the_team(
        self, team: list[Staff], wang: Staff, cast: Any, east: Company
    ) -> None:
        for member in team:
            post(member, Kind.CRITICISM, D(2026, 3, 2), wang)
        client = as_staff(wang)
        client.get(TEAM)  # warm caches (content types, permissions)
        with CaptureQueriesContext(connection) as small:
            assert client.get(TEAM).status_code == 200
        for n in range(4):
            extra = cast.staff(east, f"新员工{n}", Post.SALESPERSON, supervisor=wang)
            post(extra, Kind.COMMENDATION, D(2026, 4, 1), wang)
            discipline_proposal_post(
                employee=extra,
                kind="fine_in_range",
                on=D(2026, 11, 1),
                low=Decimal("200"),
                high=Decimal("500"),
                reason="抢客户",
                rule_ids=["A7.13"],
                source_type="sales.deal",
                source_id=n,
            )
        with CaptureQueriesContext(connection) as large:
            html = text(client.get(TEAM))
        assert "新员工3" in html
        # staff_reports_below walks the chain one level per query; everything else is constant.
        assert len(large) == len(small)


class TestRecordForm:
    def test_a_manager_records_a_fine(self, team: list[Staff], wang: Staff) -> None:
        li = team[0]
        response = as_staff(wang).post(
            RECORD,
            {
                "employee": li.pk,
                "kind": "fine",
                "on": "2026-11-20",
                "amount": "300",
                "points": "",
                "failure_type": "",
                "rule_ids": "A7.13",
                "reason": "抢客户，销售经理定额 300 元",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == f"/discipline/staff/{li.pk}/"
        entry = DisciplineEntry.objects.get(employee=li)
        assert entry.kind == "fine" and entry.amount == Decimal("300.00")
        assert entry.rule_ids == ["A7.13"] and entry.recorded_by == wang

    def test_fields_the_kind_does_not_use_are_ignored(self, team: list[Staff], wang: Staff) -> None:
        li = team[0]
        as_staff(wang).post(
            RECORD,
            {
                "employee": li.pk,
                "kind": "criticism",
                "on": "2026-11-20",
                "amount": "100",
                "points": "3",
                "rule_ids": "",
                "reason": "迟到",
            },
        )
        entry = DisciplineEntry.objects.get(employee=li)
        assert entry.amount is None and entry.points is None
        assert entry.rule_ids == ["A4 五.5.1"]  # the kind's clause when none is named

    def test_errors_are_clear_and_in_chinese(self, team: list[Staff], wang: Staff) -> None:
        li = team[0]
        response = as_staff(wang).post(
            RECORD, {"employee": li.pk, "kind": "fine", "on": "2026-11-20", "reason": ""}
        )
        html = text(response)
        assert response.status_code == 400
        assert "罚款须填写金额（元）。" in html and "请写明事由。" in html
        assert 'name="amount"' in html and 'name="points"' not in html
        assert not DisciplineEntry.objects.exists()
        failure = text(
            as_staff(wang).post(
                RECORD,
                {
                    "employee": li.pk,
                    "kind": "supervision_failure",
                    "on": "2026-11-20",
                    "reason": "x",
                },
            )
        )
        assert "请选择不合格类型（1–6）。" in failure
        decision_kind = text(
            as_staff(wang).post(
                RECORD,
                {"employee": li.pk, "kind": "termination", "on": "2026-11-20", "reason": "x"},
            )
        )
        assert "该类型不能手工记录" in decision_kind

    def test_one_cannot_record_for_someone_outside_ones_reach(
        self, team: list[Staff], wang: Staff, chen: Staff
    ) -> None:
        response = as_staff(wang).post(
            RECORD, {"employee": chen.pk, "kind": "criticism", "on": "2026-11-20", "reason": "x"}
        )
        assert response.status_code == 400
        assert "该员工不在您可记录的范围内。" in text(response)
        assert not DisciplineEntry.objects.exists()

    def test_a_salesperson_may_not_record(self, team: list[Staff]) -> None:
        assert as_staff(team[0]).get(RECORD).status_code == 403

    def test_the_variable_fields_follow_the_kind(self, team: list[Staff], wang: Staff) -> None:
        client = as_staff(wang)
        page = text(client.get(RECORD, {"employee": team[0].pk}))
        # Without JavaScript every variable field is on the page, each with its help text.
        assert 'name="amount"' in page and 'name="points"' in page and 'name="failure_type"' in page
        assert 'hx-get="/discipline/record/fields/"' in page
        fine = text(client.get("/discipline/record/fields/", {"kind": "fine", "amount": "250"}))
        assert 'name="amount"' in fine and 'value="250"' in fine and 'name="points"' not in fine
        points = text(client.get("/discipline/record/fields/", {"kind": "points"}))
        assert 'name="points"' in points and 'name="amount"' not in points
        criticism = text(client.get("/discipline/record/fields/", {"kind": "criticism"}))
        assert "<input" not in criticism and "<select" not in criticism


class TestDecisionQueue:
    @pytest.fixture
    def grab(self, team: list[Staff], wang: Staff) -> Any:
        return discipline_proposal_post(
            employee=team[0],
            kind="fine_in_range",
            on=D(2026, 11, 18),
            low=Decimal("200"),
            high=Decimal("500"),
            reason="未经同意继续接待他人的客户（抢客户）",
            rule_ids=["A7.13"],
            source_type="sales.deal",
            source_id=7,
            decider_post=Post.SALES_MANAGER,
        )

    def test_the_decider_sees_the_proposal_with_its_range_and_rule(
        self, grab: Any, wang: Staff
    ) -> None:
        html = text(as_staff(wang).get(DECISIONS))
        assert "抢客户" in html and "A7.13" in html
        assert "允许范围：200.00–500.00 元" in html
        assert 'min="200.00"' in html and 'max="500.00"' in html

    def test_approving_a_fine_within_the_range_writes_the_entry(
        self, grab: Any, wang: Staff
    ) -> None:
        response = as_staff(wang).post(
            DECIDE,
            {"key": f"stored:{grab.pk}", "outcome": "approved", "amount": "300", "reason": "初犯"},
        )
        assert response.status_code == 302
        entry = DisciplineEntry.objects.get(kind="fine")
        assert entry.amount == Decimal("300.00") and entry.rule_ids == ["A7.13"]
        assert "抢客户" not in text(as_staff(wang).get(DECISIONS))

    def test_an_amount_outside_the_range_is_refused_with_the_range(
        self, grab: Any, wang: Staff
    ) -> None:
        response = as_staff(wang).post(
            DECIDE,
            {"key": f"stored:{grab.pk}", "outcome": "approved", "amount": "600", "reason": "重犯"},
        )
        html = text(response)
        assert response.status_code == 400
        assert "超出规定范围" in html and "200.00–500.00 元" in html
        assert 'value="600"' in html and "重犯" in html
        assert not DisciplineEntry.objects.filter(kind="fine").exists()

    def test_a_rejection_needs_a_reason(self, grab: Any, wang: Staff) -> None:
        client = as_staff(wang)
        missing = client.post(DECIDE, {"key": f"stored:{grab.pk}", "outcome": "rejected"})
        assert missing.status_code == 400 and "请写明决定的理由。" in text(missing)
        done = client.post(
            DECIDE,
            {"key": f"stored:{grab.pk}", "outcome": "rejected", "amount": "300", "reason": "误报"},
        )
        assert done.status_code == 302
        assert ProposalDecision.objects.get().outcome == "rejected"

    def test_a_derived_offset_shows_its_explanation_and_can_be_approved(
        self, team: list[Staff], wang: Staff
    ) -> None:
        li = team[0]
        penalty = post(li, Kind.CRITICISM, D(2026, 8, 1), wang, reason="未按时回访")
        merit = post(li, Kind.COMMENDATION, D(2026, 9, 1), wang, reason="客户来信表扬")
        html = text(as_staff(wang).get(DECISIONS))
        assert "功过相抵" in html and "A4 五.5.6" in html
        assert f"/discipline/staff/{li.pk}/#entry-{penalty.pk}" in html
        assert "客户来信表扬" in html
        key = f"offset:{'+'.join(sorted([str(merit.pk), str(penalty.pk)]))}"
        response = as_staff(wang).post(
            DECIDE, {"key": key, "outcome": "approved", "reason": "表现良好"}
        )
        assert response.status_code == 302
        assert DisciplineEntry.objects.filter(kind="offset").exists()
        assert re.search(
            r'data-level="criticism">\s*<h3[^>]*>通报批评\s*<span[^>]*>0<',
            text(as_staff(li).get(ME)),
        )

    def test_only_deciders_open_the_queue(self, grab: Any, team: list[Staff]) -> None:
        assert as_staff(team[0]).get(DECISIONS).status_code == 403
        assert (
            as_staff(team[0])
            .post(DECIDE, {"key": f"stored:{grab.pk}", "outcome": "approved", "reason": "x"})
            .status_code
            == 403
        )

    def test_another_companys_decider_cannot_decide(self, grab: Any, west_manager: Staff) -> None:
        assert "抢客户" not in text(as_staff(west_manager).get(DECISIONS))
        response = as_staff(west_manager).post(
            DECIDE,
            {"key": f"stored:{grab.pk}", "outcome": "approved", "amount": "300", "reason": "x"},
        )
        assert response.status_code == 404
        assert not ProposalDecision.objects.exists()

    def test_the_query_count_does_not_grow_with_the_queue(
        self, sun: Staff, cast: Any, east: Company, wang: Staff
    ) -> None:
        def add_people(n: int, start: int) -> None:
            for i in range(start, start + n):
                person = cast.staff(east, f"员工{i}", Post.SALESPERSON)
                post(person, Kind.CRITICISM, D(2026, 8, 1), wang)
                post(person, Kind.COMMENDATION, D(2026, 9, 1), wang)

        add_people(2, 0)
        client = as_staff(sun)
        client.get(DECISIONS)
        with CaptureQueriesContext(connection) as small:
            client.get(DECISIONS)
        add_people(4, 2)
        with CaptureQueriesContext(connection) as large:
            html = text(client.get(DECISIONS))
        assert html.count('class="card decision"') == 6
        assert len(large) == len(small)


class TestCompanyReport:
    def test_the_report_has_a_table_and_a_stacked_bar_chart(
        self, sun: Staff, team: list[Staff], wang: Staff
    ) -> None:
        li, zhao = team
        post(li, Kind.CRITICISM, D(2026, 3, 2), wang)
        post(li, Kind.FINE, D(2026, 3, 9), wang, amount=Decimal("300"), rule_ids=["A7.13"])
        post(zhao, Kind.COMMENDATION, D(2026, 5, 1), wang)
        post(zhao, Kind.CRITICISM, D(2025, 5, 1), wang)  # another year
        response = as_staff(sun).get(REPORT, {"year": "2026"})
        html = text(response)
        assert response.status_code == 200
        table = html.split('id="report-table"')[1].split("</table>")[0]
        assert "2026-03" in table and "2026-05" in table and "2025" not in table
        option = json.loads(
            html.split('id="discipline-report-chart" type="application/json">')[1].split(
                "</script>"
            )[0]
        )
        stacks = {s["stack"] for s in option["series"]}
        assert stacks == {"penalties", "rewards"}
        penalties = next(s for s in option["series"] if s["stack"] == "penalties")
        assert penalties["data"][2] == 2 and sum(penalties["data"]) == 2
        assert (
            "vendor/echarts.min.js" in html
            and 'data-chart-option="discipline-report-chart"' in html
        )
        assert "<script>" not in html  # no inline script (CSP)

    def test_the_report_is_only_for_the_company_view(self, wang: Staff, team: list[Staff]) -> None:
        assert as_staff(wang).get(REPORT).status_code == 403
        assert as_staff(team[0]).get(REPORT).status_code == 403

    def test_another_company_sees_only_its_own(
        self, team: list[Staff], wang: Staff, west_manager: Staff
    ) -> None:
        post(team[0], Kind.CRITICISM, D(2026, 3, 2), wang)
        html = text(as_staff(west_manager).get(REPORT, {"year": "2026"}))
        assert "营销部" not in html and "没有奖惩记录" in html

    def test_a_bad_year_is_explained(self, sun: Staff) -> None:
        html = text(as_staff(sun).get(REPORT, {"year": "abc"}))
        assert "年度应为四位数字，如 2026。" in html


class TestHomeQueue:
    def test_the_summary_queue_counts_the_deciders_open_proposals(
        self, cast: Any, west: Company, west_manager: Staff
    ) -> None:
        from kehu.core.web.queues import queue_states_for_staff
        from kehu.discipline import queues

        inspector = cast.staff(west, "安检员", Post.SAFETY_INSPECTOR, supervisor=west_manager)
        post(inspector, Kind.CRITICISM, D(2026, 8, 1), west_manager)
        post(inspector, Kind.COMMENDATION, D(2026, 9, 1), west_manager)
        assert queues.discipline_summary_count(west_manager) == 1
        states = {s.queue.key: s.count for s in queue_states_for_staff(staff=west_manager)}
        assert states["discipline.summary"] == 1
        home = text(as_staff(west_manager).get("/"))
        assert 'data-queue="discipline.summary"' in home
