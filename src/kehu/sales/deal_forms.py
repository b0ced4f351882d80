"""Web forms of deals, A7.19 requests and conduct records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import Staff
from kehu.sales import deal_selectors as selectors
from kehu.sales.models.deal import ConductRule, SalesRequestKind
from kehu.sales.registration_forms import LocalDateTimeInput, StaffChoiceField

MONEY = {"max_digits": 14, "decimal_places": 2}


class MomentField(forms.DateTimeField):
    """A local date and time to the minute; the current minute means "now", to the second (so a
    step recorded right after the visit's arrival does not fall before it)."""

    widget = LocalDateTimeInput

    def clean(self, value: Any) -> Any:
        moment = super().clean(value)
        if moment is None:
            return None
        now = timezone.now()
        if abs(now - moment) < dt.timedelta(minutes=1) and moment <= now:
            return now
        return moment


class CustomerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name or _('（未留姓名）')} · #{obj.pk}"


class DealCustomerForm(forms.Form):
    """Step one of a deal: whose deal it is."""

    customer = CustomerChoiceField(label=_("客户"), queryset=None)

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = selectors.deal_customers_for(staff)  # type: ignore[attr-defined]


class DealForm(forms.Form):
    """A deposit paid and/or a subscription signed for one of the customer's visits (A7.17)."""

    visit = forms.TypedChoiceField(label=_("成交时的来访"), coerce=int)
    closer = StaffChoiceField(
        label=_("成交售楼员"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("默认为该来访的接待售楼员"),
    )
    unit = forms.CharField(label=_("房号"), max_length=60)
    price = forms.DecimalField(label=_("成交价（元）"), min_value=0, **MONEY)  # type: ignore[arg-type]
    subscriber = forms.CharField(
        label=_("认购方"),
        max_length=100,
        required=False,
        help_text=_(
            "认购书上签字的客户；签认购书时必填。客户自行转让的仍以原始认购方为准（A7.17）"
        ),
    )
    deposit_paid_at = MomentField(label=_("交定金时间"), required=False)
    subscription_signed_at = MomentField(label=_("签认购书时间"), required=False)
    discount_request = forms.TypedChoiceField(
        label=_("已批准的折扣（A7.19）"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("只有销售经理已批准的折扣才能用于成交价"),
    )

    def __init__(self, *args: Any, staff: Staff, customer_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visits = selectors.customer_visits(staff, customer_id)
        self.fields["visit"].choices = [  # type: ignore[attr-defined]
            (
                v.pk,
                _("%(at)s 接待：%(receiver)s")
                % {
                    "at": v.arrived_at.astimezone(selectors.rules.LOCAL_TZ).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "receiver": v.receiver.name,
                },
            )
            for v in visits
        ]
        if visits and not self.is_bound:
            self.initial.setdefault("visit", visits[0].pk)
            self.initial.setdefault("closer", visits[0].receiver_id)
        if selectors.may_see_all(staff):
            self.fields["closer"].queryset = selectors.salespeople_for(staff)  # type: ignore[attr-defined]
        else:
            del self.fields["closer"]
        discounts = selectors.approved_discounts_for(staff)
        self.fields["discount_request"].choices = [  # type: ignore[attr-defined]
            ("", _("不使用折扣")),
            *[(r.pk, discount_label(r)) for r in discounts],
        ]


def discount_label(row: Any) -> str:
    if row.discount_amount is not None:
        off = _("减 %(amount)s 元") % {"amount": row.discount_amount}
    else:
        off = _("减 %(percent)s%%") % {"percent": row.discount_percent}
    return f"#{row.pk} {row.unit} {off}"


class StepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("deposit", _("交定金")), ("subscription", _("签认购书"))],
        widget=forms.HiddenInput,
    )
    at = MomentField(label=_("时间"))
    subscriber = forms.CharField(label=_("认购方"), max_length=100, required=False)


class DiscountApplyForm(forms.Form):
    request = forms.TypedChoiceField(label=_("已批准的折扣（A7.19）"), coerce=int)

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["request"].choices = choices  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    """A hold, rename or discount request to the sales manager (A2.10, A7.19)."""

    kind = forms.ChoiceField(label=_("申请类型"), choices=SalesRequestKind.choices)
    unit = forms.CharField(label=_("房号"), max_length=60, required=False)
    reason = forms.CharField(
        label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    discount_amount = forms.DecimalField(
        label=_("折扣金额（元）"),
        required=False,
        min_value=0,
        **MONEY,  # type: ignore[arg-type]
    )
    discount_percent = forms.DecimalField(
        label=_("折扣比例（%）"), required=False, min_value=0, max_digits=5, decimal_places=2
    )
    new_subscriber = forms.CharField(label=_("转名后的名字"), max_length=100, required=False)
    hold_until = forms.DateField(
        label=_("保留至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deal = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"),
        choices=[("approve", _("批准")), ("reject", _("驳回"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ConductForm(forms.Form):
    salesperson = StaffChoiceField(label=_("售楼员"), queryset=Staff.objects.none())
    rule_id = forms.ChoiceField(label=_("违反的规则"), choices=ConductRule.choices)
    occurred_at = MomentField(label=_("发生时间"))
    facts = forms.CharField(
        label=_("事实经过"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["salesperson"].queryset = selectors.salespeople_for(staff)  # type: ignore[attr-defined]


FORWARD_LABELS = {"criticism": _("通报批评"), "fine_in_range": _("罚款（由决定人在范围内定额）")}


class ForwardForm(forms.Form):
    kind = forms.ChoiceField(label=_("提议类型"))
    low = forms.DecimalField(label=_("罚款下限（元）"), required=False, min_value=0, **MONEY)  # type: ignore[arg-type]
    high = forms.DecimalField(label=_("罚款上限（元）"), required=False, min_value=0, **MONEY)  # type: ignore[arg-type]
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, FORWARD_LABELS.get(k, k)) for k in kinds]  # type: ignore[attr-defined]
