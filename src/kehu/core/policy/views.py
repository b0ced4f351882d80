"""Policy pages: the keys and the versions in force, one page per key, a form that saves a new
version, the version history and a comparison of two versions."""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kehu.core.errors import KehuError
from kehu.core.org.models import Staff
from kehu.core.policy.access import POLICY_EDIT, POLICY_VIEW, policy_staff_require
from kehu.core.policy.forms import PolicyValuesForm, PolicyVersionMetaForm
from kehu.core.policy.registry import (
    PolicyFieldSpec,
    PolicySchemaEntry,
    baseline_values,
    policy_schema,
)
from kehu.core.policy.selectors import (
    PolicyFieldChange,
    PolicyFieldRow,
    ResolvedPolicy,
    policy_at_version,
    policy_compare,
    policy_field_rows,
    policy_for,
    policy_overview,
    policy_version_get,
    policy_versions,
)
from kehu.core.policy.services import policy_version_create

View = Callable[..., HttpResponse]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# --- the registry's titles and values in the page's language ----------------------------------
# The registry holds a Chinese and an English title for every key and field; choice labels and
# descriptions are Chinese only, so an English page shows a choice by its value.


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _title(entry: PolicySchemaEntry) -> str:
    return entry.title_en if _english() else entry.title_zh


def _display(spec: PolicyFieldSpec, value: Any) -> str:
    if not _english():
        return spec.display(value)
    if spec.kind == "bool":
        return _("是") if value else _("否")
    if spec.kind == "choice":
        key = str(value.value if isinstance(value, enum.Enum) else value)
        label = dict(spec.choices).get(key, "")
        return key.replace("_", " ") if _HAN.search(label) else spec.display(value)
    return spec.display(value)


def _rows(resolved: ResolvedPolicy[Any]) -> list[PolicyFieldRow]:
    """The key's settings as its page shows them, titles and values in the page's language."""
    rows = policy_field_rows(resolved)
    if not _english():
        return rows
    baseline, _source = baseline_values(resolved.key, resolved.company_kind)
    return [
        dataclasses.replace(
            row,
            spec=dataclasses.replace(row.spec, title=row.spec.title_en),
            value_display=_display(row.spec, row.value),
            default_display=_display(row.spec, row.spec.default),
            profile_display=None
            if row.profile_display is None
            else _display(row.spec, getattr(baseline, row.spec.name)),
        )
        for row in rows
    ]


def _changes(entry: PolicySchemaEntry, changes: list[PolicyFieldChange]) -> list[PolicyFieldChange]:
    if not _english():
        return changes
    localized = []
    for change in changes:
        spec = entry.field(change.field)
        localized.append(
            dataclasses.replace(
                change,
                title=change.title_en,
                old_display=_display(spec, change.old) if spec else change.old_display,
                new_display=_display(spec, change.new) if spec else change.new_display,
            )
        )
    return localized


