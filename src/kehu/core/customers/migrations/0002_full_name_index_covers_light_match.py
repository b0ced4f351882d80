# The full name's index carries what a light A7.4 match reads, so a common name's hundreds of
# customers are read from the index alone on PostgreSQL (models.py). No data changes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customer",
            name="cust_full_name_key",
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["company", "full_name_key"],
                include=("id", "surname", "plate_key", "car_brand_key", "created_at"),
                name="cust_full_name_key",
            ),
        ),
    ]
