"""Web pages of the rewards-and-penalties ledger (奖惩): an employee's standing with its
explanation, the team list, the record form, the decision queue and the company report.

Who sees what is decided by the selectors (``kehu.discipline.selectors``): an employee sees
their own standing, a supervisor their team's, HR and managers their company's; anyone else is
told "not found" (404), another company's employee included. Pages only arrange what the rules
computed: counts, money, points and every step of the explanation with its rule IDs.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm
from kehu.core.web.context_processors import request_staff
from kehu.discipline import export, labels, rules, selectors, services
from kehu.discipline.appeals_selectors import appeal_entries_appealable
from kehu.discipline.errors import DisciplinePermissionDenied
from kehu.discipline.forms import (
    ALL_VARIABLE_FIELDS,
    AsOfForm,
    DecisionForm,
    EntryRecordForm,
    YearForm,
    variable_fields_for,
)
from kehu.discipline.models import (
    DecisionOutcome,
    DisciplineEntry,
    ProposalKind,
)

StaffView = Callable[..., HttpResponse]

LEVEL_ORDER: tuple[rules.Kind, ...] = (
    rules.Kind.CRITICISM,
    rules.Kind.MINOR_DEMERIT,
    rules.Kind.MAJOR_DEMERIT,
    rules.Kind.COMMENDATION,
    rules.Kind.MINOR_MERIT,
    rules.Kind.MAJOR_MERIT,
)
# Entries an employee may appeal: facts recorded about them, not corrections of the ledger.


def staff_required(view: StaffView) -> Callable[..., HttpResponse]:
    """Log-in required; the view receives the logged-in, active ``Staff`` after the request."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = request_staff(request)
        if staff is None:
            return render(
                request,
                "web/error.html",
                {
                    "status": 403,
                    "code": "discipline.no_staff",
                    "message": _("您的账号未关联在职员工，无法使用奖惩功能。"),
                },
                status=403,
            )
        staff.user = request.user  # type: ignore[assignment]  # reuse its permission cache
        return view(request, staff, *args, **kwargs)

    return wrapper


def _url_or_empty(name: str) -> str:
    """The URL of a page another worker's module provides, or "" while it does not exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- the explanation, arranged for the page ----------------------------------------------------


@dataclass(frozen=True)
class EntryRef:
    """A link from a step or a proposal to a ledger entry or to a derived fact."""

    label: str
    anchor: str = ""  # "entry-12" for a ledger row on this page
    consumed: tuple[EntryRef, ...] = ()  # for a derived fact: what it was made of


@dataclass(frozen=True)
class ExplainedStep:
    on: dt.date
    text: str
    rule_ids: tuple[str, ...]
    refs: tuple[EntryRef, ...]
    derived: bool


@dataclass(frozen=True)
class ExplainedProposal:
    key: str
    kind_label: str
    on: dt.date
    note: str
    rule_ids: tuple[str, ...]
    refs: tuple[EntryRef, ...]
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class EntryRow:
    entry: DisciplineEntry
    kind_label: str
    detail: str
    reversed: bool
    appeal_url: str


@dataclass
class StandingPage:
    """Everything the standing page shows, already in display order."""

    levels: list[tuple[str, str, int, bool]] = field(default_factory=list)
    steps: list[ExplainedStep] = field(default_factory=list)
    derived: list[tuple[rules.Derived, EntryRef, str]] = field(default_factory=list)
    open_proposals: list[ExplainedProposal] = field(default_factory=list)
    decided_proposals: list[tuple[ExplainedProposal, Any]] = field(default_factory=list)
    failures: list[tuple[int, str, int, int]] = field(default_factory=list)
    rows: list[EntryRow] = field(default_factory=list)


class _Refs:
    """Turns the rules' entry ids (ledger pks as text, or derived ids) into links."""

    def __init__(
        self, entries: dict[str, DisciplineEntry], derived: Iterable[rules.Derived]
    ) -> None:
        self.entries = entries
        self.derived = {d.id: d for d in derived}

    def ref(self, entry_id: str, depth: int = 0) -> EntryRef:
        row = self.entries.get(entry_id)
        if row is not None:
            label = f"#{row.pk} {labels.kind_label(row.kind)} {row.on:%Y-%m-%d}"
            return EntryRef(label=label, anchor=f"entry-{row.pk}")
        made = self.derived.get(entry_id)
        if made is not None and depth < 8:
            return EntryRef(
                label=_("%(kind)s（累计转换）") % {"kind": labels.kind_label(made.kind)}
                if made.kind in rules.LEVELS
                else labels.kind_label(made.kind),
                consumed=tuple(self.ref(i, depth + 1) for i in made.from_ids),
            )
        return EntryRef(label=f"#{entry_id}")

    def refs(self, entry_ids: Sequence[str]) -> tuple[EntryRef, ...]:
        return tuple(self.ref(i) for i in entry_ids)


