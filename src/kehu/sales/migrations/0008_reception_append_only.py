# Ownership decisions are evidence (A7.21): the database refuses UPDATE and DELETE.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0007_reception"),
        ("ledger", "0002_append_only"),
    ]

    operations = [
        AppendOnly("sales_ownershipdecision"),
    ]
