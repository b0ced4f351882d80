# The rotation's history is evidence of whose turn it was (A2.1, A2.2, A7.2): the database
# refuses UPDATE and DELETE on it.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0004_rotation"),
        ("ledger", "0002_append_only"),
    ]

    operations = [
        AppendOnly("sales_rotationevent"),
    ]
