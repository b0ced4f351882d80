"""Customer service's section on the customer page (``kehu.core.customers.panels``): the
customer's complaints the reader may see, open ones first, with a link to the whole history."""

from __future__ import annotations

from django.utils import timezone

from kehu.complaints import rules, selectors, services
from kehu.core.customers.models import Customer
from kehu.core.customers.panels import CustomerPanel, customer_panel
from kehu.core.org.models import Staff
from kehu.core.org.selectors import staff_has_perm

SHOWN = 5


@customer_panel(order=30)
def complaints_panel(staff: Staff, customer: Customer) -> CustomerPanel | None:
    rows = selectors.customer_history(staff, customer.pk)
    total = rows.count()
    # Posts that neither handle complaints nor took one from this customer see no section.
    if not total and not staff_has_perm(staff, services.HANDLE):
        return None
    shown = sorted(
        rows[:50], key=lambda c: (c.stage == rules.Stage.CLOSED.value, -c.received_at.timestamp())
    )[:SHOWN]
    now = timezone.now()
    return CustomerPanel(
        "complaints/_customer_panel.html",
        {
            "customer": customer,
            "total": total,
            "rows": [{"c": c, "time": selectors.time_left_class(c, now)} for c in shown],
        },
    )
