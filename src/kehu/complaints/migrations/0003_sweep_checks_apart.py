# The sweep's next check moves from the complaint to a table of its own (models.py, module
# docstring): the complaint's sweep writes then touch no indexed column, and PostgreSQL makes
# them in place. Open complaints' checks are copied over before the column goes; reversed, they
# are copied back.

import django.db.models.deletion
from django.db import migrations, models

COPY_OUT = (
    "INSERT INTO complaints_complaintcheck (complaint_id, next_check_at) "
    "SELECT id, next_check_at FROM complaints_complaint "
    "WHERE next_check_at IS NOT NULL AND NOT (stage = 'closed')"
)
COPY_BACK = (
    "UPDATE complaints_complaint SET next_check_at = (SELECT k.next_check_at "
    "FROM complaints_complaintcheck AS k WHERE k.complaint_id = complaints_complaint.id)"
)


def leave_room_for_updates_in_place(apps, schema_editor):  # type: ignore[no-untyped-def]
    """PostgreSQL: pages filled to 90 %, so the sweep's update of a row fits on its own page."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE complaints_complaint SET (fillfactor = 90)")


def fill_pages_again(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE complaints_complaint RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintCheck",
            fields=[
                (
                    "complaint",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="sweep_check",
                        serialize=False,
                        to="complaints.complaint",
                        verbose_name="投诉",
                    ),
                ),
                ("next_check_at", models.DateTimeField(verbose_name="下次检查")),
            ],
            options={
                "verbose_name": "投诉巡检时间",
                "verbose_name_plural": "投诉巡检时间",
            },
        ),
        migrations.RunSQL(COPY_OUT, COPY_BACK),
        migrations.RemoveIndex(
            model_name="complaint",
            name="complaint_sweep_due",
        ),
        migrations.RemoveField(
            model_name="complaint",
            name="next_check_at",
        ),
        migrations.AddIndex(
            model_name="complaintcheck",
            index=models.Index(fields=["next_check_at"], name="complaint_check_due"),
        ),
        migrations.RunPython(leave_room_for_updates_in_place, fill_pages_again),
    ]
