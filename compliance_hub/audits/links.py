"""Links into the certificate portal."""

from __future__ import annotations

from django.urls import reverse


def certificate_url(facility_id: int, number: str) -> str:
    """The portal page that shows certificate ``number`` of the facility (PDF in the browser)."""
    return reverse("certificates:view", kwargs={"facility_id": facility_id, "number": number})
