"""Web forms of the registration book, the phone-enquiry book and follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.org.models import Staff
from kehu.sales.models.registration import FollowUpChannel
from kehu.sales.registration_selectors import BookFilters, receivers_for
from kehu.sales.registration_services import CallDetails, VisitDetails

_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=_LOCAL_INPUT, **kwargs)


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class VisitFieldsForm(forms.Form):
    """The A7.4 fields of a line (new, or a correction)."""

    customer_name = forms.CharField(label=_("客户姓名"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("联络方式"),
        max_length=100,
        required=False,
        help_text=_("手机、座机（带区号）或其他联系方式"),
    )
    employer_or_address = forms.CharField(label=_("工作单位或住址"), max_length=200, required=False)
    car_brand = forms.CharField(label=_("车辆品牌"), max_length=50, required=False)
    plate = forms.CharField(label=_("车牌号"), max_length=20, required=False)
    intention = forms.CharField(
        label=_("购楼意向"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.CharField(
        label=_("信息来源"),
        max_length=200,
        required=False,
        help_text=_("客户从何种信息得知本项目，如朋友介绍、网络广告、路过"),
    )

    def details(self) -> VisitDetails:
        return VisitDetails.from_mapping(self.cleaned_data)


class RegistrationForm(VisitFieldsForm):
    receiver = StaffChoiceField(label=_("接待人员"), queryset=Staff.objects.none())
    visited_at = forms.DateTimeField(
        label=_("接待时间"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[_LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        help_text=_("不填为现在；当天未登记的为逾期登记（A1.1）"),
    )
    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["receiver"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = receivers_for(staff)
        if staff.post in ("salesperson",):
            field.queryset = field.queryset.filter(pk=staff.pk)
        if not self.is_bound and field.queryset.filter(pk=staff.pk).exists():
            self.initial.setdefault("receiver", staff.pk)


class CorrectionForm(VisitFieldsForm):
    reason = forms.CharField(
        label=_("更正理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("原登记保持不变；更正另起一条，注明理由（A1.2）"),
    )


class PhoneForm(forms.Form):
    desk_owner = StaffChoiceField(
        label=_("电话所属售楼员"),
        queryset=Staff.objects.none(),
        help_text=_("替同事接听时选同事：来电客户归电话所属人（A7.5）"),
    )
    caller_name = forms.CharField(label=_("来电人"), max_length=100, required=False)
    contact = forms.CharField(label=_("联络方式"), max_length=100, required=False)
    intention = forms.CharField(
        label=_("咨询内容/意向"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.CharField(label=_("信息来源"), max_length=200, required=False)
    called_at = forms.DateTimeField(
        label=_("来电时间"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[_LOCAL_INPUT, "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["desk_owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = receivers_for(staff)
        if not self.is_bound and field.queryset.filter(pk=staff.pk).exists():
            self.initial.setdefault("desk_owner", staff.pk)

    def details(self) -> CallDetails:
        data = self.cleaned_data
        return CallDetails(
            caller_name=data["caller_name"],
            contact=data["contact"],
            intention=data["intention"],
            source=data["source"],
        )


class FollowUpForm(forms.Form):
    channel = forms.ChoiceField(label=_("方式"), choices=FollowUpChannel.choices)
    note = forms.CharField(label=_("跟进内容"), widget=forms.Textarea(attrs={"rows": 3}))
    at = forms.DateTimeField(
        label=_("跟进时间"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[_LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        help_text=_("不填为现在"),
    )
    next_on = forms.DateField(
        label=_("下次跟进"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class BookFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    receiver = StaffChoiceField(label=_("接待人员"), queryset=Staff.objects.none(), required=False)
    late = forms.BooleanField(label=_("仅逾期登记"), required=False)
    unconfirmed = forms.BooleanField(label=_("仅未确认"), required=False)
    q = forms.CharField(label=_("客户姓名"), max_length=100, required=False)

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["receiver"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = receivers_for(staff)

    def filters(self) -> BookFilters:
        if not self.is_valid():
            return BookFilters()
        data = self.cleaned_data
        return BookFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            receiver_id=data["receiver"].pk if data["receiver"] else None,
            late=True if data["late"] else None,
            unconfirmed=bool(data["unconfirmed"]),
            q=data["q"] or "",
        )


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A form's datetime, aware in the office's zone (forms already make them aware)."""
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)
