"""Live app and replay agree (issue #4, "Done when"): days of visits are driven through the live
reception services on the test database, with time-machine moving the clock; the period is then
exported (``kehu rules sales --export``) and replayed (``--compare``): every stored decision
equals its replay. Also: the export carries the policy version each decision used, a policy
change shows up as differences, and replay is deterministic (same input → same output).

The day driver (``OfficeDay``, ``visit_steps``) is shared with test_owner_invariant.py.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.core.policy.services import policy_version_create
from kehu.sales import reception_services as services
from kehu.sales.models.reception import OwnershipDecision
from kehu.sales.models.registration import PhoneEnquiry
from kehu.sales.registration_services import CallDetails, VisitDetails, phone_enquiry_record
from kehu.sales.replay import ReplayInput, replay, replay_compare
from kehu.sales.replay_export import decisions_export
from kehu.sales.rotation_services import rotation_day_open
from kehu.sales.rules import LOCAL_TZ

from .test_rotation_cast import Office, make_office

START = dt.datetime(2026, 9, 1, 9, 30, tzinfo=LOCAL_TZ)

# --- the day driver ------------------------------------------------------------------------------


@dataclass
class Known:
    """A customer the driver made: their file, the name and phone the desk writes."""

    customer_id: int
    name: str
    phone: str
    last_day: dt.date | None = None  # the local day of their latest registered visit


@dataclass
class OfficeDay:
    """Drives the office through the live services, moving the clock between steps."""

    office: Office
    admin: Staff
    now: dt.datetime = START
    opened: set[dt.date] = field(default_factory=set)
    customers: list[Known] = field(default_factory=list)
    phone_only: list[Known] = field(default_factory=list)
    serial: int = 0
    after_each: Callable[[OfficeDay], None] | None = None

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def at(self) -> Any:
        return time_machine.travel(self.now, tick=False)

    def wait(self, days: int, minutes: int) -> None:
        self.now += dt.timedelta(days=days, minutes=minutes)
        if self.now.astimezone(LOCAL_TZ).hour >= 21:  # the office closes; on to tomorrow 9:30
            tomorrow = self.now.astimezone(LOCAL_TZ).date() + dt.timedelta(days=1)
            self.now = dt.datetime.combine(tomorrow, dt.time(9, 30), tzinfo=LOCAL_TZ)

    def _open(self) -> None:
        day = self.now.astimezone(LOCAL_TZ).date()
        if day not in self.opened:
            rotation_day_open(actor=self.office.pm, site=self.office.site)
            self.opened.add(day)

    def seller(self, index: int) -> Staff:
        sellers = self.office.sellers
        return sellers[index % len(sellers)]

    def visit(
        self,
        *,
        arrival: str,
        details: VisitDetails,
        customer_id: int | None = None,
        named: Staff | None = None,
    ) -> services.RegisterResult:
        """One visit: arrive, register, end — each a moment apart on the clock."""
        desk = self.office.desk
        with self.at():
            self._open()
            visit = services.visit_arrive(
                actor=desk,
                site=self.office.site,
                arrival=arrival,
                named_staff_id=named.pk if named else None,
            )
        self.wait(0, 20)
        with self.at():
            done = services.visit_register(
                actor=desk, visit_id=visit.pk, details=details, customer_id=customer_id
            )
        self.wait(0, 5)
        with self.at():
            services.visit_end(actor=desk, visit_id=visit.pk)
        self.wait(0, 5)
        if self.after_each is not None:
            self.after_each(self)
        registered_on = (done.visit.registered_at or self.now).astimezone(LOCAL_TZ).date()
        for known in [*self.customers, *self.phone_only]:
            if known.customer_id == done.visit.customer_id:
                known.last_day = registered_on
        return done

    # --- the steps ------------------------------------------------------------------------------

    def walk_in(self) -> None:
        """A new visitor asking for nobody: the rotation receives (A2.12, A1.5)."""
        n = self._next()
        known = Known(0, f"散客{n}", f"1391{n:07d}")
        done = self.visit(
            arrival="walk_in", details=VisitDetails(customer_name=known.name, contact=known.phone)
        )
        known.customer_id = done.visit.customer_id or 0
        known.last_day = self.now.astimezone(LOCAL_TZ).date()
        self.customers.append(known)

    def asked_for(self, seller: int) -> None:
        """A new visitor asking for a salesperson (A7.9(2) / A7.12(2) shape)."""
        n = self._next()
        known = Known(0, f"点名客{n}", f"1392{n:07d}")
        done = self.visit(
            arrival="asked_for",
            named=self.seller(seller),
            details=VisitDetails(customer_name=known.name, contact=known.phone),
        )
        known.customer_id = done.visit.customer_id or 0
        known.last_day = self.now.astimezone(LOCAL_TZ).date()
        self.customers.append(known)

    def returns(self, pick: int, asks_for: int | None) -> None:
        """An old customer comes back (A7.14–A7.16 windows, A1.5), walking in or asking for
        someone."""
        if not self.customers:
            return self.walk_in()
        known = self.customers[pick % len(self.customers)]
        if known.last_day == self.now.astimezone(LOCAL_TZ).date():
            # the book keeps one line per customer per day: a second visit is another day's
            self.wait(1, 0)
        self.visit(
            arrival="walk_in" if asks_for is None else "asked_for",
            named=None if asks_for is None else self.seller(asks_for),
            details=VisitDetails(customer_name=known.name, contact=known.phone),
            customer_id=known.customer_id,
        )
        return None

    def phones(self, seller: int) -> None:
        """A salesperson takes a phone enquiry (A7.5): the caller is their phone customer."""
        n = self._next()
        known = Known(0, f"来电客{n}", f"1393{n:07d}")
        with self.at():
            enquiry = phone_enquiry_record(
                staff=self.seller(seller),
                details=CallDetails(caller_name=known.name, contact=known.phone),
                called_at=self.now,
            )
        known.customer_id = enquiry.customer_id or 0
        self.phone_only.append(known)
        self.wait(0, 10)

    def phone_customer_visits(self, pick: int, asks_for_the_caller: bool) -> None:
        """The phone customer comes (A7.12): asking for whoever took the call, or nobody."""
        if not self.phone_only:
            return self.phones(pick)
        known = self.phone_only.pop(pick % len(self.phone_only))
        enquiry = PhoneEnquiry.objects.filter(customer_id=known.customer_id).first()
        assert enquiry is not None
        named = Staff.objects.get(pk=enquiry.desk_owner_id) if asks_for_the_caller else None
        self.visit(
            arrival="phone_customer" if named else "walk_in",
            named=named,
            details=VisitDetails(customer_name=known.name, contact=known.phone),
            customer_id=known.customer_id,
        )
        # popped before the visit, so ``visit`` could not note the day: the book keeps one line
        # per customer per day, and a return must come another day
        known.last_day = self.now.astimezone(LOCAL_TZ).date()
        self.customers.append(known)
        return None

    def namesake(self, pick: int) -> None:
        """Someone with an old customer's full name but another phone: a full-name-only match
        waits for the sales manager (A7.4 reading, A7.20)."""
        if not self.customers:
            return self.walk_in()
        n = self._next()
        name = self.customers[pick % len(self.customers)].name
        known = Known(0, name, f"1394{n:07d}")
        done = self.visit(
            arrival="walk_in", details=VisitDetails(customer_name=name, contact=known.phone)
        )
        known.customer_id = done.visit.customer_id or 0
        known.last_day = self.now.astimezone(LOCAL_TZ).date()
        self.customers.append(known)
        return None

    def policy(self, days: int) -> None:
        """The sales manager's office changes the 60-day window from now on (a new version)."""
        with self.at():
            try:
                policy_version_create(
                    staff=self.admin,
                    key="sales",
                    values={"new_customer_after_days": days},
                    effective_from=self.now,
                    note="试行新的新客户期限",
                )
            except Exception as exc:  # the same values again: no new version
                if getattr(exc, "code", "") != "policy.no_change":
                    raise
        self.wait(0, 1)


