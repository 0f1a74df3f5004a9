"""``Facility.longest_assignment_days``, filled from the facility's assignments."""

from django.db import migrations, models
from django.db.models import F, Max


def backfill(apps, schema_editor):
    Assignment = apps.get_model("certificates", "Assignment")
    Facility = apps.get_model("facilities", "Facility")
    longest = (
        Assignment.objects.values("facility_id")
        .annotate(longest=Max(F("end_date") - F("effective_date")))
        .values_list("facility_id", "longest")
    )
    for facility_id, duration in longest:
        Facility.objects.filter(pk=facility_id).update(longest_assignment_days=duration.days)


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0002_alter_coverageline_limits"),
        ("certificates", "0008_drop_duration_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="facility",
            name="longest_assignment_days",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
