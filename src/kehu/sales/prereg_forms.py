"""The pre-registration form (预先登记, A7.10)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.customers.models import Customer
from kehu.core.org.models import Staff


class PreRegistrationForm(forms.Form):
    salesperson = forms.ModelChoiceField(
        label=_("预先登记的售楼员"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("介绍人（老客户）的售楼员（A7.10）。"),
    )
    introducer = forms.ModelChoiceField(
        label=_("介绍人（老客户）"),
        queryset=Customer.objects.none(),
        help_text=_("只能选择您名下的客户。"),
    )
    name = forms.CharField(label=_("被介绍人姓名"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("联系电话"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    car_brand = forms.CharField(label=_("车辆品牌"), max_length=50, required=False)
    plate = forms.CharField(label=_("车牌号"), max_length=20, required=False)
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        introducers: Any,
        salespeople: Any,
        choose_salesperson: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        introducer = self.fields["introducer"]
        assert isinstance(introducer, forms.ModelChoiceField)
        introducer.queryset = introducers
        if choose_salesperson:
            salesperson = self.fields["salesperson"]
            assert isinstance(salesperson, forms.ModelChoiceField)
            salesperson.queryset = salespeople
            salesperson.required = True
        else:
            del self.fields["salesperson"]
