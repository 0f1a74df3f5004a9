"""CompiledQuery: compiled once per connection, the same rows and values as the ORM."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance_hub.certificates.models import Assignment
from compliance_hub.core.compiled import CompiledQuery, field_names, instance
from compliance_hub.facilities.models import Facility
from tests import factories
from tests.portal.conftest import book

pytestmark = pytest.mark.django_db


def _dates(facility_id):
    return (
        Assignment.objects.filter(facility_id=facility_id)
        .order_by("effective_date", "id")
        .values_list("id", "effective_date", "end_date", "created_at")
    )


def test_rows_match_the_orm_with_converted_values(facility):
    contractor = factories.contractor(facility.partner)
    for day in (5, 1, 9):
        book(facility, contractor, date(2025, 3, day), date(2025, 4, day))
    compiled = CompiledQuery(_dates, probe=-1)
    rows = compiled.rows(facility.pk)
    assert rows == list(_dates(facility.pk))
    assert [r[1] for r in rows] == [date(2025, 3, 1), date(2025, 3, 5), date(2025, 3, 9)]
    assert rows[0][3].tzinfo is not None  # aware, as the ORM gives it
    assert compiled.rows(facility.pk + 1000) == []


def test_compiled_once_per_connection(facility):
    compiled = CompiledQuery(_dates, probe=-1)
    with CaptureQueriesContext(connection) as first:
        compiled.rows(facility.pk)
    with CaptureQueriesContext(connection) as second:
        compiled.rows(facility.pk + 1)
    assert len(first.captured_queries) == len(second.captured_queries) == 1
    assert str(facility.pk + 1) in second.captured_queries[0]["sql"]
    assert len(compiled._compiled) == 1


def test_a_query_with_other_parameters_is_refused(facility):
    compiled = CompiledQuery(
        lambda pk: Assignment.objects.filter(facility_id=pk, status="active").values_list("id"),
        probe=-1,
    )
    with pytest.raises(ValueError, match="only its key"):
        compiled.rows(facility.pk)


def test_instances_are_as_the_orm_loads_them(facility):
    compiled = CompiledQuery(
        lambda pk: Facility.objects.filter(pk=pk).values_list(*field_names(Facility)), probe=-1
    )
    loaded = instance(Facility, compiled.rows(facility.pk)[0])
    fresh = Facility.objects.get(pk=facility.pk)
    assert loaded == fresh
    assert {f.attname: getattr(loaded, f.attname) for f in Facility._meta.concrete_fields} == {
        f.attname: getattr(fresh, f.attname) for f in Facility._meta.concrete_fields
    }
    assert not loaded._state.adding
