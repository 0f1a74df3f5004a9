"""Certificate template ``coi-v2``: coi-v1's one-page certificate, made unambiguous for a
reader used to ACORD 25 (issue 23).

Added to what coi-v1 states: the table's dates labelled as the coverage period of this
assignment; each program policy's own term beside its number; a sentence that the insured is
covered as a participant under the program policies; occurrence or claims-made basis and what
the general aggregate applies per; a workers' compensation and employers' liability row (per
statute or other, proprietor excluded Y/N, the three E.L. limits) when the program has that
line; the certificate holder named as additional insured (and the waiver of subrogation in
its favour) where the lines provide it; and an authorized representative's electronic
signature (name, title, statement). The verification block is coi-v1's.

Frozen once certificates are issued with it: do not change what it draws (nor what it
inherits from ``coi_v1``, which is frozen anyway); a new design is a new module.
"""

from __future__ import annotations

from compliance_hub.certificates.pdf import CertificateDocument
from compliance_hub.certificates.pdf.coi_v1 import render_page
from compliance_hub.certificates.pdf.coi_v2.page import VERSION, Page

__all__ = ["VERSION", "render"]


def render(doc: CertificateDocument) -> bytes:
    """The certificate's PDF bytes (deterministic for the same document)."""
    return render_page(doc, Page)
