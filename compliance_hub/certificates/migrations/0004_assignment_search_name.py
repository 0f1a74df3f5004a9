"""Assignment.search_name: the contractor's folded "first last", for first-name search.

Only the column here (instant on PostgreSQL 11+: a database default, no table rewrite); the
database default also lets a previous version of the hub, still running during an upgrade,
insert assignments. 0006 copies the names in batches, 0007 adds the indexes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("certificates", "0003_table_indexes")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="search_name",
            field=models.CharField(
                db_default="",
                editable=False,
                help_text="Lower-case, accent-free 'first last'.",
                max_length=210,
            ),
        ),
    ]
