# A correction remembers the line its chain started from. On SQLite an added column may rebuild
# the table, which drops its guards: AppendOnly (idempotent) puts them back.

import django.db.models.deletion
from django.db import migrations, models

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_append_only_books"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="original",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sales.registration",
                verbose_name="原始登记",
            ),
        ),
        AppendOnly("sales_registration"),
    ]
