"""Sessions in the database (``SESSION_ENGINE``), loaded with a statement compiled once.

Django's database store, except that loading a session, which every signed-in request
does, runs SQL compiled once per connection (``core.compiled``) and checks the expiry in
Python; saving, deleting and clearing are Django's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from compliance_hub.core.compiled import CompiledQuery

_SESSION = CompiledQuery(
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date"),
    probe="compiled-query-probe",
)


class SessionStore(db.SessionStore):
    """``django.contrib.sessions.backends.db.SessionStore`` with a compiled load."""

    def load(self) -> dict[str, Any]:
        rows = _SESSION.rows(self.session_key) if self.session_key else []
        if not rows or rows[0][1] <= timezone.now():
            self._session_key = None
            return {}
        return self.decode(rows[0][0])
