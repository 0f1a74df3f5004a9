"""Two requests rendering the same certificate at once store one file (real transactions)."""

import threading
import time

import pytest
from django.db import connection

from compliance_hub.certificates import documents
from compliance_hub.certificates.models import Certificate
from tests import factories
from tests.certificates.storages import stored_files

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_concurrent_first_requests_render_and_store_once(media, facility, monkeypatch):
    assignment = factories.assignment(facility)
    assignment.refresh_from_db()
    pk = assignment.current_certificate_id
    real = documents.render_pdf
    calls = []

    def slow_render(certificate):
        calls.append(certificate.pk)
        time.sleep(0.3)  # keep the first render in progress while the second arrives
        return real(certificate)

    monkeypatch.setattr(documents, "render_pdf", slow_render)
    results: dict[int, Certificate] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def request(slot: int) -> None:
        try:
            start.wait()
            results[slot] = documents.ensure_rendered(Certificate.objects.get(pk=pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(slot,)) for slot in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert calls == [pk]  # rendered once
    assert results[1].sha256 == results[2].sha256
    assert results[1].pdf.name == results[2].pdf.name
    assert stored_files(media) == [results[1].pdf.name]


def test_two_workers_render_disjoint_certificates(media, facility):
    for _ in range(6):
        factories.assignment(facility)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            counts.append(documents.render_pending(100))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 6
    assert len(stored_files(media)) == 6
    assert not Certificate.objects.filter(rendered_at__isnull=True).exists()
