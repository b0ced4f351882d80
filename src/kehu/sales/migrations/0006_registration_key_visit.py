# A customer's line of a visit day is a key too (one line per customer per day, A1.1), so two
# desks registering the same visitor at the same moment cannot both write a line. Only the
# choices change (no schema change); AppendOnly (idempotent) keeps the guards if a backend
# rebuilds the table.

from django.db import migrations, models

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_rotation_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registrationkey",
            name="kind",
            field=models.CharField(
                choices=[
                    ("customer", "客户档案"),
                    ("phone", "联系电话"),
                    ("full_name", "姓名全称"),
                    ("car", "车辆品牌+车牌号+姓氏"),
                    ("visit", "当日来访"),
                ],
                max_length=20,
                verbose_name="要素",
            ),
        ),
        AppendOnly("sales_registrationkey"),
    ]
