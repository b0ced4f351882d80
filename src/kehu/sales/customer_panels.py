"""The sales office's sections on the customer page (``kehu.core.customers.panels``): the channel
agent's protection countdown (X7.1, X7.3) and the customer's latest ownership decision."""

from __future__ import annotations

from kehu.core.customers.models import Customer
from kehu.core.customers.panels import CustomerPanel, customer_panel
from kehu.core.org.models import CompanyKind, Staff
from kehu.sales import labels
from kehu.sales.channel_selectors import channel_countdown_for_customer
from kehu.sales.reception_selectors import decisions_for_customer


def _sales_office(staff: Staff) -> bool:
    return staff.active and staff.company.kind == CompanyKind.REAL_ESTATE


@customer_panel(order=10)
def channel_countdown_panel(staff: Staff, customer: Customer) -> CustomerPanel | None:
    if not _sales_office(staff):
        return None
    channel = channel_countdown_for_customer(staff, customer.pk)
    return CustomerPanel("sales/channel/_countdown.html", {"channel": channel})


@customer_panel(order=20)
def ownership_panel(staff: Staff, customer: Customer) -> CustomerPanel | None:
    if not _sales_office(staff):
        return None
    rows = list(decisions_for_customer(staff=staff, customer_id=customer.pk)[:1])
    latest = rows[0] if rows else None
    return CustomerPanel(
        "sales/customer/_ownership.html",
        {
            "customer": customer,
            "latest": latest,
            "explanation": labels.explanation(latest.detail or {}) if latest else "",
            "rules": [(r, labels.rule_title(r)) for r in latest.rule_ids] if latest else [],
        },
    )
