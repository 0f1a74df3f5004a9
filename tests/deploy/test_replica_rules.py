"""The heavy-read context without a replica (any database): nothing changes, and a streamed
body is produced inside the context even though the view has returned (test_replica.py
runs the real replica)."""

from __future__ import annotations

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

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
