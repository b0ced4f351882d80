# The ledger's entries are evidence: the database refuses UPDATE, DELETE and TRUNCATE on them.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        AppendOnly("ledger_ledgerentry"),
    ]
