# The customer's latest visit in the sales book (models.py), carried by the full name's index for
# the light A7.4 match. Filled in from the book by migration sales/0019.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_full_name_index_covers_light_match"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customer",
            name="cust_full_name_key",
        ),
        migrations.AddField(
            model_name="customer",
            name="last_visit_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="最近到访时间"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["company", "full_name_key"],
                include=(
                    "id",
                    "surname",
                    "plate_key",
                    "car_brand_key",
                    "created_at",
                    "last_visit_at",
                ),
                name="cust_full_name_key",
            ),
        ),
    ]
