"""Model choice fields given ids no database column holds: an invalid choice, never an error.

SQLite refuses an integer parameter beyond 64 bits (OverflowError) instead of finding no row,
which made the auditor grant form answer 500 to ``reconciliations=9223372036854775808``; and
Python refuses to convert a string of more than 4,300 digits (ValueError), which made the key
form answer 500 to a 5,000-digit partner id (found by tests/security/test_no_server_error.py).
"""

from __future__ import annotations

import pytest
from django import forms

from compliance_hub.core.forms import IdChoiceField, IdMultipleChoiceField
from compliance_hub.facilities.models import Partner
from tests import factories

pytestmark = pytest.mark.django_db

# "9" * 5000: longer than Python converts to int (4,300 digits) — it raised ValueError.
OUT_OF_RANGE = [
    "9223372036854775808",
    "99999999999999999999999",
    "9" * 5000,
    "0" * 30 + "7",
    "0",
    "-3",
    "1e3",
    "١٢",
    " ",
]


class OneForm(forms.Form):
    partner = IdChoiceField(queryset=Partner.objects.all())


class ManyForm(forms.Form):
    partners = IdMultipleChoiceField(queryset=Partner.objects.all())


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_one_out_of_range_id_is_an_invalid_choice(value):
    factories.partner()
    form = OneForm(data={"partner": value})
    assert not form.is_valid()
    assert form.errors["partner"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_many_with_one_out_of_range_id_is_invalid(value):
    partner = factories.partner()
    form = ManyForm(data={"partners": [str(partner.pk), value]})
    assert not form.is_valid()
    assert form.errors["partners"]


def test_real_ids_still_choose():
    a = factories.partner()
    b = factories.partner()
    assert OneForm(data={"partner": str(b.pk)}).is_valid()
    form = ManyForm(data={"partners": [str(a.pk), str(b.pk)]})
    assert form.is_valid()
    assert set(form.cleaned_data["partners"]) == {a, b}