def _entry_detail(row: DisciplineEntry) -> str:
    if row.amount is not None:
        return _("%(amount)s 元") % {"amount": row.amount}
    if row.points is not None:
        return _("%(points)+d 分") % {"points": row.points}
    if row.failure_type is not None:
        label = labels.failure_label(row.failure_type)
        return _("第%(n)d类：%(label)s") % {"n": row.failure_type, "label": label}
    if row.refs:
        return _("引用 %(refs)s") % {
            "refs": pgettext("list separator", "、").join(f"#{r}" for r in row.refs)
        }
    return ""


def _standing_page(
    result: selectors.EmployeeStanding, *, viewer: Staff, appeal_url: str
) -> StandingPage:
    standing = result.standing
    entries = result.entries_by_id
    refs = _Refs(entries, standing.derived)
    page = StandingPage()
    for level in LEVEL_ORDER:
        page.levels.append(
            (
                level.value,
                labels.kind_label(level),
                standing.counts.get(level.value, 0),
                level in rules.PENALTY_LEVELS,
            )
        )
    for step in standing.steps:
        page.steps.append(
            ExplainedStep(
                on=step.on,
                text=labels.rules_text(step.text_zh),
                rule_ids=step.rule_ids,
                refs=refs.refs(step.entry_ids),
                derived=len(step.entry_ids) > 1 or not set(step.entry_ids) <= set(entries),
            )
        )
    for made in standing.derived:
        page.derived.append((made, refs.ref(made.id), labels.rules_text(made.note_zh)))
    for state in result.proposals:
        explained = ExplainedProposal(
            key=state.key,
            kind_label=str(ProposalKind(state.proposal.kind).label),
            on=state.proposal.on,
            note=labels.rules_text(state.proposal.note_zh),
            rule_ids=state.proposal.rule_ids,
            refs=refs.refs(state.proposal.from_ids),
        )
        if state.open:
            page.open_proposals.append(explained)
        else:
            page.decided_proposals.append((explained, state.decision))
    for stored_state in result.stored_proposals:
        proposal = stored_state.proposal
        explained = ExplainedProposal(
            key=stored_state.key,
            kind_label=proposal.get_kind_display(),
            on=proposal.on,
            note=proposal.reason,
            rule_ids=tuple(proposal.rule_ids),
            refs=(),
            low=proposal.low,
            high=proposal.high,
        )
        if stored_state.open:
            page.open_proposals.append(explained)
        else:
            page.decided_proposals.append((explained, stored_state.decision))
    policy = _rules_policy(result)
    for failure_type, count in standing.failures_in_window.items():
        page.failures.append(
            (
                failure_type,
                labels.failure_label(failure_type),
                count,
                policy.threshold_for(failure_type) if policy else 0,
            )
        )
    ignored = set(standing.ignored_ids)
    own = viewer.pk == result.employee.pk
    # The appeals module decides what may be appealed (adverse, not reversed, not already
    # appealed); the page only offers the button where it would be accepted.
    appealable_ids = (
        {entry.pk for entry in appeal_entries_appealable(staff=viewer)}
        if own and appeal_url
        else set()
    )
    for row in reversed(result.entries):
        appealable = row.pk in appealable_ids
        page.rows.append(
            EntryRow(
                entry=row,
                kind_label=labels.kind_label(row.kind),
                detail=_entry_detail(row),
                reversed=str(row.pk) in ignored,
                appeal_url=f"{appeal_url}?entry={row.pk}"
                if appealable and str(row.pk) not in ignored
                else "",
            )
        )
    return page


