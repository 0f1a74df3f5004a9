"""Sessions signed in before this version name ``accounts.backends.PersonBackend``, which no
longer exists; Django ignores a session whose backend is not in ``AUTHENTICATION_BACKENDS``.
Name Django's ``ModelBackend`` in them instead, so nobody is signed out by the upgrade.

The previous version lists ``ModelBackend`` too, so it accepts the rewritten sessions while it
still runs during a rolling deploy.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import migrations
from django.utils import timezone

OLD = "compliance_hub.accounts.backends.PersonBackend"
STOCK = "django.contrib.auth.backends.ModelBackend"


def name_the_stock_backend(apps, schema_editor):
    # Session data is signed and encoded by the session store: only the real model's
    # documented get_decoded() and Session.objects.encode() read and write it.
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator(chunk_size=1000):
        data = session.get_decoded()
        if data.get(BACKEND_SESSION_KEY) == OLD:
            data[BACKEND_SESSION_KEY] = STOCK
            Session.objects.filter(pk=session.pk).update(
                session_data=Session.objects.encode(data)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sign_in_request"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(name_the_stock_backend, migrations.RunPython.noop)]
