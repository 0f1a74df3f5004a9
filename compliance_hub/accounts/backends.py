"""Who the signed-in person is, read with one statement compiled once per connection.

Sign-in is by e-mail link only (``accounts.services``); the backend only looks the session's
person up, on every request, which is why its query skips the ORM's per-call compiling.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from compliance_hub.accounts.models import Person
from compliance_hub.core.compiled import CompiledQuery, field_names, instance

_PERSON = CompiledQuery(lambda pk: Person.objects.filter(pk=pk).values_list(*field_names(Person)))


class PersonBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` is the compiled look-up by primary key."""

    def get_user(self, user_id: Any) -> Person | None:
        try:
            pk = Person._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        rows = _PERSON.rows(pk)
        person = instance(Person, rows[0]) if rows else None
        return person if person is not None and self.user_can_authenticate(person) else None
