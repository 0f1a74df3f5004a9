"""The database itself refuses to change or delete activity records (UPDATE/DELETE triggers).

PostgreSQL: one row trigger for UPDATE and DELETE. TRUNCATE fires no row trigger, so
``flush`` (and the test suite's cleanup) still works; truncating needs the table owner.
SQLite: two row triggers. SQLite's ``flush`` is ``DELETE FROM``, which would fire them: the
activity app's ``flush`` command lifts them for the flush and restores them afterwards.
Note for later migrations: on SQLite, Django rebuilds a table to alter it, which drops its
triggers; tests/activity/test_append_only.py fails until the migration puts them back.
"""

from django.db import migrations

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION activity_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'activity records are append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Write a new activity record instead.';
    END;
    $$
    """,
    """
    CREATE TRIGGER activity_append_only
        BEFORE UPDATE OR DELETE ON activity_activity
        FOR EACH ROW EXECUTE FUNCTION activity_refuse_change()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS activity_append_only ON activity_activity",
    "DROP FUNCTION IF EXISTS activity_refuse_change()",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity_activity
    BEGIN SELECT RAISE(ABORT, 'activity records are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity_activity
    BEGIN SELECT RAISE(ABORT, 'activity records are append-only: DELETE refused'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS activity_no_update",
    "DROP TRIGGER IF EXISTS activity_no_delete",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"No append-only triggers for {schema_editor.connection.vendor}"
            )
        for sql in statements:
            schema_editor.execute(sql, None)  # no parameters: "%" is literal

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("activity", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        ),
    ]
