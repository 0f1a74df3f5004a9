"""Assignment.search_name: the contractor's folded "first last", for first-name search.

Copied from Contractor.search_name (kept in step wherever the name is copied), then indexed
with the facility so that a first-name prefix reads only this facility's matching rows.
"""

from django.db import migrations, models

# PostgreSQL: one join. Elsewhere (SQLite): a correlated subquery.
COPY_JOIN = """
UPDATE certificates_assignment AS a SET search_name = c.search_name
FROM certificates_contractor AS c WHERE c.id = a.contractor_id
"""
COPY_PORTABLE = """
UPDATE certificates_assignment SET search_name = (
    SELECT c.search_name FROM certificates_contractor c
    WHERE c.id = certificates_assignment.contractor_id
)
"""


def copy_search_names(apps, schema_editor):
    sql = COPY_JOIN if schema_editor.connection.vendor == "postgresql" else COPY_PORTABLE
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("certificates", "0003_table_indexes")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="search_name",
            field=models.CharField(
                default="",
                editable=False,
                help_text="Lower-case, accent-free 'first last'.",
                max_length=210,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_search_names, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["facility", "search_name", "id"], name="asg_fac_search_idx"
            ),
        ),
    ]
