"""Forms generated from a policy schema.

Inputs carry the raw text to the service, which validates with the schema itself: one set of
rules, one set of (Chinese) messages, whether the change comes from the page or the API.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.policy.registry import PolicyFieldSpec, PolicySchemaEntry


def _number_attrs(spec: PolicyFieldSpec) -> dict[str, Any]:
    attrs: dict[str, Any] = {"step": "1" if spec.kind == "int" else "any"}
    if spec.minimum is not None:
        attrs["min"] = spec.minimum
    if spec.maximum is not None:
        attrs["max"] = spec.maximum
    return attrs


def _form_field(spec: PolicyFieldSpec) -> forms.Field:
    help_text = spec.description
    common: dict[str, Any] = {"label": spec.title, "help_text": help_text}
    if spec.kind == "bool":
        return forms.BooleanField(required=False, **common)
    if spec.kind in {"int", "decimal", "float"}:
        return forms.CharField(widget=forms.NumberInput(attrs=_number_attrs(spec)), **common)
    if spec.kind == "choice":
        return forms.CharField(widget=forms.Select(choices=list(spec.choices)), **common)
    if spec.kind == "json":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    return forms.CharField(required=False, **common)


def _initial(spec: PolicyFieldSpec, value: Any) -> Any:
    if spec.kind == "json":
        return json.dumps(value, ensure_ascii=False, indent=2, default=str)
    if spec.kind in {"decimal", "float", "int"} and isinstance(value, int | float | Decimal):
        return str(value)
    if spec.kind == "choice":
        return getattr(value, "value", value)
    return value


class PolicyValuesForm(forms.Form):
    """One input per schema field, named after the field."""

    def __init__(self, *args: Any, entry: PolicySchemaEntry, current: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "values")
        super().__init__(*args, **kwargs)
        self.entry = entry
        for spec in entry.fields:
            self.fields[spec.name] = _form_field(spec)
            self.initial[spec.name] = _initial(spec, getattr(current, spec.name))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for spec in self.entry.fields:
            if spec.kind == "json" and isinstance(cleaned.get(spec.name), str):
                try:
                    cleaned[spec.name] = json.loads(cleaned[spec.name])
                except json.JSONDecodeError:
                    self.add_error(
                        spec.name, _("「%(title)s」不是有效的 JSON。") % {"title": spec.title}
                    )
        return cleaned

    def values(self) -> dict[str, Any]:
        return {spec.name: self.cleaned_data.get(spec.name) for spec in self.entry.fields}


class PolicyVersionMetaForm(forms.Form):
    effective_from = forms.DateField(
        label=gettext_lazy("生效日期"),
        help_text=gettext_lazy(
            "从这一天零点（北京时间）起生效；选今天则保存后立即生效。不能早于今天。"
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=gettext_lazy("变更原因"),
        help_text=gettext_lazy("必填：为什么修改，依据哪份文件或哪次会议。"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "version")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("effective_from", timezone.localdate())
