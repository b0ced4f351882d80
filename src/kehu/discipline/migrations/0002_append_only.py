# The rewards-and-penalties ledger is evidence: the database refuses UPDATE and DELETE on it.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0001_initial"),
        ("ledger", "0002_append_only"),
    ]

    operations = [
        AppendOnly("discipline_disciplineentry"),
        AppendOnly("discipline_disciplineproposal"),
        AppendOnly("discipline_proposaldecision"),
        AppendOnly("discipline_appealevent"),
        AppendOnly("discipline_appealevidence"),
    ]
