"""``flush`` that also works with the activity log's append-only triggers on SQLite.

Django's ``flush`` empties every table: ``TRUNCATE`` on PostgreSQL (row triggers do not
fire) but ``DELETE FROM`` on SQLite, which the activity triggers refuse. Emptying the whole
database is an operator's (or the test suite's) reset, not a change to the record, so on
SQLite the triggers are dropped for the flush and re-created from their stored SQL in the
same transaction: if anything fails, they were never gone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from compliance_hub.activity.models import Activity


class Command(flush.Command):
    help = flush.Command.help + " (The activity log's append-only triggers stay in place.)"

    def handle(self, **options: Any) -> None:
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        table = Activity._meta.db_table
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
