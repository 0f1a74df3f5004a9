"""First-name search per facility, and the worker's list of rows still without a name."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("certificates", "0006_backfill_search_names")]

    operations = [
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["facility", "search_name", "id"], name="asg_fac_search_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("search_name", "")), fields=["id"], name="asg_unnamed_idx"
            ),
        ),
    ]
