# The audit trail is evidence too: the database refuses UPDATE, DELETE and TRUNCATE on it.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        # Not for a table: the operation's code lives in the ledger app, and this keeps the
        # ledger's own guard (and the shared PostgreSQL trigger function) installed first.
        ("ledger", "0002_append_only"),
    ]

    operations = [
        AppendOnly("audit_auditevent"),
    ]
