"""coi-v2 wording: the sentences coi-v2 adds to or changes from coi-v1, in our own words.

Frozen with the template once certificates are issued as coi-v2; the sentences coi-v2 shares
with coi-v1 (notices, cancellation, verification note) are imported from ``coi_v1.wording``.
"""

from __future__ import annotations

COVERAGE_STATEMENT = (
    "The insured named above is covered as a participant under the program policies listed "
    "below, which the staffing partner holds for the people it places: many insureds share a "
    "policy number. Each policy's own term is shown beside its number; this certificate "
    "evidences coverage for the coverage period of this assignment only. The insurance is "
    "subject to all terms, exclusions and conditions of the policies, whatever any contract "
    "or other document this certificate may relate to requires. Limits shown may have been "
    "reduced by paid claims."
)
PERIOD_BANNER = "COVERAGE PERIOD OF THIS ASSIGNMENT"
PARTICIPANT = "{insured} is covered as a participant under the program policies of {program}."
ADDITIONAL_INSURED = (
    "Additional insured: {holder} is an additional insured under the {policies}, as far as "
    "the policy or an endorsement to it provides."
)
WAIVER = (
    "Waiver of subrogation: the insurer waives its right of subrogation in favour of {holder} "
    "under the {policies}, as far as the policy or an endorsement to it provides."
)
WC_TYPE_SUFFIX = "AND EMPLOYERS' LIABILITY"
EL_EACH_ACCIDENT = "E.L. each accident"
EL_DISEASE_EMPLOYEE = "E.L. disease, each employee"
EL_DISEASE_POLICY = "E.L. disease, policy limit"
ELECTRONIC_SIGNATURE = (
    "Signed electronically for {producer} on the date of issue; no handwritten signature is "
    "needed. The verification page below confirms this certificate is genuine."
)
NO_REPRESENTATIVE = "Authorized representative of {producer}"


# Naming more policies than this in a sentence crowds the page; the table's column says which.
MAX_NAMED_POLICIES = 3


def policies(lines: list[tuple[str, str]], column: str) -> str:
    """'commercial general liability (GL-1) policy', '… and … policies' for (label, number),
    or, for many lines, the policies marked Y in ``column`` of the table."""
    if len(lines) > MAX_NAMED_POLICIES:
        return f"policies marked Y in the {column} column above"
    parts = [f"{label.lower()} ({number})" if number else label.lower() for label, number in lines]
    if len(parts) == 1:
        return f"{parts[0]} policy"
    return f"{', '.join(parts[:-1])} and {parts[-1]} policies"


def yes_no(value: object) -> str:
    return "Y" if value else "N"
