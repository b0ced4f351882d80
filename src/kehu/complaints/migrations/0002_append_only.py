# A complaint's history and its callbacks are evidence: the database refuses UPDATE and DELETE.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("ledger", "0002_append_only"),
    ]

    operations = [
        AppendOnly("complaints_complaintevent"),
        AppendOnly("complaints_callback"),
    ]
