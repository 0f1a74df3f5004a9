"""The filter form's date inputs: labelled, described, and escaped (``{% date_field %}``)."""

from __future__ import annotations

from django.http import QueryDict
from django.template import engines

from compliance_hub.certificates.queries import parse_filters

_TAG = engines["django"].from_string("{% load portal %}{% date_field field describedby %}")


def _field(querystring: str, name: str):
    _, form = parse_filters(QueryDict(querystring))
    return form[name]


def date_field(field, describedby: str = "") -> str:
    return _TAG.render({"field": field, "describedby": describedby})


def test_a_valid_date_is_labelled_and_kept():
    html = date_field(_field("effective_from=2025-01-31", "effective_from"))
    assert '<label for="id_effective_from">' in html
    assert 'id="id_effective_from"' in html and 'value="2025-01-31"' in html
    assert "aria-invalid" not in html and "aria-describedby" not in html


def test_an_invalid_date_is_marked_and_explained_next_to_the_field():
    html = date_field(_field("active_from=2026-02-30", "active_from"), "active-help")
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="active-help id_active_from_error"' in html
    assert '<ul class="errorlist" id="id_active_from_error"><li>' in html
    assert "2026-02-30 is not a real date" in html


def test_what_was_typed_is_escaped():
    html = date_field(_field('end_to="><script>x</script>', "end_to"))
    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
