"""The event types a partner can subscribe to: the one list (API, console, docs use it)."""

from __future__ import annotations

CERTIFICATE_ISSUED = "certificate.issued"
CERTIFICATE_SUPERSEDED = "certificate.superseded"
CERTIFICATE_VOIDED = "certificate.voided"
INVITATION_ACCEPTED = "invitation.accepted"
MEMBERSHIP_REMOVED = "membership.removed"
AUDITOR_ACCESS_GRANTED = "auditor_access.granted"

# type -> what it means, in the order the console and the guide list them.
EVENT_TYPES: dict[str, str] = {
    CERTIFICATE_ISSUED: "A certificate was issued (new assignment, or a change to one).",
    CERTIFICATE_SUPERSEDED: "A certificate was replaced by a newer one after a change.",
    CERTIFICATE_VOIDED: "A certificate became void: its assignment was cancelled.",
    INVITATION_ACCEPTED: "Someone accepted an invitation to one of your facilities.",
    MEMBERSHIP_REMOVED: "A person's access to one of your facilities ended.",
    AUDITOR_ACCESS_GRANTED: "A primary contact gave an auditor access to a facility.",
}
