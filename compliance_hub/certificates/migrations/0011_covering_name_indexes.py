"""Name search read from the indexes alone: each name index includes the other name, both
dates and the status.

The new indexes are built before the old ones are dropped, so that searches keep an index
while the new ones build (on PostgreSQL, CREATE INDEX lets the table be read meanwhile; only
the final DROP INDEX takes a brief exclusive lock).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("certificates", "0010_notification_change_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["facility", "sort_name", "id"],
                include=["search_name", "effective_date", "end_date", "status"],
                name="asg_fac_last_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["facility", "search_name", "id"],
                include=["sort_name", "effective_date", "end_date", "status"],
                name="asg_fac_first_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="assignment", name="asg_fac_name_idx"),
        migrations.RemoveIndex(model_name="assignment", name="asg_fac_search_idx"),
    ]
