"""Copy each contractor's search name onto their assignments, a batch of ids at a time.

Not atomic: each batch commits on its own, so an upgrade of a large table never holds every
assignment's row lock at once (the previous version keeps working meanwhile). Safe to run
again: only rows whose name is still empty are changed. Rows a previous version inserts
after this ran are filled in by the worker (``names_backfill``).
"""

from django.db import migrations, transaction

BATCH = 20_000  # ids per transaction

# PostgreSQL: a join. Elsewhere (SQLite): a correlated subquery.
JOIN = """
UPDATE certificates_assignment AS a SET search_name = c.search_name
FROM certificates_contractor AS c
WHERE c.id = a.contractor_id AND a.id >= %s AND a.id < %s AND a.search_name = ''
"""
PORTABLE = """
UPDATE certificates_assignment SET search_name = (
    SELECT c.search_name FROM certificates_contractor c
    WHERE c.id = certificates_assignment.contractor_id
)
WHERE id >= %s AND id < %s AND search_name = ''
"""


def copy_search_names(apps, schema_editor):
    connection = schema_editor.connection
    sql = JOIN if connection.vendor == "postgresql" else PORTABLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM certificates_assignment")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(sql, [start, start + BATCH])


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("certificates", "0005_unrendered_queue_index")]

    operations = [
        migrations.RunPython(copy_search_names, migrations.RunPython.noop, elidable=True),
    ]
