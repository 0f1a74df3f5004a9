"""The activity log is append-only in the database itself, not only in the code."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client

from compliance_hub.activity.models import Activity, AppendOnlyError
from compliance_hub.activity.services import record
from tests import factories

TABLE = Activity._meta.db_table


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        return {name for (name,) in cursor.fetchall()}


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_triggers_exist_after_all_migrations():
    expected = (
        {"activity_no_update", "activity_no_delete"}
        if connection.vendor == "sqlite"
        else {"activity_append_only"}
    )
    assert _triggers() == expected


@pytest.mark.django_db
def test_raw_sql_cannot_change_or_delete_a_record():
    entry = record(Activity.Verb.SIGNED_IN, actor=factories.person("a@example.com"))
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(f"UPDATE {TABLE} SET actor_label = %s WHERE id = %s", ["someone@else", entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(f"DELETE FROM {TABLE}")  # a whole-table DELETE is refused too
    entry.refresh_from_db()
    assert entry.actor_label == "a@example.com"
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_the_code_has_no_update_or_delete_path():
    entry = record(Activity.Verb.SIGNED_IN, actor=factories.person())
    with pytest.raises(AppendOnlyError):
        Activity.objects.filter(pk=entry.pk).update(target="x")
    with pytest.raises(AppendOnlyError):
        Activity.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    entry.target = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert Activity.objects.get(pk=entry.pk).target == ""


@pytest.mark.django_db
def test_the_admin_shows_records_but_cannot_change_or_delete_them():
    operator = factories.person("op@hub.example", is_staff=True, is_superuser=True)
    entry = record(Activity.Verb.SIGNED_IN, actor=operator)
    client = Client()
    client.force_login(operator)
    assert client.get("/admin/activity/activity/").status_code == 200
    change = client.get(f"/admin/activity/activity/{entry.pk}/change/")
    assert change.status_code == 200  # read-only view
    assert b'name="_save"' not in change.content
    assert client.post(f"/admin/activity/activity/{entry.pk}/change/", {}).status_code == 403
    assert (
        client.post(f"/admin/activity/activity/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = client.post(
        "/admin/activity/activity/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Activity.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_keeps_the_triggers():
    """The test suite's cleanup (and an operator's ``flush``) is a reset, not a change."""
    record(Activity.Verb.SIGNED_IN, actor=factories.person())
    call_command("flush", interactive=False, verbosity=0)
    assert Activity.objects.count() == 0
    assert len(_triggers()) >= 1
    entry = record(Activity.Verb.SIGNED_IN, actor=factories.person())
    with pytest.raises(IntegrityError):
        _raw(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])


@pytest.mark.django_db(transaction=True)
def test_why_flush_is_overridden():
    """Django's own flush: TRUNCATE on PostgreSQL (no row trigger fires), DELETE on SQLite."""
    from django.core.management.commands.flush import Command as DjangoFlush

    record(Activity.Verb.SIGNED_IN, actor=factories.person())
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="couldn't be flushed") as refused:
            call_command(DjangoFlush(), interactive=False, verbosity=0)
        assert "append-only" in str(refused.value.__cause__)
        assert Activity.objects.count() == 1  # nothing was emptied
    else:
        call_command(DjangoFlush(), interactive=False, verbosity=0)
        assert Activity.objects.count() == 0
