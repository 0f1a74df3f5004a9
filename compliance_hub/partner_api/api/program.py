"""``/program``: the insurance program certificates state, and the details a partner sets.

The operator sets up a program's insurers and coverage lines (kind, policy number, limits,
additional insured and waiver flags). The partner sets each line's policy term, occurrence
or claims-made basis, what the general aggregate applies per, the workers' compensation
details, and who signs certificates as authorized representative. Certificates issued
afterwards state them; certificates already issued never change.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router

from compliance_hub.facilities.models import CoverageLine, Partner
from compliance_hub.partner_api import queries, services
from compliance_hub.partner_api.api import problems
from compliance_hub.partner_api.api.common import BODY_ERRORS, ObjectId, actor, answers, partner
from compliance_hub.partner_api.api.schemas import (
    CoverageLineOut,
    CoverageTermsIn,
    ProgramOut,
    RepresentativeIn,
    RepresentativeOut,
)

router = Router(tags=["insurance program"])

# Model field -> its place in the API body.
WC_API_FIELDS = {
    "wc_limits": "limits",
    "proprietor_excluded": "proprietor_excluded",
    "el_each_accident": "el_each_accident",
    "el_disease_each_employee": "el_disease_each_employee",
    "el_disease_policy_limit": "el_disease_policy_limit",
}


def coverage_line(line: CoverageLine) -> dict[str, Any]:
    wc = None
    if line.is_workers_compensation:
        wc = {api: getattr(line, field) for field, api in WC_API_FIELDS.items()}
        wc["limits"] = wc["limits"] or None
    return {
        "id": line.pk,
        "kind": line.kind,
        "label": line.get_kind_display(),
        "insurer": line.insurer.letter,
        "policy_number": line.policy_number,
        "limits": [(str(label), int(amount)) for label, amount in line.limits],
        "additional_insured": line.additional_insured,
        "subrogation_waived": line.subrogation_waived,
        "active": line.active,
        "policy_effective": line.policy_effective,
        "policy_expiry": line.policy_expiry,
        "basis": line.basis or None,
        "aggregate_applies_per": line.aggregate_applies_per or None,
        "workers_compensation": wc,
    }


def representative(p: Partner) -> dict[str, str]:
    return {"name": p.representative_name, "title": p.representative_title}


@router.get("/program", response=answers({200: ProgramOut}), summary="Get the insurance program")
def get_program(request: HttpRequest) -> Any:
    """The program's coverage lines (in the order certificates list them) and the
    authorized representative who signs certificates."""
    p = partner(request)
    return {
        "representative": representative(p),
        "coverage_lines": [coverage_line(line) for line in queries.coverage_lines([p.pk])],
    }


@router.put(
    "/program/representative",
    response=answers({200: RepresentativeOut}, *BODY_ERRORS),
    summary="Name the authorized representative",
)
def put_representative(request: HttpRequest, payload: RepresentativeIn) -> Any:
    """Printed on certificates issued from now on with an electronic signature statement.
    Empty: certificates are signed for the producer without a person's name."""
    p = partner(request)
    try:
        services.set_representative(p, payload.name, payload.title, actor=actor(request))
    except ValidationError as exc:
        errors, general = problems.django_errors(exc)
        renamed = [(field.removeprefix("representative_"), m) for field, m in errors]
        raise problems.invalid(renamed, general) from None
    return representative(p)


@router.put(
    "/program/coverage-lines/{line_id}",
    response=answers({200: CoverageLineOut}, 404, *BODY_ERRORS),
    summary="Set a coverage line's term and details",
)
def put_coverage_terms(request: HttpRequest, line_id: ObjectId, payload: CoverageTermsIn) -> Any:
    """Replaces the policy term, basis, aggregate and workers' compensation details of one
    line (`id` from `GET /program`); a field left out is cleared. `workers_compensation` only
    on a workers' compensation line, `basis` and `aggregate_applies_per` only on others."""
    line = queries.coverage_line([partner(request).pk], line_id)
    values: dict[str, Any] = {
        "policy_effective": payload.policy_effective,
        "policy_expiry": payload.policy_expiry,
        "basis": payload.basis or "",
        "aggregate_applies_per": payload.aggregate_applies_per or "",
    }
    if payload.workers_compensation is not None:
        wc = payload.workers_compensation.model_dump()
        values.update({field: wc[api] for field, api in WC_API_FIELDS.items()})
        values["wc_limits"] = values["wc_limits"] or ""
    try:
        services.set_coverage_terms(line, values, actor=actor(request))
    except ValidationError as exc:
        errors, general = problems.django_errors(exc)
        renamed = [
            (f"workers_compensation.{WC_API_FIELDS[f]}" if f in WC_API_FIELDS else f, m)
            for f, m in errors
        ]
        raise problems.invalid(renamed, general) from None
    return coverage_line(line)