def _rules_policy(result: selectors.EmployeeStanding) -> rules.DisciplinePolicy | None:
    resolved = selectors.discipline_policy_on(company=result.employee.company, on=result.as_of)
    values = resolved.values
    return values.as_rules_policy() if hasattr(values, "as_rules_policy") else None


def _as_of(request: HttpRequest) -> tuple[AsOfForm, dt.date]:
    form = AsOfForm(request.GET or None)
    today = selectors.local_today()
    if form.is_bound and form.is_valid() and form.cleaned_data.get("as_of"):
        return form, form.cleaned_data["as_of"]
    if not form.is_bound:
        form = AsOfForm(initial={"as_of": today})
    return form, today


def _render_standing(request: HttpRequest, viewer: Staff, employee: Staff) -> HttpResponse:
    form, as_of = _as_of(request)
    result = selectors.standing_for_employee(viewer=viewer, employee=employee, as_of=as_of)
    appeal_url = _url_or_empty("discipline:appeal_create")
    may_record = (
        viewer.pk != employee.pk
        and staff_has_perm(viewer, selectors.PERM_RECORD)
        and selectors.viewer_may_see(viewer, employee)
    )
    return render(
        request,
        "discipline/standing.html",
        {
            "employee": employee,
            "own": viewer.pk == employee.pk,
            "result": result,
            "standing": result.standing,
            "page": _standing_page(result, viewer=viewer, appeal_url=appeal_url),
            "as_of_form": form,
            "as_of": as_of,
            "may_record": may_record,
            "may_see_team": _may_see_team(viewer),
            "level_rules": ("A4 五.5.1", "A4 五.5.5"),
            "warning_rules": ("A4 四.六", "A4 四.六.7"),
        },
    )


def _may_see_team(staff: Staff) -> bool:
    return staff_has_perm(staff, selectors.PERM_VIEW_TEAM) or staff_has_perm(
        staff, selectors.PERM_VIEW_COMPANY
    )


# --- pages --------------------------------------------------------------------------------------


@staff_required
@require_GET
def index(request: HttpRequest, staff: Staff) -> HttpResponse:
    """/discipline/: a manager's team, or one's own standing."""
    return redirect("discipline:team" if _may_see_team(staff) else "discipline:me")


@staff_required
@require_GET
def my_standing(request: HttpRequest, staff: Staff) -> HttpResponse:
    return _render_standing(request, staff, staff)


@staff_required
@require_GET
def staff_standing(request: HttpRequest, staff: Staff, staff_id: int) -> HttpResponse:
    employee = selectors.employee_get_for_viewer(viewer=staff, employee_id=staff_id)
    return _render_standing(request, staff, employee)


@dataclass(frozen=True)
class TeamRow:
    employee: Staff
    counts: list[int]
    fines: Decimal
    bonuses: Decimal
    points: int
    warnings: int
    open_proposals: int


def _team_rows(viewer: Staff, employees: Sequence[Staff], as_of: dt.date) -> list[TeamRow]:
    return [
        TeamRow(
            employee=member.employee,
            counts=[member.standing.counts.get(level.value, 0) for level in LEVEL_ORDER],
            fines=member.standing.fines,
            bonuses=member.standing.bonuses,
            points=member.standing.points,
            warnings=member.standing.warnings_in_window,
            open_proposals=member.open_proposals,
        )
        for member in selectors.team_standings(viewer=viewer, employees=employees, as_of=as_of)
    ]