def _web_errors(view: View) -> View:
    """KehuErrors outside forms become 403/404 pages. A 403 is answered here, not by the
    site's 403 handler: the policy app already audited the refusal with its permission and key,
    and the handler would audit it a second time."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except KehuError as exc:
            if exc.status == 404:
                raise Http404(exc.message()) from exc
            if exc.status == 403:
                return render(request, "policy/denied.html", {"message": exc.message()}, status=403)
            raise

    return wrapper


def _viewer(request: HttpRequest, detail: dict[str, Any] | None = None) -> Staff:
    return policy_staff_require(
        user=request.user, permission=POLICY_VIEW, request=request, detail=detail
    )


@login_required
@_web_errors
def policy_index(request: HttpRequest) -> HttpResponse:
    staff = _viewer(request)
    rows = policy_overview(company=staff.company, at=timezone.now())
    return render(
        request,
        "policy/index.html",
        {"rows": rows, "company": staff.company, "english": _english()},
    )


@login_required
@_web_errors
def policy_detail(request: HttpRequest, key: str) -> HttpResponse:
    staff = _viewer(request, {"key": key})
    entry = policy_schema(key)
    now = timezone.now()
    resolved = policy_for(company=staff.company, key=key, at=now)
    versions = list(policy_versions(staff.company, key))
    context = {
        "entry": entry,
        "title": _title(entry),
        "resolved": resolved,
        "field_rows": _rows(resolved),
        "versions": versions,
        "scheduled": sorted(
            (v for v in versions if v.effective_from > now), key=lambda v: v.effective_from
        ),
        "can_edit": staff.user.has_perm(POLICY_EDIT),
        "company": staff.company,
    }
    return render(request, "policy/detail.html", context)


@login_required
@_web_errors
def policy_edit(request: HttpRequest, key: str) -> HttpResponse:
    staff = policy_staff_require(
        user=request.user,
        permission=POLICY_EDIT,
        request=request,
        detail={"key": key, "operation": "policy_edit_page"},
    )
    entry = policy_schema(key)
    current = policy_for(company=staff.company, key=key, at=timezone.now())
    data = request.POST if request.method == "POST" else None
    values_form = PolicyValuesForm(data, entry=entry, current=current.values)
    if _english():
        for spec in entry.fields:
            field = values_form.fields[spec.name]
            field.label = spec.title_en
            if spec.kind == "choice":
                field.widget.choices = [  # type: ignore[attr-defined]
                    (value, _display(spec, value)) for value, _label in spec.choices
                ]
    meta_form = PolicyVersionMetaForm(data)
    if request.method == "POST" and values_form.is_valid() and meta_form.is_valid():
        try:
            row = policy_version_create(
                staff=staff,
                key=key,
                values=values_form.values(),
                effective_from=meta_form.cleaned_data["effective_from"],
                note=meta_form.cleaned_data["note"],
                request=request,
            )
        except KehuError as exc:
            if exc.status != 400:
                raise
            _attach_errors(exc, values_form, meta_form)
        else:
            messages.success(
                request,
                _("已保存 %(ref)s，%(when)s 起生效。")
                % {
                    "ref": row.ref,
                    "when": timezone.localtime(row.effective_from).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("policy:detail", key=key)
    return render(
        request,
        "policy/edit.html",
        {
            "entry": entry,
            "title": _title(entry),
            "resolved": current,
            "values_form": values_form,
            "meta_form": meta_form,
            "company": staff.company,
        },
        status=400 if request.method == "POST" else 200,
    )


def _attach_errors(
    exc: KehuError, values_form: PolicyValuesForm, meta_form: PolicyVersionMetaForm
) -> None:
    """Show each problem next to its input; problems without an input go on top."""
    problems = exc.details if isinstance(exc.details, list) else []
    placed = False
    for problem in problems:
        name = problem.get("field", "")
        if name in values_form.fields:
            values_form.add_error(name, _problem_message(problem))
            placed = True
        elif name in meta_form.fields:
            meta_form.add_error(name, _problem_message(problem))
            placed = True
    if not placed:
        values_form.add_error(None, exc.message())


def _problem_message(problem: dict[str, Any]) -> str:
    return str(problem.get("message_en" if _english() else "message_zh", ""))


@login_required
@_web_errors
def policy_compare_view(request: HttpRequest, key: str) -> HttpResponse:
    staff = _viewer(request, {"key": key})
    entry = policy_schema(key)
    versions = list(policy_versions(staff.company, key))
    try:
        a = int(request.GET.get("a", ""))
        b = int(request.GET.get("b", ""))
    except ValueError:
        newest = versions[0].version if versions else 0
        a, b = max(newest - 1, 0), newest
    changes = policy_compare(staff.company, key, a, b)
    return render(
        request,
        "policy/compare.html",
        {
            "entry": entry,
            "title": _title(entry),
            "versions": versions,
            "a": a,
            "b": b,
            "changes": _changes(entry, changes),
            "company": staff.company,
        },
    )


@login_required
@_web_errors
def policy_version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    staff = _viewer(request, {"version_id": version_id})
    row = policy_version_get(company=staff.company, version_id=version_id)
    resolved = policy_at_version(company=staff.company, key=row.key, version=row.version)
    entry = policy_schema(row.key)
    return render(
        request,
        "policy/version.html",
        {
            "entry": entry,
            "title": _title(entry),
            "row": row,
            "resolved": resolved,
            "field_rows": _rows(resolved),
            "company": staff.company,
        },
    )
