"""Forms of the dispute pages: the sales manager's ruling (A7.20) and a salesperson's dispute."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import Staff
from kehu.sales.dispute_selectors import DisputeItem
from kehu.sales.models.reception import RulingKindChoice

SHARE_ROWS = 3
DEPARTMENT = "department"


def _owner_choices(salespeople: list[Staff]) -> list[tuple[str, Any]]:
    return [
        ("", _("（请选择）")),
        *[(str(s.pk), s.name) for s in salespeople],
        (DEPARTMENT, _("销售部（公共资源）")),
    ]


class RulingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("裁决"),
        widget=forms.RadioSelect,
        choices=[
            (RulingKindChoice.SAME_CUSTOMER.value, _("确认为同一客户（仅全名相同的匹配）")),
            (RulingKindChoice.DIFFERENT_CUSTOMER.value, _("确认不是同一客户（仅全名相同的匹配）")),
            (RulingKindChoice.AWARD.value, _("裁定归属（可指定分成）")),
        ],
    )
    claim_id = forms.ChoiceField(label=_("涉及的同名记录"), required=False)
    owner = forms.ChoiceField(
        label=_("裁定归属"), required=False, help_text=_("仅“裁定归属”时填写。")
    )
    reason = forms.CharField(
        label=_("裁决理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填：裁决为最终决定，连同理由一并记录（A7.20）。"),
    )

    def __init__(self, *args: Any, item: DisputeItem, salespeople: list[Staff], **kw: Any):
        super().__init__(*args, **kw)
        pending = item.pending_claims
        claim_field = self.fields["claim_id"]
        assert isinstance(claim_field, forms.ChoiceField)
        claim_field.choices = [
            ("", _("全部待确认的同名记录")),
            *[(c.view.id, f"{c.holder_name}：{c.view.id}") for c in pending],
        ]
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        if not pending:
            # same / different customer settle a full-name-only match only
            kind_field.choices = [
                (RulingKindChoice.AWARD.value, _("裁定归属（可指定分成）")),
            ]
            kind_field.initial = RulingKindChoice.AWARD.value
            del self.fields["claim_id"]
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ChoiceField)
        owner_field.choices = _owner_choices(salespeople)
        for n in range(1, SHARE_ROWS + 1):
            self.fields[f"share_party_{n}"] = forms.ChoiceField(
                label=_("分成 %(n)s：归属") % {"n": n},
                required=False,
                choices=_owner_choices(salespeople),
            )
            self.fields[f"share_percent_{n}"] = forms.CharField(
                label=_("分成 %(n)s：比例（%%）") % {"n": n},
                required=False,
                max_length=8,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
            )

    def share_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"share_party_{n}"], self[f"share_percent_{n}"]) for n in range(1, SHARE_ROWS + 1)
        ]

    def shares_input(self) -> list[tuple[str, object]]:
        data = self.cleaned_data
        rows = []
        for n in range(1, SHARE_ROWS + 1):
            party = data.get(f"share_party_{n}") or ""
            percent = (data.get(f"share_percent_{n}") or "").strip()
            if party or percent:
                rows.append((party, percent))
        return rows


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说明您认为归属决定有误的原因，提交后由销售经理裁决（A7.20）。"),
    )
