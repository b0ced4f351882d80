"""The discipline API at /api/v1/discipline/: every endpoint answers its users and tells an
outsider (another company, or someone who may not see the ledger) "not found" or "forbidden"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.discipline import rules, selectors
from kehu.discipline.models import DisciplineEntry, ProposalDecision
from kehu.discipline.policy import DisciplineSettings
from kehu.discipline.rules import Kind
from kehu.discipline.services import discipline_entry_post, discipline_proposal_post

D = dt.date
BASE = "/api/v1/discipline"


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def team(wang: Staff, li: Staff) -> Staff:
    li.supervisor = wang
    li.save()
    return li


@pytest.fixture
def hr(cast: Any, east: Company) -> Staff:
    return cast.staff(east, "人事刘", Post.HR)


@pytest.fixture
def west_manager(cast: Any, west: Company) -> Staff:
    return cast.staff(west, "西湖经理", Post.MANAGER)


def as_(client: Client, staff: Staff) -> Client:
    client.force_login(staff.user)
    return client


def post(
    employee: Staff, kind: Kind | str, on: dt.date, by: Staff, **extra: Any
) -> DisciplineEntry:
    return discipline_entry_post(
        employee=employee,
        on=on,
        kind=kind,
        reason=extra.pop("reason", "测试"),
        rule_ids=extra.pop("rule_ids", []),
        recorded_by=by,
        **extra,
    )


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.content.decode()
    return str(response.json()["error"]["code"])


def denials() -> int:
    return AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


# --- entries -----------------------------------------------------------------------------------


def test_staff_list_their_own_entries_newest_first(
    client: Client, team: Staff, wang: Staff
) -> None:
    first = post(team, "criticism", D(2026, 1, 5), wang)
    second = post(team, "fine", D(2026, 2, 5), wang, amount=Decimal("300"), rule_ids=["A7.13"])
    body = as_(client, team).get(f"{BASE}/entries").json()
    assert body["count"] == 2 and body["page"] == 1
    assert [item["id"] for item in body["items"]] == [second.pk, first.pk]
    assert body["items"][0]["amount"] == "300.00" and body["items"][0]["kind_label"] == "罚款"
    assert body["items"][0]["recorded_by_name"] == "王经理"


def test_a_supervisor_lists_a_team_members_entries(
    client: Client, team: Staff, wang: Staff
) -> None:
    post(team, "criticism", D(2026, 1, 5), wang)
    response = as_(client, wang).get(f"{BASE}/entries", {"employee_id": team.pk})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_outsiders_do_not_see_an_employees_entries(
    client: Client, team: Staff, wang: Staff, zhao: Staff, chen: Staff
) -> None:
    post(team, "criticism", D(2026, 1, 5), wang)
    for outsider in (zhao, chen):
        response = as_(client, outsider).get(f"{BASE}/entries", {"employee_id": team.pk})
        assert error_code(response, 404) == "discipline.not_found"


def test_a_manager_records_an_entry(client: Client, team: Staff, wang: Staff) -> None:
    response = as_(client, wang).post(
        f"{BASE}/entries",
        {"employee_id": team.pk, "on": "2026-11-20", "kind": "bonus", "amount": "500",
         "reason": "签约冠军", "rule_ids": ["A4 五.5.2"]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "bonus" and body["amount"] == "500.00" and body["employee_id"] == team.pk
    assert DisciplineEntry.objects.get().recorded_by == wang


def test_recording_without_the_permission_is_403_and_audited_once(
    client: Client, team: Staff, zhao: Staff
) -> None:
    response = as_(client, zhao).post(
        f"{BASE}/entries",
        {"employee_id": team.pk, "on": "2026-11-20", "kind": "criticism", "reason": "x"},
        content_type="application/json",
    )
    assert error_code(response, 403) == "discipline.permission_denied"
    assert denials() == 1


def test_recording_for_another_companys_employee_is_not_found(
    client: Client, team: Staff, west_manager: Staff
) -> None:
    response = as_(client, west_manager).post(
        f"{BASE}/entries",
        {"employee_id": team.pk, "on": "2026-11-20", "kind": "criticism", "reason": "x"},
        content_type="application/json",
    )
    assert error_code(response, 404) == "discipline.not_found"
    assert not DisciplineEntry.objects.exists()


def test_kinds_that_come_from_decisions_are_not_accepted(
    client: Client, team: Staff, wang: Staff
) -> None:
    response = as_(client, wang).post(
        f"{BASE}/entries",
        {"employee_id": team.pk, "on": "2026-11-20", "kind": "termination", "reason": "x"},
        content_type="application/json",
    )
    assert error_code(response, 422) == "validation_error"


# --- employees ---------------------------------------------------------------------------------


def test_employees_lists_whose_ledgers_the_caller_may_read(
    client: Client, team: Staff, wang: Staff, chen: Staff
) -> None:
    body = as_(client, wang).get(f"{BASE}/employees").json()
    assert {item["id"] for item in body["items"]} == {wang.pk, team.pk}
    outsider = as_(client, chen).get(f"{BASE}/employees").json()
    assert {item["id"] for item in outsider["items"]} == {chen.pk}


# --- standing ----------------------------------------------------------------------------------


def test_the_standing_is_the_rules_over_the_ledger(
    client: Client, team: Staff, wang: Staff
) -> None:
    c1 = post(team, "criticism", D(2026, 1, 5), wang)
    c2 = post(team, "criticism", D(2026, 2, 5), wang)
    post(team, "commendation", D(2026, 3, 5), wang)
    post(team, "fine", D(2026, 3, 6), wang, amount=Decimal("300"), rule_ids=["A7.13"])
    response = as_(client, team).get(f"{BASE}/standing/{team.pk}", {"as_of": "2026-11-27"})
    assert response.status_code == 200, response.content
    body = response.json()
    # Then the numbers, the explanation and the policy version are what the rules say
    assert body["counts"]["minor_demerit"] == 1 and body["counts"]["commendation"] == 1
    assert body["derived"][0]["from_ids"] == [str(c1.pk), str(c2.pk)]
    assert body["fines"] == "300.00" and body["money_net"] == "-300.00"
    assert body["policy_ref"] == "discipline@default"
    assert "A4 五.5.5(惩罚)" in body["rule_ids"] and "A7.13" in body["rule_ids"]
    assert [e["id"] for e in body["entries"]] == [
        e.pk for e in DisciplineEntry.objects.order_by("on", "pk")
    ]
    # And the core of the answer equals the rules' standing recomputed from the ledger
    recomputed = rules.standing(
        [selectors.entry_as_rules_entry(e) for e in DisciplineEntry.objects.all()],
        DisciplineSettings().as_rules_policy(),
        D(2026, 11, 27),
    )
    expected = selectors.standing_as_json(recomputed)
    shown = {key: body[key] for key in expected}
    for proposal in shown["proposals"]:
        proposal.pop("open")
        proposal.pop("decision")
    assert shown == expected


def test_the_standing_marks_proposals_open_or_decided(
    client: Client, team: Staff, wang: Staff
) -> None:
    post(team, "criticism", D(2026, 3, 1), wang)
    post(team, "commendation", D(2026, 6, 1), wang)
    (proposal,) = as_(client, team).get(f"{BASE}/standing/{team.pk}").json()["proposals"]
    assert proposal["kind"] == "offset" and proposal["open"] and proposal["decision"] is None


def test_the_standing_lists_proposals_other_apps_posted(
    client: Client, team: Staff, wang: Staff
) -> None:
    discipline_proposal_post(
        employee=team, kind="fine_in_range", on=D(2026, 11, 20), low=Decimal("200"),
        high=Decimal("500"), reason="抢客户", rule_ids=["A7.13"], source_type="sales.deal",
        source_id=7,
    )  # fmt: skip
    (stored,) = as_(client, team).get(f"{BASE}/standing/{team.pk}").json()["stored_proposals"]
    assert stored["low"] == "200.00" and stored["open"] and stored["rule_ids"] == ["A7.13"]


def test_a_supervisor_and_hr_see_the_standing(
    client: Client, team: Staff, wang: Staff, hr: Staff
) -> None:
    for viewer in (wang, hr):
        assert as_(client, viewer).get(f"{BASE}/standing/{team.pk}").status_code == 200


def test_outsiders_get_404_for_a_standing(
    client: Client, team: Staff, zhao: Staff, chen: Staff, west_manager: Staff
) -> None:
    for outsider in (zhao, chen, west_manager):
        response = as_(client, outsider).get(f"{BASE}/standing/{team.pk}")
        assert error_code(response, 404) == "discipline.not_found"
    response = as_(client, team).get(f"{BASE}/standing/999999")
    assert error_code(response, 404) == "discipline.not_found"


def test_a_bad_as_of_is_a_validation_error(client: Client, team: Staff) -> None:
    response = as_(client, team).get(f"{BASE}/standing/{team.pk}", {"as_of": "2026-13-01"})
    assert error_code(response, 422) == "validation_error"


# --- proposals and decisions -------------------------------------------------------------------


def grab(employee: Staff) -> int:
    proposal = discipline_proposal_post(
        employee=employee, kind="fine_in_range", on=D(2026, 11, 20), low=Decimal("200"),
        high=Decimal("500"), reason="抢客户", rule_ids=["A7.13"], source_type="sales.deal",
        source_id=42,
    )  # fmt: skip
    return proposal.pk


def test_the_manager_sees_the_queue_and_decides_a_fine(
    client: Client, team: Staff, wang: Staff
) -> None:
    m1 = post(team, "major_demerit", D(2026, 5, 1), wang)
    m2 = post(team, "major_demerit", D(2026, 6, 1), wang)
    stored_id = grab(team)
    as_(client, wang)
    queue = client.get(f"{BASE}/proposals").json()
    assert [item["key"] for item in queue] == [
        f"termination:{m1.pk}+{m2.pk}",
        f"stored:{stored_id}",
    ]
    assert queue[1]["low"] == "200.00" and queue[1]["source_type"] == "sales.deal"
    response = client.post(
        f"{BASE}/proposals/stored:{stored_id}/decision",
        {"outcome": "approved", "amount": "350", "reason": "按 350 元"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "approved" and body["amount"] == "350.00"
    assert DisciplineEntry.objects.get(pk=body["resulting_entry_id"]).kind == "fine"
    assert [item["key"] for item in client.get(f"{BASE}/proposals").json()] == [
        f"termination:{m1.pk}+{m2.pk}"
    ]


def test_a_derived_key_with_a_plus_sign_travels_in_the_path(
    client: Client, team: Staff, wang: Staff
) -> None:
    m1 = post(team, "major_demerit", D(2026, 5, 1), wang)
    m2 = post(team, "major_demerit", D(2026, 6, 1), wang)
    response = as_(client, wang).post(
        f"{BASE}/proposals/termination:{m1.pk}+{m2.pk}/decision",
        {"outcome": "rejected", "reason": "暂缓"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert ProposalDecision.objects.get().proposal_key == f"termination:{m1.pk}+{m2.pk}"


def test_a_fine_outside_the_range_is_422_naming_the_range(
    client: Client, team: Staff, wang: Staff
) -> None:
    stored_id = grab(team)
    response = as_(client, wang).post(
        f"{BASE}/proposals/stored:{stored_id}/decision",
        {"outcome": "approved", "amount": "800", "reason": "x"},
        content_type="application/json",
    )
    assert error_code(response, 422) == "discipline.amount_out_of_range"
    assert "200.00–500.00" in response.json()["error"]["message"]


def test_deciding_twice_is_409(client: Client, team: Staff, wang: Staff) -> None:
    stored_id = grab(team)
    as_(client, wang)
    url = f"{BASE}/proposals/stored:{stored_id}/decision"
    first = client.post(
        url, {"outcome": "rejected", "reason": "x"}, content_type="application/json"
    )
    assert first.status_code == 201
    again = client.post(
        url, {"outcome": "rejected", "reason": "y"}, content_type="application/json"
    )
    assert error_code(again, 409) == "discipline.already_decided"


def test_outsiders_see_no_proposals_and_cannot_decide(
    client: Client, team: Staff, west_manager: Staff, chen: Staff
) -> None:
    stored_id = grab(team)
    assert as_(client, chen).get(f"{BASE}/proposals").json() == []
    assert as_(client, west_manager).get(f"{BASE}/proposals").json() == []
    response = client.post(
        f"{BASE}/proposals/stored:{stored_id}/decision",
        {"outcome": "rejected", "reason": "x"},
        content_type="application/json",
    )
    assert error_code(response, 404) == "discipline.not_found"
    assert not ProposalDecision.objects.exists()


def test_deciding_without_the_permission_is_403_and_audited_once(
    client: Client, team: Staff, hr: Staff
) -> None:
    stored_id = grab(team)
    response = as_(client, hr).post(
        f"{BASE}/proposals/stored:{stored_id}/decision",
        {"outcome": "rejected", "reason": "x"},
        content_type="application/json",
    )
    assert error_code(response, 403) == "discipline.permission_denied"
    assert denials() == 1


# --- report ------------------------------------------------------------------------------------


def test_hr_reads_the_company_report(client: Client, team: Staff, wang: Staff, hr: Staff) -> None:
    post(team, "fine", D(2026, 3, 2), wang, amount=Decimal("300"))
    body = as_(client, hr).get(f"{BASE}/report", {"year": 2026}).json()
    assert body == {
        "year": 2026,
        "rows": [
            {"department": "营销部", "month": 3, "penalties": 1, "rewards": 0, "fines": "300.00",
             "bonuses": "0.00", "points_added": 0, "points_deducted": 0},
        ],
    }  # fmt: skip


def test_the_report_is_403_without_company_view(
    client: Client, team: Staff, wang: Staff, west_manager: Staff
) -> None:
    post(team, "fine", D(2026, 3, 2), wang, amount=Decimal("300"))
    response = as_(client, wang).get(f"{BASE}/report", {"year": 2026})
    assert error_code(response, 403) == "discipline.permission_denied"
    assert denials() == 1
    # another company's manager sees only their own (empty) company
    assert as_(client, west_manager).get(f"{BASE}/report", {"year": 2026}).json()["rows"] == []


def test_anonymous_callers_get_401(client: Client) -> None:
    assert client.get(f"{BASE}/entries").status_code == 401


# --- admin -------------------------------------------------------------------------------------


def test_the_admin_shows_the_ledger_read_only(
    client: Client, admin_user: Any, team: Staff, wang: Staff
) -> None:
    entry = post(team, "criticism", D(2026, 1, 5), wang)
    client.force_login(admin_user)
    for model in ("disciplineentry", "disciplineproposal", "proposaldecision"):
        listing = client.get(f"/admin/discipline/{model}/")
        assert listing.status_code == 200
        assert client.get(f"/admin/discipline/{model}/add/").status_code == 403
    page = client.get(f"/admin/discipline/disciplineentry/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
