"""Upgrading keeps first-name search working for assignments stored before 0004 (the
names are copied in batches by 0006)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BEFORE = [("certificates", "0003_table_indexes")]
AFTER = [("certificates", "0007_search_name_indexes")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_assignments_get_the_contractors_search_name(monkeypatch):
    backfill = importlib.import_module(
        "compliance_hub.certificates.migrations.0006_backfill_search_names"
    )
    monkeypatch.setattr(backfill, "BATCH", 2)  # several batches, the last one partial
    old = _migrate(BEFORE)
    Partner = old.get_model("facilities", "Partner")
    Facility = old.get_model("facilities", "Facility")
    Contractor = old.get_model("certificates", "Contractor")
    Assignment = old.get_model("certificates", "Assignment")
    partner = Partner.objects.create(name="P", slug="p")
    facility = Facility.objects.create(partner=partner, external_id="F1", name="North")
    zoe = Contractor.objects.create(
        partner=partner,
        external_id="C1",
        first_name="Zoë",
        last_name="O'Neil",
        search_name="zoe oneil",
    )
    for i in range(1, 6):
        Assignment.objects.create(
            partner=partner,
            facility=facility,
            contractor=zoe,
            external_id=f"A{i}",
            effective_date=date(2025, 1, i),
            end_date=date(2025, 1, i + 1),
            contractor_name="Zoë O'Neil",
            sort_name="oneil zoe",
        )

    new = _migrate(AFTER)
    names = new.get_model("certificates", "Assignment").objects.values_list(
        "search_name", flat=True
    )
    assert list(names) == ["zoe oneil"] * 5

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from django.http import QueryDict

    from compliance_hub.certificates.models import Assignment as Current
    from compliance_hub.certificates.queries import filtered_assignments, parse_filters
    from compliance_hub.facilities.models import Facility as CurrentFacility

    filters, _ = parse_filters(QueryDict("q=zoe"))
    found = filtered_assignments(CurrentFacility.objects.get(pk=facility.pk), filters)
    assert sorted(a.external_id for a in found) == ["A1", "A2", "A3", "A4", "A5"]
    assert Current.objects.count() == 5