@staff_required
@require_GET
def team(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The people whose ledgers the viewer may read, each with their counts as of a date."""
    if not _may_see_team(staff):
        raise DisciplinePermissionDenied(
            "查看下属的奖惩台账", "see the team's ledgers", selectors.PERM_VIEW_TEAM
        )
    form, as_of = _as_of(request)
    employees = list(selectors.employees_visible_to(staff))
    return render(
        request,
        "discipline/team.html",
        {
            "rows": _team_rows(staff, employees, as_of),
            "levels": [labels.kind_label(level) for level in LEVEL_ORDER],
            "as_of_form": form,
            "as_of": as_of,
            "may_record": staff_has_perm(staff, selectors.PERM_RECORD),
            "may_decide": staff_has_perm(staff, selectors.PERM_DECIDE),
            "may_report": staff_has_perm(staff, selectors.PERM_VIEW_COMPANY),
        },
    )


# --- record an entry ----------------------------------------------------------------------------


def _recordable_employees(staff: Staff) -> QuerySet[Staff]:
    return selectors.employees_visible_to(staff).exclude(pk=staff.pk).filter(active=True)


def _require_record(staff: Staff) -> None:
    if not staff_has_perm(staff, selectors.PERM_RECORD):
        raise DisciplinePermissionDenied(
            "记录奖惩", "record rewards and penalties", selectors.PERM_RECORD
        )


@staff_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, staff: Staff) -> HttpResponse:
    """A manager records a criticism, a merit, a fine, points … on a team member's ledger."""
    _require_record(staff)
    employees = _recordable_employees(staff)
    if request.method == "POST":
        form = EntryRecordForm(request.POST, employees=employees)
        if form.is_valid():
            try:
                entry = services.discipline_entry_record(
                    recorder=staff, request=request, **form.entry_kwargs()
                )
            except KehuError as exc:
                if exc.status in (403, 404):
                    raise
                form.add_error(None, exc.message())
            else:
                messages.success(
                    request,
                    _("已记录：%(name)s %(kind)s（%(on)s）。")
                    % {
                        "name": entry.employee.name,
                        "kind": labels.kind_label(entry.kind),
                        "on": entry.on.isoformat(),
                    },
                )
                return redirect("discipline:staff", staff_id=entry.employee_id)
        status = 400
    else:
        initial: dict[str, Any] = {"on": selectors.local_today()}
        employee_id = request.GET.get("employee", "")
        if employee_id.isdigit() and employees.filter(pk=int(employee_id)).exists():
            initial["employee"] = int(employee_id)
        form = EntryRecordForm(initial=initial, employees=employees)
        status = 200
    kind = form.data.get("kind") if form.is_bound else None
    return render(
        request,
        "discipline/record.html",
        {"form": form, "visible_fields": variable_fields_for(kind)},
        status=status,
    )


@staff_required
@require_GET
def record_fields(request: HttpRequest, staff: Staff) -> HttpResponse:
    """htmx: the variable part of the record form (amount, points or failure type) for the
    kind just chosen; values already typed are kept."""
    _require_record(staff)
    kind = request.GET.get("kind", "")
    initial = {name: request.GET.get(name, "") for name in ALL_VARIABLE_FIELDS}
    form = EntryRecordForm(initial=initial, employees=Staff.objects.none())
    return render(
        request,
        "discipline/_entry_fields.html",
        {"form": form, "visible_fields": variable_fields_for(kind)},
    )


# --- the decision queue ------------------------------------------------------------------------


def _derived_label(entry_id: str) -> str:
    """What a derived id stands for: ``warning:12`` → 警告, ``criticism-pair:3+4`` → 记小过."""
    prefix = entry_id.split(":", 1)[0]
    if prefix == "warning":
        return labels.kind_label(rules.Kind.WARNING)
    level = prefix.removesuffix("-pair")
    try:
        higher = rules.NEXT_LEVEL.get(rules.Kind(level))
    except ValueError:
        return ""
    return _("%(kind)s（累计转换）") % {"kind": labels.kind_label(higher)} if higher else ""


def _entry_pks(entry_id: str) -> list[int]:
    """Ledger pks behind one of the rules' ids: a row's pk as text, or the pks a derived id
    names."""
    return [int(entry_id)] if entry_id.isdigit() else selectors.entry_pks_in_key(entry_id)


def _queue_explanations(
    items: Sequence[selectors.QueueItem],
) -> dict[str, tuple[EntryRef, ...]]:
    """For each derived proposal, links to the ledger entries it comes from (one query); a
    warning or a conversion it rests on is shown with the entries behind it."""
    pks = {pk for item in items for i in item.from_ids for pk in _entry_pks(i)}
    by_pk = {
        row.pk: row
        for row in DisciplineEntry.objects.filter(pk__in=pks).only("pk", "kind", "on", "reason")
    }

    def entry_ref(pk: int) -> EntryRef | None:
        row = by_pk.get(pk)
        if row is None:
            return None
        label = f"#{row.pk} {labels.kind_label(row.kind)} {row.on:%Y-%m-%d}"
        return EntryRef(label=f"{label} · {row.reason}", anchor=f"entry-{row.pk}")

    explained: dict[str, tuple[EntryRef, ...]] = {}
    for item in items:
        refs: list[EntryRef] = []
        for entry_id in item.from_ids:
            found = [r for pk in _entry_pks(entry_id) if (r := entry_ref(pk)) is not None]
            if entry_id.isdigit():
                refs.extend(found)
            elif found:
                refs.append(EntryRef(label=_derived_label(entry_id), consumed=tuple(found)))
        explained[item.key] = tuple(refs)
    return explained


def _require_decide(staff: Staff) -> None:
    if not staff_has_perm(staff, selectors.PERM_DECIDE):
        raise DisciplinePermissionDenied(
            "决定奖惩提议", "decide rewards-and-penalties proposals", selectors.PERM_DECIDE
        )


def _decisions_page(
    request: HttpRequest,
    staff: Staff,
    *,
    failed: DecisionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    items = selectors.proposals_queue_for(staff)
    explanations = _queue_explanations(items)
    return render(
        request,
        "discipline/decisions.html",
        {
            "items": [
                (item, explanations.get(item.key, ()), labels.rules_text(item.note_zh))
                for item in items
            ],
            "fine_kind": ProposalKind.FINE_IN_RANGE.value,
            "measure_kind": ProposalKind.REASSIGNMENT_OR_DEMOTION.value,
            "failed_key": failed.data.get("key") if failed is not None else "",
            "failed": failed,
            "error": error,
        },
        status=status,
    )


@staff_required
@require_GET
def decisions(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Proposals waiting for the viewer's decision, each with its explanation and rule IDs."""
    _require_decide(staff)
    return _decisions_page(request, staff)


@staff_required
@require_POST
def decide(request: HttpRequest, staff: Staff) -> HttpResponse:
    _require_decide(staff)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        errors = pgettext("error separator", "；").join(
            str(e) for errs in form.errors.values() for e in errs
        )
        return _decisions_page(request, staff, failed=form, error=errors, status=400)
    data = form.cleaned_data
    approving = data["outcome"] == DecisionOutcome.APPROVED
    try:
        decision = services.proposal_decide(
            decider=staff,
            proposal_key=data["key"],
            outcome=data["outcome"],
            # One form serves both buttons: a rejection carries no amount or measure.
            amount=data.get("amount") if approving else None,
            measure=(data.get("measure") or None) if approving else None,
            reason=data["reason"],
            request=request,
        )
    except KehuError as exc:
        if exc.status in (403, 404):
            raise
        return _decisions_page(request, staff, failed=form, error=exc.message(), status=400)
    messages.success(
        request,
        _("已决定：%(name)s — %(outcome)s。")
        % {"name": decision.employee.name, "outcome": decision.get_outcome_display()},
    )
    return redirect("discipline:decisions")


# --- the company report ----------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentTotal:
    department: str
    penalties: int
    rewards: int
    fines: Decimal
    bonuses: Decimal


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    form = YearForm(request.GET or None)
    year = selectors.local_today().year
    if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    if not form.is_bound:
        form = YearForm(initial={"year": year})
    return form, year


# Penalties in warm colours, rewards in cool ones; a department keeps its place in each list.
PENALTY_COLOURS = ("#c0392b", "#e67e22", "#8e2c1f", "#f1948a", "#b9770e", "#e6b0aa")
REWARD_COLOURS = ("#1e8449", "#2874a6", "#48c9b0", "#7fb3d5", "#52be80", "#1a5276")


def chart_option(report_rows: Sequence[selectors.ReportRow], year: int) -> dict[str, Any]:
    """An ECharts option: months on the x axis, one stack of penalties and one of rewards per
    month, each stack split by department."""
    months = [_("%(m)d月") % {"m": m} for m in range(1, 13)]
    departments = list(dict.fromkeys(row.department for row in report_rows))
    series = []
    for label, attr, colours in (
        (_("惩罚"), "penalties", PENALTY_COLOURS),
        (_("奖励"), "rewards", REWARD_COLOURS),
    ):
        for index, department in enumerate(departments):
            data = [0] * 12
            for row in report_rows:
                if row.department == department:
                    data[row.month - 1] += getattr(row, attr)
            series.append(
                {
                    "name": f"{department} · {label}",
                    "type": "bar",
                    "stack": attr,
                    "barMaxWidth": 28,
                    "itemStyle": {"color": colours[index % len(colours)]},
                    "emphasis": {"focus": "series"},
                    "data": data,
                }
            )
    return {
        "aria": {
            "enabled": True,
            "label": {"description": _("%(year)d 年各部门每月的惩罚和奖励次数") % {"year": year}},
        },
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "type": "scroll", "itemGap": 20},
        "grid": {"top": 40, "left": 40, "right": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "minInterval": 1, "name": _("次")},
        "series": series,
    }


def _department_totals(report_rows: Sequence[selectors.ReportRow]) -> list[DepartmentTotal]:
    totals: dict[str, list[Any]] = {}
    for row in report_rows:
        acc = totals.setdefault(row.department, [0, 0, Decimal("0.00"), Decimal("0.00")])
        acc[0] += row.penalties
        acc[1] += row.rewards
        acc[2] += row.fines
        acc[3] += row.bonuses
    return [DepartmentTotal(name, *values) for name, values in totals.items()]


@staff_required
@require_GET
def company_report(request: HttpRequest, staff: Staff) -> HttpResponse:
    form, year = _year(request)
    report_rows = selectors.company_report(staff, year)
    option = chart_option(report_rows, year)
    return render(
        request,
        "discipline/report.html",
        {
            "year_form": form,
            "year": year,
            "rows": report_rows,
            "totals": _department_totals(report_rows),
            "grand": DepartmentTotal(
                _("合计"),
                sum(r.penalties for r in report_rows),
                sum(r.rewards for r in report_rows),
                sum((r.fines for r in report_rows), Decimal("0.00")),
                sum((r.bonuses for r in report_rows), Decimal("0.00")),
            ),
            # json_script escapes it for the page; DjangoJSONEncoder for lazy strings.
            "chart_option": json.loads(json.dumps(option, cls=DjangoJSONEncoder)),
        },
    )


@staff_required
@require_GET
def company_report_export(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The report as an Excel workbook (audited as an export)."""
    _form, year = _year(request)
    exported = export.discipline_report_export(viewer=staff, year=year, request=request)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    ascii_name = f"discipline-report-{staff.company.code}-{year}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(exported.filename)}"
    )
    return response
