# Fills in each customer's latest visit (customers/0003) from the registration book: the latest
# ``visited_at`` of its lines (corrections keep their line's time, so all lines may be read).
# Reversing leaves the column to customers/0003's own reversal.

from django.db import migrations

FILL = """
UPDATE customers_customer SET last_visit_at = (
    SELECT MAX(r.visited_at) FROM sales_registration r WHERE r.customer_id = customers_customer.id
)
WHERE EXISTS (SELECT 1 FROM sales_registration r WHERE r.customer_id = customers_customer.id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_latest_visit"),
        ("sales", "0018_registration_lines_covering_index"),
    ]

    operations = [migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop)]
