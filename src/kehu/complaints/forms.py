"""Forms of the complaints pages. They only read input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.complaints import rules
from kehu.complaints.models import Channel
from kehu.core.org.models import Department, Site, Staff


def model_field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _pairs(labels: dict[rules.NeedClass, tuple[str, str]]) -> list[tuple[str, str]]:
    return [(value.value, zh) for value, (zh, _en) in labels.items()]


class ReceiveForm(forms.Form):
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    customer_name = forms.CharField(label=_("投诉人"), max_length=100)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    category = forms.CharField(
        label=_("类别"), max_length=50, help_text=_("例如：漏水、噪音、电梯、燃气表、合同")
    )
    subject = forms.CharField(label=_("事由"), max_length=200)
    description = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 4}))
    site = forms.ModelChoiceField(label=_("项目"), queryset=Site.objects.none(), required=False)
    place = forms.CharField(label=_("楼栋/房号/地点"), max_length=100, required=False)
    own_solution = forms.CharField(
        label=_("本单位的解决办法（职责范围内可当场解决时填写）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    leak = forms.BooleanField(label=_("燃气泄漏报告：立即生成紧急工单（A4）"), required=False)
    address = forms.CharField(label=_("抢修地址"), max_length=200, required=False)
    received_at = forms.DateTimeField(
        label=_("客户投诉的时间（事后补录时填写）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "site").queryset = Site.objects.filter(company_id=staff.company_id)


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a.value, zh) for a, (zh, _en) in rules.ACTION_LABELS.items()]
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False)
    handler = forms.ModelChoiceField(queryset=Staff.objects.none(), required=False)
    agreed_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        company = staff.company_id
        model_field(self, "department").queryset = Department.objects.filter(company_id=company)
        model_field(self, "handler").queryset = Staff.objects.filter(
            company_id=company, active=True
        ).order_by("department__name", "name")


class WorkOrderForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"), choices=[(k.value, zh) for k, (zh, _en) in rules.WORK_KIND_LABELS.items()]
    )
    customer_name = forms.CharField(label=_("客户"), max_length=100)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    address = forms.CharField(label=_("地址"), max_length=200)
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    assignee = forms.ModelChoiceField(
        label=_("处理人"), queryset=Staff.objects.none(), required=False
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "assignee").queryset = Staff.objects.filter(
            company_id=staff.company_id, active=True
        ).order_by("department__name", "name")


class CallbackForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("客户是否满意"),
        choices=[("1", _("满意")), ("0", _("不满意，重新处理"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label=_("客户意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NeedForm(forms.Form):
    text = forms.CharField(label=_("客户的需求或意见"), widget=forms.Textarea(attrs={"rows": 2}))
    need_class = forms.ChoiceField(label=_("类别（A11）"), choices=_pairs(rules.NEED_CLASS_LABELS))
    topic = forms.CharField(label=_("具体方面"), max_length=50, required=False)


class GroupForm(forms.Form):
    complaint_ids = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("共同的问题"), max_length=200)

    def clean_complaint_ids(self) -> list[int]:
        raw = self.cleaned_data["complaint_ids"]
        try:
            return [int(x) for x in str(raw).split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("投诉编号有误。")) from None


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label=_("地点"), max_length=200)
    explanation = forms.CharField(label=_("解释内容"), widget=forms.Textarea(attrs={"rows": 3}))
    attended = forms.MultipleChoiceField(
        label=_("出席的投诉人"), required=False, widget=forms.CheckboxSelectMultiple
    )


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    departments = forms.CharField(label=_("参加部门"), max_length=300)
    minutes = forms.CharField(label=_("会议记录"), widget=forms.Textarea(attrs={"rows": 3}))
