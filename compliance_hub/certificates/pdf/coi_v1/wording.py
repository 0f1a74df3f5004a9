"""coi-v1 wording and formats: what the certificate says, in our own words.

Frozen with the template: changing a sentence here changes certificates issued as coi-v1
that have not been rendered yet. A new wording belongs to a new template version.
"""

from __future__ import annotations

from datetime import date
from typing import Any

EN_DASH = "\u2013"

SUBTITLE = (
    "One certificate per contractor assignment: the coverage it states applies to the "
    "assignment period shown."
)
NOTICE = (
    "THIS CERTIFICATE IS ISSUED AS A MATTER OF INFORMATION ONLY AND CONFERS NO RIGHTS UPON "
    "THE CERTIFICATE HOLDER. IT DOES NOT AMEND, EXTEND OR ALTER THE COVERAGE AFFORDED BY THE "
    "POLICIES BELOW, AND IT IS NOT A CONTRACT BETWEEN THE ISSUING INSURER(S), THEIR AUTHORIZED "
    "REPRESENTATIVE OR PRODUCER, AND THE CERTIFICATE HOLDER."
)
IMPORTANT = (
    "IMPORTANT: where this certificate shows the holder as an additional insured, or shows "
    "subrogation as waived, that applies only as far as the policy or an endorsement to it "
    "provides; a statement on this certificate does not give the holder those rights."
)
COVERAGE_STATEMENT = (
    "The policies below are in force for the insured named above for the assignment period "
    "shown. The insurance they afford is subject to all their terms, exclusions and "
    "conditions, whatever any contract or other document this certificate may relate to "
    "requires. Limits shown may have been reduced by paid claims."
)
NO_COVERAGE = "No coverage was in force in the insurance program when this certificate was issued."
CANCELLATION = (
    "Should any of the policies described above be cancelled before the end date shown, "
    "notice will be delivered in accordance with the policy provisions."
)
VERIFY_NOTE = (
    "The verification page shows whether this certificate is genuine and current, superseded "
    "or void, and the SHA-256 fingerprint of the issued PDF, so anyone can check that a copy "
    "they were given is unaltered."
)


def us_date(value: date) -> str:
    return value.strftime("%m/%d/%Y")


def long_date(value: date) -> str:
    return f"{value.strftime('%B')} {value.day}, {value.year}"


def money(amount: Any) -> str:
    return f"${int(amount):,}"


def grouped(code: str) -> str:
    """The check code as printed: two groups of five, easier to read aloud and type."""
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


def short_address(url: str) -> str:
    """``https://hub.example.com/v/CH-X/Y/`` -> ``hub.example.com/v/CH-X/Y``."""
    return url.split("://", 1)[-1].rstrip("/")
