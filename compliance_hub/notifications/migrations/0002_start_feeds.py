from django.db import migrations, models
from django.utils import timezone


def start_watching(apps, schema_editor):
    """Certificate changes are announced from now on: the ones before this installation (or
    the ones a demo seeds into the past) are not mailed."""
    Watermark = apps.get_model("notifications", "Watermark")
    Watermark.objects.get_or_create(
        feed="certificate-changes", defaults={"at": timezone.now(), "key": 0}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="digestweek",
            name="skipped",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(start_watching, migrations.RunPython.noop),
    ]
