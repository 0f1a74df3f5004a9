"""Console pages for the insurance program: the coverage lines certificates state, each
line's term and details, and the authorized representative who signs certificates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from compliance_hub.certificates import issuance
from compliance_hub.core.net import client_ip
from compliance_hub.facilities.models import CoverageLine, Partner
from compliance_hub.partner_api import queries, services
from compliance_hub.partner_api.console.access import partner_ids, staff_required
from compliance_hub.partner_api.console.forms import CoverageTermsForm, RepresentativeForm


def _render_program(
    request: HttpRequest,
    forms: dict[int, RepresentativeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    partners: list[Partner] = request.partners  # type: ignore[attr-defined]
    forms = forms or {}
    lines = list(queries.coverage_lines(partner_ids(request)))
    programs = [
        {
            "partner": p,
            "lines": [line for line in lines if line.partner_id == p.pk],
            "gaps": issuance.program_gaps(p),
            "form": forms.get(p.pk) or _representative_form(p),
        }
        for p in partners
    ]
    return render(
        request,
        "partner_api/console/program.html",
        {"programs": programs, "partners": partners},
        status=status,
    )


def _representative_form(partner: Partner, data: Any = None) -> RepresentativeForm:
    """One form per partner on the page: ids made unique per partner, names the same."""
    return RepresentativeForm(data, instance=partner, auto_id=f"p{partner.pk}_%s")


@require_GET
@staff_required
def program(request: HttpRequest) -> HttpResponse:
    return _render_program(request)


def _saved(
    request: HttpRequest,
    form: CoverageTermsForm | RepresentativeForm,
    change: Callable[[services.Actor], bool],
    partner: Partner,
    message: str,
) -> HttpResponse | None:
    """Run ``change`` if ``form`` is valid: on success, say ``message`` (if anything changed)
    and go back to the program page; else ``None``, with the errors on the form."""
    if not form.is_valid():
        return None
    try:
        changed = change(services.Actor.staff(request.user, client_ip(request), partner))
    except ValidationError as exc:
        form.add_validation_error(exc)
        return None
    if changed:
        messages.success(request, message)
    return redirect("partner_api:console_program")


@require_POST
@staff_required
def representative(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_id, pk__in=partner_ids(request))
    form = _representative_form(partner, request.POST)
    done = _saved(
        request,
        form,
        lambda actor: services.set_representative(
            partner,
            form.cleaned_data["representative_name"],
            form.cleaned_data["representative_title"],
            actor=actor,
        ),
        partner,
        f"Certificates of {partner.name} issued from now on name this authorized representative.",
    )
    if done is not None:
        return done
    partner.refresh_from_db()  # the page shows what is saved; the form what was typed
    return _render_program(request, {partner.pk: form}, status=400)


def _line(request: HttpRequest, line_id: int) -> CoverageLine:
    return queries.coverage_line(partner_ids(request), line_id)


def _render_line(
    request: HttpRequest, line: CoverageLine, form: CoverageTermsForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "partner_api/console/coverage_line.html",
        {"line": line, "form": form, "partners": request.partners},  # type: ignore[attr-defined]
        status=status,
    )


@require_GET
@staff_required
def coverage_line(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _line(request, line_id)
    return _render_line(request, line, CoverageTermsForm(instance=line))


@require_POST
@staff_required
def coverage_line_save(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _line(request, line_id)
    saved = _line(request, line_id)  # the form's validation changes ``line`` in memory
    form = CoverageTermsForm(request.POST, instance=line)
    done = _saved(
        request,
        form,
        lambda actor: services.set_coverage_terms(saved, form.terms(), actor=actor),
        saved.partner,
        f"{saved}: certificates issued from now on state these details; certificates already "
        "issued do not change.",
    )
    return done or _render_line(request, saved, form, status=400)
