"""Kinds of activity: which belong where, and how one record reads in a sentence."""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext

from compliance_hub.activity.models import Activity

Verb = Activity.Verb

# Sign-in events belong to a person, not to a facility (``facility`` is empty).
SESSION_VERBS: tuple[str, ...] = (
    Verb.SIGN_IN_REQUESTED,
    Verb.SIGNED_IN,
    Verb.SIGN_IN_FAILED,
    Verb.SIGNED_OUT,
)
# API keys and the insurance program belong to the partner; a facility's log never shows them.
PARTNER_ONLY_VERBS: tuple[str, ...] = (
    Verb.API_KEY_CREATED,
    Verb.API_KEY_REVOKED,
    Verb.PROGRAM_CHANGED,
)

FACILITY_VERBS: list[str] = [v for v in Verb.values if v not in PARTNER_ONLY_VERBS]
PARTNER_VERBS: list[str] = list(Verb.values)

_LABELS = dict(Verb.choices)

_SIGN_IN_METHODS = {
    "link": "with the e-mailed link",
    "same_browser": "with the e-mailed link",
    "code": "with the e-mailed code",
    "invitation": "by accepting an invitation",
    "passkey": "with a passkey",
    "passkey_confirm": "with the e-mailed link and a passkey",
    "oidc": "with single sign-on",
}
_SSO_HEADLINES = {
    "set up": "Set up single sign-on",
    "changed": "Changed single sign-on",
    "domain verified": "Verified a single sign-on domain",
}
_PASSKEY_HEADLINES = {
    "added": "Added a passkey",
    "removed": "Removed a passkey",
    "reset": "Reset passkeys",
}

# Partner webhook endpoint changes (compliance_hub.webhooks.services), detail "webhook".
_WEBHOOK_HEADLINES = {
    "added": "Added a webhook endpoint",
    "changed": "Changed a webhook endpoint",
    "enabled": "Turned a webhook endpoint on",
    "disabled": "Turned a webhook endpoint off",
    "deleted": "Deleted a webhook endpoint",
    "secret_rotated": "Rotated a webhook signing secret",
    "redelivered": "Asked for a webhook to be sent again",
}


def verb_choices(verbs: list[str]) -> list[tuple[str, str]]:
    return [(v, _LABELS.get(v, v)) for v in verbs]


def verb_label(verb: str) -> str:
    return str(_LABELS.get(verb, verb))


def headline(activity: Activity) -> str:
    """What happened, in a few words: the verb's label, or what changed where the verb alone
    would not say ("Turned bulk download on", not "Changed facility settings")."""
    detail: dict[str, Any] = activity.detail if isinstance(activity.detail, dict) else {}
    if activity.verb == Verb.SETTINGS_CHANGED and isinstance(
        detail.get("bulk_download_enabled"), bool
    ):
        return (
            "Turned bulk download on"
            if detail["bulk_download_enabled"]
            else ("Turned bulk download off")
        )
    if activity.verb == Verb.SETTINGS_CHANGED and detail.get("webhook") in _WEBHOOK_HEADLINES:
        return _WEBHOOK_HEADLINES[detail["webhook"]]
    if activity.verb == Verb.SETTINGS_CHANGED and detail.get("passkey") in _PASSKEY_HEADLINES:
        return _PASSKEY_HEADLINES[detail["passkey"]]
    if activity.verb == Verb.SETTINGS_CHANGED and isinstance(
        detail.get("require_strong_sign_in"), bool
    ):
        return (
            "Required a passkey or single sign-on"
            if detail["require_strong_sign_in"]
            else "Stopped requiring a passkey or single sign-on"
        )
    if activity.verb == Verb.SETTINGS_CHANGED and detail.get("single_sign_on") in _SSO_HEADLINES:
        return _SSO_HEADLINES[detail["single_sign_on"]]
    return verb_label(activity.verb)


def sentence(activity: Activity) -> str:
    """The headline and its summary as one line: "Signed in with the e-mailed link"."""
    summary = describe(activity)
    return f"{headline(activity)} {summary}" if summary else headline(activity)


_COUNTS = (
    ("rows", ("%(n)s row", "%(n)s rows")),
    ("certificates", ("%(n)s certificate", "%(n)s certificates")),
    ("count", ("%(n)s item", "%(n)s items")),
)


def describe(activity: Activity) -> str:
    """A short, plain summary of ``detail`` (empty when there is nothing worth saying)."""
    detail: dict[str, Any] = activity.detail if isinstance(activity.detail, dict) else {}
    parts: list[str] = []
    verb = activity.verb
    if verb == Verb.SIGNED_IN and detail.get("method"):
        parts.append(_SIGN_IN_METHODS.get(str(detail["method"]), str(detail["method"])))
        if detail.get("provider"):  # single sign-on: which provider vouched for the person
            parts.append(f"through {detail['provider']}")
    if verb == Verb.SIGN_IN_FAILED and detail.get("reason"):
        parts.append(f"reason: {detail['reason']}")
    if verb == Verb.SIGNED_OUT and detail.get("everywhere"):
        parts.append("everywhere")
    if detail.get("role") in ("primary", "member"):
        parts.append("as primary contact" if detail["role"] == "primary" else "as team member")
    if detail.get("resent"):
        parts.append("sent again")
    if detail.get("declined"):
        parts.append("declined by the person invited")
    if detail.get("via") == "api":
        parts.append("through the API")
    if detail.get("not_modified"):
        parts.append("browser copy still current")
    if "bulk_download_enabled" in detail and headline(activity) == verb_label(verb):
        parts.append(f"bulk download {'on' if detail['bulk_download_enabled'] else 'off'}")
    for key, (one, many) in _COUNTS:
        value = detail.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            parts.append(ngettext(one, many, value) % {"n": f"{value:,}"})
    if detail.get("what"):
        parts.append(str(detail["what"]))
    if detail.get("format"):
        parts.append(str(detail["format"]).upper())
    return ", ".join(parts)
