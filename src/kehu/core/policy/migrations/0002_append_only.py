# Stored decisions cite a policy version; the database keeps those versions from changing.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0001_initial"),
        ("ledger", "0002_append_only"),
    ]

    operations = [
        AppendOnly("policy_policyversion"),
    ]
