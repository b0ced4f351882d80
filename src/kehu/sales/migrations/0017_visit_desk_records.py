"""``Visit.desk_records``: how many ``receptions`` ledger entries the desk appended about the
visit, so that deciding a visit with none reads no ledger. Existing visits are counted from the
ledger itself."""

from django.db import migrations, models
from django.db.models import Count


def count_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    visit_model = apps.get_model("sales", "Visit")
    entry_model = apps.get_model("ledger", "LedgerEntry")
    counts = (
        entry_model.objects.filter(stream="receptions", subject_type="sales.visit")
        .values("subject_id")
        .annotate(n=Count("id"))
    )
    for row in counts:
        visit_model.objects.filter(pk=int(row["subject_id"])).update(desk_records=row["n"])


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0016_visit_rotation_message"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="desk_records",
            field=models.PositiveIntegerField(default=0, verbose_name="前台记录条数"),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