Step = tuple[str, int, int]

STEP_KINDS = ("walk_in", "asked_for", "returns", "phones", "phone_visit", "namesake", "policy")


def visit_steps(max_size: int = 10) -> st.SearchStrategy[list[Step]]:
    """Sequences of steps: each a kind, two small numbers (who, which), and days waited first
    (0–75: old customers return inside and outside the 30- and 60-day windows)."""
    step = st.tuples(
        st.sampled_from(STEP_KINDS), st.integers(0, 7), st.integers(0, 75), st.booleans()
    ).map(lambda t: (t[0], t[1] * 2 + int(t[3]), t[2]))
    return st.lists(step, min_size=1, max_size=max_size)


def run_steps(day: OfficeDay, steps: list[Step]) -> None:
    for kind, who, days in steps:
        day.wait(days if kind in ("returns", "phone_visit", "policy") else 0, 7)
        if kind == "walk_in":
            day.walk_in()
        elif kind == "asked_for":
            day.asked_for(who)
        elif kind == "returns":
            day.returns(who, None if who % 3 else who // 3)
        elif kind == "phones":
            day.phones(who)
        elif kind == "phone_visit":
            day.phone_customer_visits(who, asks_for_the_caller=bool(who % 2))
        elif kind == "namesake":
            day.namesake(who)
        elif kind == "policy":
            day.policy(30 + 15 * (who % 5))


@contextmanager
def office_day(
    cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> Iterator[OfficeDay]:
    """A fresh office for one hypothesis example, rolled back afterwards (a savepoint)."""
    with transaction.atomic():
        with time_machine.travel(START, tick=False):
            office = make_office(cast, east, li, zhao, wang, chen)
            admin = cast.staff(east, "系统管理员", Post.SYSTEM_ADMIN, site=office.site)
        yield OfficeDay(office=office, admin=admin)
        transaction.set_rollback(True)


def export_all(day: OfficeDay) -> dict[str, Any]:
    """Every decision of the office so far, exported as a replay input."""
    first = START.date() - dt.timedelta(days=1)
    last = day.now.astimezone(LOCAL_TZ).date() + dt.timedelta(days=1)
    return decisions_export(
        company=day.office.site.company, site=day.office.site, first_day=first, last_day=last
    )


def as_input(exported: dict[str, Any], **changes: Any) -> ReplayInput:
    """The export read back as ``kehu rules sales --input`` reads a file (through JSON)."""
    return ReplayInput.model_validate({**json.loads(json.dumps(exported)), **changes})


# The live flow keeps each decision's facts (``OwnershipDecision.facts``) once the reception
# work lands (``reception_services.visit_facts``); until then the live comparisons cannot run.
needs_live_facts = pytest.mark.xfail(
    not hasattr(services, "visit_facts"),
    reason="the live flow does not store OwnershipDecision.facts yet (reception work, issue #4)",
    strict=True,
)

PROPERTY = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- live app and replay agree -------------------------------------------------------------------


@needs_live_facts
@PROPERTY
@given(steps=visit_steps())
def test_every_stored_decision_equals_its_replay(
    cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff, steps: list[Step]
) -> None:
    with office_day(cast, east, li, zhao, wang, chen) as day:
        # given days of walk-ins, asked-for visitors, phone customers, old customers returning
        # after up to 75 days, namesakes and policy changes, driven through the live services
        run_steps(day, steps)
        stored = OwnershipDecision.objects.filter(company=east).count()
        # when the period is exported and replayed against the stored decisions
        exported = export_all(day)
        result = replay_compare(as_input(exported))
        # then every decision was exported with its facts, and none differs from its replay
        assert exported["source"]["skipped"] == []
        assert result["compared"] == stored == len(exported["cases"])
        assert result["differences"] == []


@needs_live_facts
def test_the_export_names_the_policy_version_each_decision_used(
    cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> None:
    with office_day(cast, east, li, zhao, wang, chen) as day:
        # given a walk-in under the rulebook's defaults, then a new policy version, then another
        day.walk_in()
        day.policy(90)
        day.walk_in()
        exported = export_all(day)
        # then each case names the version its decision used, and the file holds its values
        refs = [case["policy"] for case in exported["cases"]]
        assert refs[0] != refs[1] and refs[1] == "sales@v1"
        assert exported["policies"]["sales@v1"]["new_customer_after_days"] == 90
        assert exported["policies"][refs[0]]["new_customer_after_days"] == 60
        # and each case carries the decision as stored, and the names of the salespeople
        first = OwnershipDecision.objects.order_by("decided_at", "pk").first()
        assert first is not None
        assert exported["cases"][0]["stored"] == first.detail
        assert exported["cases"][0]["id"] == f"decision:{first.pk}"
        assert set(exported["names"].values()) <= {s.name for s in day.office.sellers}


@needs_live_facts
def test_a7_15_trying_a_longer_window_on_past_decisions_shows_the_difference(
    cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> None:
    with office_day(cast, east, li, zhao, wang, chen) as day:
        # given 散客 received by the first on the rotation on day 1
        day.walk_in()
        first = OwnershipDecision.objects.get()
        # and 70 days later, after a new visitor took that turn, 散客 walks in again and the
        # rotation gives him to the next salesperson: a new customer of theirs (A7.15, 60 days)
        day.wait(70, 0)
        day.walk_in()
        day.returns(0, None)
        later = OwnershipDecision.objects.order_by("-decided_at", "-pk").first()
        assert later is not None and "A7.15" in later.rule_ids
        assert later.owner_after != first.owner_after
        exported = export_all(day)
        # when the sales manager replays the period as it was, nothing differs
        assert replay_compare(as_input(exported))["differences"] == []
        # when she tries a 90-day window on it
        tried = replay_compare(as_input(exported, policy={"new_customer_after_days": 90}))
        # then only the return visit differs: within 90 days he stays with the first receiver
        assert (tried["compared"], tried["different"]) == (3, 1)
        (difference,) = tried["differences"]
        assert difference["id"] == f"decision:{later.pk}"
        assert "owner_after" in difference["fields"] and "rule_ids" in difference["fields"]
        assert difference["stored"]["owner_after"] == later.owner_after
        assert difference["replayed"]["owner_after"] == first.owner_after
        assert difference["policy"].endswith("+file")


# --- the command ---------------------------------------------------------------------------------


def run_rules(*args: str) -> str:
    out = io.StringIO()
    call_command("rules", "sales", *args, stdout=out)
    return out.getvalue()


@needs_live_facts
def test_export_then_input_then_compare_through_the_command(
    tmp_path: Path, cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> None:
    with office_day(cast, east, li, zhao, wang, chen) as day:
        # given a morning of two walk-ins and an asked-for visitor
        day.walk_in()
        day.walk_in()
        day.asked_for(1)
        on = START.date().isoformat()
        # when the day is exported with kehu rules sales --export
        text = run_rules(
            "--export", "--company", east.code, "--site", str(day.office.site.pk), "--from", on
        )
        path = tmp_path / "day.json"
        path.write_text(text, encoding="utf-8")
        exported = json.loads(text)
        assert exported["source"]["from"] == exported["source"]["to"] == on
        assert len(exported["cases"]) == 3
        # and the export of evidence is audited
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT, company=east).exists()
        # then --input replays the three decisions, each with the policy it used
        replayed = json.loads(run_rules("--input", str(path)))
        assert [d["id"] for d in replayed["decisions"]] == [c["id"] for c in exported["cases"]]
        assert replayed["policy"] == "stored"
        # and --compare finds nothing changed
        compared = json.loads(run_rules("--input", str(path), "--compare"))
        assert (compared["compared"], compared["same"], compared["different"]) == (3, 3, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--export", "--company", "nobody", "--from", "2026-09-01"), "找不到代码为"),
        (("--export", "--company", "huadong"), "--from"),
        (("--export", "--company", "huadong", "--from", "2026-09-31"), "无效"),
        (
            ("--export", "--company", "huadong", "--from", "2026-09-02", "--to", "2026-09-01"),
            "早于起始日期",
        ),
        (
            ("--export", "--company", "huadong", "--from", "2026-09-01", "--site", "火星"),
            "没有项目",
        ),
        (("--export", "--input", "x.json"), "不能同时使用"),
        ((), "--input"),
    ],
)
def test_bad_export_options_exit_2_in_both_languages(
    east: Company, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError) as refused:
        run_rules(*args)
    assert refused.value.returncode == 2
    assert message in str(refused.value) and "Error:" in str(refused.value)


def test_an_export_of_another_companys_code_holds_none_of_this_companys_decisions(
    cast: Any,
    east: Company,
    west: Company,
    li: Staff,
    zhao: Staff,
    wang: Staff,
    chen: Staff,
) -> None:
    with office_day(cast, east, li, zhao, wang, chen) as day:
        day.walk_in()
        exported = json.loads(
            run_rules("--export", "--company", west.code, "--from", START.date().isoformat())
        )
        assert exported["cases"] == [] and exported["names"] == {}


# --- the replay side, pure -----------------------------------------------------------------------

_SH = dt.timezone(dt.timedelta(hours=8))


def _case(n: int, minutes: int, holder: str, days_ago: int, keys: list[str]) -> dict[str, Any]:
    arrived = dt.datetime(2026, 10, 1, 10, 0, tzinfo=_SH) + dt.timedelta(minutes=minutes)
    claims = []
    if holder:
        claims.append(
            {
                "id": f"r{n}",
                "kind": "registered",
                "holder": holder,
                "since": (arrived - dt.timedelta(days=days_ago)).isoformat(),
                "found_at": (arrived + dt.timedelta(minutes=30)).isoformat(),
                "match": {"keys": keys},
            }
        )
    return {
        "id": f"c{n}",
        "now": (arrived + dt.timedelta(minutes=30)).isoformat(),
        "visit": {
            "id": f"v{n}",
            "arrived_at": arrived.isoformat(),
            "receiver": "zhao",
            "registered_at": (arrived + dt.timedelta(minutes=30)).isoformat(),
        },
        "claims": claims,
    }


cases_strategy = st.lists(
    st.builds(
        _case,
        n=st.integers(0, 10_000),
        minutes=st.integers(0, 60 * 24 * 60),
        holder=st.sampled_from(["", "li", "qian"]),
        days_ago=st.integers(0, 120),
        keys=st.sampled_from([["phone"], ["full_name"], ["full_name", "phone"]]),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda c: c["id"],
)


@settings(max_examples=40, deadline=None)
@given(
    cases=cases_strategy,
    overrides=st.fixed_dictionaries({}, optional={"new_customer_after_days": st.integers(0, 120)}),
)
def test_replay_is_deterministic_same_input_same_output(
    cases: list[dict[str, Any]], overrides: dict[str, Any]
) -> None:
    # given any file; when it is replayed twice (once from a fresh parse of its JSON)
    data = {"policy": overrides, "cases": cases}
    first = replay(ReplayInput.model_validate(data))
    second = replay(ReplayInput.model_validate(json.loads(json.dumps(data))))
    # then the output is the same, to the byte
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    # and comparing a file with its own replay as the stored decisions finds nothing
    stored = [{**c, "stored": d} for c, d in zip(cases, first["decisions"], strict=True)]
    same = replay_compare(ReplayInput.model_validate({"policy": overrides, "cases": stored}))
    assert same["different"] == 0 and same["compared"] == len(cases)


def test_a_case_replays_with_its_own_policy_version_and_the_file_overrides_go_on_top() -> None:
    # given a customer of li's registered 70 days before, received by zhao
    case = _case(1, 0, "li", 70, ["phone"])
    data = {
        "policies": {"sales@v2": {"new_customer_after_days": 90}},
        "cases": [case, {**case, "id": "c1-v2", "policy": "sales@v2"}],
    }
    # when replayed: under the defaults, a new customer of zhao's (A7.15, 60 days); under v2
    # (90 days), still li's
    default, v2 = replay(ReplayInput.model_validate(data))["decisions"]
    assert default["owner_after"]["salesperson"] == "zhao" and "policy" not in default
    assert v2["owner_after"]["salesperson"] == "li" and v2["policy"] == "sales@v2"
    # when the file overrides the window to 30 days, both cases use 30
    both = replay(ReplayInput.model_validate({**data, "policy": {"new_customer_after_days": 30}}))
    assert {d["owner_after"]["salesperson"] for d in both["decisions"]} == {"zhao"}
    assert both["decisions"][1]["policy"] == "sales@v2+file" and both["policy"] == "stored+file"


def test_a_case_naming_a_policy_the_file_lacks_is_refused() -> None:
    data = {"cases": [{**_case(1, 0, "", 0, []), "policy": "sales@v9"}]}
    with pytest.raises(Exception) as refused:
        replay(ReplayInput.model_validate(data))
    assert "sales@v9" in getattr(refused.value, "message_zh", "")


def test_a7_20_a_match_may_carry_its_own_reading_of_a_full_name_only_match() -> None:
    # given a full-name-only match the desk confirmed (needs_confirmation false, no rule IDs)
    case = _case(1, 0, "li", 10, ["full_name"])
    confirmed = json.loads(json.dumps(case))
    confirmed["claims"][0]["match"].update({"needs_confirmation": False, "rule_ids": []})
    plain, desk = replay(ReplayInput.model_validate({"cases": [case, {**confirmed, "id": "c2"}]}))[
        "decisions"
    ]
    # then by the file's identity reading it waits for the sales manager (A7.20), while the
    # desk's confirmed match decides (li keeps the customer, A7.15 within 60 days)
    assert plain["outcome"] == "needs_ruling"
    assert desk["outcome"] == "decided" and desk["owner_after"]["salesperson"] == "li"
    assert "A7.4" not in desk["rule_ids"]


def test_compare_lists_the_fields_that_differ_and_leaves_out_the_wording() -> None:
    case = _case(1, 0, "li", 70, ["phone"])
    (decision,) = replay(ReplayInput.model_validate({"cases": [case]}))["decisions"]
    reworded = {**decision, "explanation_zh": "另一种说法"}
    changed = {**decision, "owner_after": {"kind": "salesperson", "salesperson": "li"}}
    result = replay_compare(
        ReplayInput.model_validate(
            {
                "cases": [
                    {**case, "id": "same-but-worded", "stored": reworded},
                    {**case, "id": "changed", "stored": changed},
                    {**case, "id": "unstored"},
                ]
            }
        )
    )
    assert (result["compared"], result["same"], result["not_compared"]) == (2, 1, ["unstored"])
    (difference,) = result["differences"]
    assert difference["id"] == "changed" and difference["fields"] == ["owner_after"]
    assert difference["stored"]["owner_after"]["salesperson"] == "li"
    assert difference["replayed"]["owner_after"]["salesperson"] == "zhao"
