"""Web forms for customers. Field checks reuse the rules' normalisers, so the messages match
what the services and the API say."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.customers import rules
from kehu.core.customers.errors import id_number_invalid, phone_invalid
from kehu.core.customers.models import CustomerKind
from kehu.core.customers.schemas import CustomerData


class CustomerCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=CustomerKind.choices, initial=CustomerKind.PERSON
    )
    name = forms.CharField(label=_("姓名/名称"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=40,
        required=False,
        help_text=_("手机 11 位；固定电话带区号，如 010-12345678"),
    )
    phone2 = forms.CharField(label=_("其他电话"), max_length=40, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    car_brand = forms.CharField(label=_("车辆品牌"), max_length=50, required=False)
    plate = forms.CharField(label=_("车牌号"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=40, required=False)
    source = forms.CharField(label=_("信息来源"), max_length=200, required=False)
    intention = forms.CharField(
        label=_("购买意向"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def _clean_phone_field(self, field: str) -> str:
        value: str = self.cleaned_data.get(field, "").strip()
        if value:
            try:
                rules.normalise_phone(value)
            except rules.PhoneNumberInvalid as exc:
                raise forms.ValidationError(phone_invalid(exc).message()) from exc
        return value

    def clean_phone(self) -> str:
        return self._clean_phone_field("phone")

    def clean_phone2(self) -> str:
        return self._clean_phone_field("phone2")

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data.get("id_number", "").strip()
        if value:
            try:
                rules.normalise_id_number(value)
            except rules.IdNumberInvalid as exc:
                raise forms.ValidationError(id_number_invalid(exc).message()) from exc
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_contact = cleaned.get("name") or cleaned.get("phone") or cleaned.get("phone2")
        if not self.errors and not has_contact:
            raise forms.ValidationError(_("请至少填写客户姓名或一个联系电话。"))
        return cleaned

    def to_data(self) -> CustomerData:
        cleaned = self.cleaned_data
        return CustomerData(
            kind=cleaned["kind"],
            name=cleaned["name"],
            phones=[p for p in (cleaned["phone"], cleaned["phone2"]) if p],
            employer=cleaned["employer"],
            address=cleaned["address"],
            car_brand=cleaned["car_brand"],
            plate=cleaned["plate"],
            id_number=cleaned["id_number"],
            source=cleaned["source"],
            intention=cleaned["intention"],
        )


# Which form field a service error belongs to.
ERROR_FIELDS: dict[str, str | None] = {
    "customers.phone_invalid": "phone",
    "customers.id_number_invalid": "id_number",
    "customers.name_or_phone_required": None,
}
