# Conflicts, consents, rulings, pre-registrations and the commission ledger are evidence (A7.21):
# the database refuses UPDATE and DELETE. 0009 added columns to sales_ownershipdecision, which
# SQLite does by rebuilding the table and so drops its guards: AppendOnly (idempotent) puts
# them back.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0009_reception_facts_and_deals"),
    ]

    operations = [
        AppendOnly("sales_ownershipdecision"),
        AppendOnly("sales_conflictevent"),
        AppendOnly("sales_consentrecord"),
        AppendOnly("sales_rulingrecord"),
        AppendOnly("sales_preregistration"),
        AppendOnly("sales_commissionentry"),
    ]
