"""Fixed-shape queries compiled once per database connection, then run with a new key.

The ORM builds and compiles a statement on every call. For the few statements every portal
page runs (the signed-in person, the session, the person's memberships) that took more CPU
than the database's own work. ``CompiledQuery`` compiles a ``values_list`` queryset once per
connection with a probe key, checks that the probe is the statement's only parameter, and
from then on runs the same SQL with the caller's key, converting the values as the ORM would.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet

# The default probe: an id no row has (keys that are ids); a text key needs a text probe.
PROBE_ID = -7_654_321_987


class CompiledQuery:
    """``build(key)`` (a ``values_list`` queryset), compiled once per connection.

    ``probe`` stands in for the key while compiling: a value of the key's type that the
    statement contains nowhere else. Compiling fails loudly if the statement's parameters
    are anything but ``[probe]`` (a constant that became a parameter, say).
    """

    def __init__(self, build: Callable[[Any], QuerySet[Any]], probe: Any = PROBE_ID) -> None:
        self._build = build
        self._probe = probe
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, tuple[str, Any]] = (
            weakref.WeakKeyDictionary()
        )

    def _compile(self, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        compiler = self._build(self._probe).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [self._probe]:
            raise ValueError(f"A compiled query takes only its key, not {params!r}.")
        return sql, compiler

    def rows(self, key: Any, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        """The rows for ``key``, as ``values_list`` would give them."""
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        sql, compiler = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))


@cache
def field_names(model: type[Model], prefix: str = "") -> tuple[str, ...]:
    """The model's stored fields, for ``values_list`` (``prefix``: a relation path)."""
    return tuple(prefix + field.attname for field in model._meta.concrete_fields)


def instance(model: type[Model], values: tuple[Any, ...] | list[Any]) -> Any:
    """A model instance from the values of ``field_names(model)``, as the ORM loads it."""
    return model.from_db(DEFAULT_DB_ALIAS, list(field_names(model)), values)
