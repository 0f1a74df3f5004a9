"""The heavy-read context without a replica (any database): nothing changes, and a streamed
body is produced inside the context even though the view has returned (test_replica.py
runs the real replica)."""

from __future__ import annotations

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from compliance_hub.core import replica


def _flag() -> bool:
    return replica._heavy.get()


def test_a_streamed_body_is_produced_inside_the_heavy_read_context():
    seen: list[bool] = []

    def body():
        for chunk in (b"a", b"b", b"c"):
            seen.append(_flag())
            yield chunk

    def view(request: HttpRequest) -> StreamingHttpResponse:
        seen.append(_flag())
        return StreamingHttpResponse(body())

    response = replica.heavy_read_view(view)(HttpRequest())
    assert not _flag()  # the view has returned: outside the context again
    assert b"".join(response) == b"abc"
    assert seen == [True, True, True, True]
    assert not _flag()


def test_primary_reads_inside_a_heavy_block_and_back():
    with replica.heavy_reads():
        assert _flag()
        with replica.primary_reads():
            assert not _flag()
        assert _flag()
    assert not _flag()


@pytest.mark.django_db
def test_without_a_replica_every_read_is_the_primarys_and_the_middleware_steps_aside():
    assert not replica.configured()
    with replica.heavy_reads():
        assert not replica.using_replica()
        assert replica.read_alias(HttpResponse) == "default"
    with pytest.raises(MiddlewareNotUsed):
        replica.ReplicaMiddleware(lambda request: HttpResponse())


class _Recording(replica.PrimaryReplicaRouter):
    """The hub's router, noting where it sends each read; every query still runs on the
    test database (``default``), so no second server is needed to see the decisions."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, str]] = []

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        self.reads.append((model._meta.label, super().db_for_read(model, **hints)))
        return replica.PRIMARY


# Whoever may see a facility is decided from these: never from a replica that may lag behind
# a revocation (REPLICA_MAX_LAG_SECONDS).
ACCESS_MODELS = {
    "accounts.Person",
    "sessions.Session",
    "facilities.Membership",
    "facilities.Facility",
    "auditors.AuditorGrant",
}


@pytest.mark.django_db(transaction=True)  # outside atomic(): the router may choose the replica
def test_an_export_decides_access_on_the_primary_and_reads_its_rows_from_the_replica(
    settings, monkeypatch
):
    from django.test import Client

    from compliance_hub.facilities.models import Membership
    from tests import factories

    router = _Recording()
    settings.DATABASE_ROUTERS = [router]
    monkeypatch.setattr(replica, "replica_usable", lambda: True)  # a healthy replica
    facility = factories.facility(name="Riverside Care Home")
    person = factories.member(facility)
    factories.assignment(facility, factories.contractor(facility.partner, "Lisa", "Turner"))
    client = Client()
    client.force_login(person)
    url = f"/facilities/{facility.pk}/certificates/export.csv"

    router.reads.clear()
    response = client.get(url)
    assert response.status_code == 200
    assert b"Turner" in b"".join(response.streaming_content)
    on_replica = {label for label, alias in router.reads if alias == replica.REPLICA}
    assert "certificates.Assignment" in on_replica  # the rows: a heavy read
    checked = {label for label, alias in router.reads if alias == replica.PRIMARY}
    assert {"sessions.Session", "accounts.Person", "facilities.Membership"} <= checked
    assert not on_replica & ACCESS_MODELS, router.reads

    # Revoked on the primary: refused at once, whatever a lagging replica still holds.
    Membership.objects.filter(person=person).update(revoked_at=timezone.now())
    router.reads.clear()
    assert client.get(url).status_code == 404
    assert all(alias == replica.PRIMARY for _, alias in router.reads), router.reads
