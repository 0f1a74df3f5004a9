"""Single sign-on rules: configuring a provider, and who a provider's answer signs in.

Services take plain values (who acts, their IP), never the request; the views keep the
attempt in the session and call ``accounts.services.start_session``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance_hub.accounts.models import Person, normalize_email
from compliance_hub.accounts.services import has_access
from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.facilities.models import Facility, Partner
from compliance_hub.sso import oidc, secrets
from compliance_hub.sso.models import IdentityProvider, ProviderDomain
from compliance_hub.sso.queries import domain_of, is_owners_person, owners_invitations

MAX_DOMAINS = 20
# A label: letters, digits, hyphens inside; the whole name at least two labels (RFC 1035).
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Public mailbox providers: anyone can get an address there, so nobody may claim them.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "fastmail.com",
    }
)


def redirect_uri() -> str:
    """The one address every provider sends people back to (registered with the provider)."""
    return settings.SITE_URL + reverse("sso:callback")


def client_for(provider: IdentityProvider) -> oidc.Client:
    return oidc.Client(
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=secrets.unseal(provider.client_secret_encrypted),
        redirect_uri=redirect_uri(),
    )


# --- configuration ------------------------------------------------------------------------


def parse_domains(text: str) -> list[str]:
    """``"Hospital.org, staff.hospital.org"`` → the distinct, lower-cased domain names
    (IDNA-encoded); ``ValidationError`` naming the first that is not a domain name."""
    names: list[str] = []
    for raw in re.split(r"[\s,;]+", text.strip()):
        if not raw:
            continue
        name = raw.strip().lower().rstrip(".").removeprefix("@")
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValidationError(f"“{raw[:80]}” is not a domain name.") from None
        labels = name.split(".")
        if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(lb) for lb in labels):
            raise ValidationError(
                f"“{raw[:80]}” is not a domain name (like hospital.org, no @ or wildcard)."
            )
        if labels[-1].isdigit():
            raise ValidationError(f"“{raw[:80]}” is an address, not a domain name.")
        if name in PUBLIC_MAIL_DOMAINS:
            raise ValidationError(
                f"{name} is a public mail service: anyone can have an address there, so it "
                "cannot be sent to your provider."
            )
        if name not in names:
            names.append(name)
    if not names:
        raise ValidationError("Enter at least one e-mail domain, like hospital.org.")
    if len(names) > MAX_DOMAINS:
        raise ValidationError(f"At most {MAX_DOMAINS} domains.")
    return names


def check_issuer(url: str) -> str:
    """The issuer as the provider states it: https (``SSO_ALLOW_HTTP`` for local work), no
    query or fragment, a host that resolves to public addresses only (the hub fetches from it;
    ``SSO_ALLOW_PRIVATE_ISSUERS`` for local work)."""
    url = url.strip()
    if not url:
        raise ValidationError("Enter your provider's issuer URL.")
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ValidationError("Enter the issuer URL exactly as your provider states it.")
    problem = oidc.url_problem(url)
    if problem is not None:
        raise ValidationError(problem)
    return url


@dataclass(frozen=True)
class Actor:
    """Who changes a provider: a person (partner staff, primary contact) from an address."""

    person: Person
    ip: str | None = None


def save_provider(
    owner: Partner | Facility,
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    domains: str,
    enabled: bool,
    by: Actor,
) -> IdentityProvider:
    """Create or change ``owner``'s provider. An empty ``client_secret`` keeps the stored one
    (it is never shown again). Field-keyed ``ValidationError``, nothing written, on bad input."""
    errors: dict[str, list[str]] = {}
    try:
        issuer = check_issuer(issuer)
    except ValidationError as exc:
        errors["issuer"] = exc.messages
    try:
        names = parse_domains(domains)
    except ValidationError as exc:
        errors["domains"] = exc.messages
        names = []
    client_id = client_id.strip()
    if not client_id:
        errors["client_id"] = ["Enter the client ID your provider gave the hub."]
    field = "partner" if isinstance(owner, Partner) else "facility"
    with transaction.atomic():
        provider = IdentityProvider.objects.select_for_update().filter(**{field: owner}).first()
        if provider is None and not client_secret:
            errors["client_secret"] = ["Enter the client secret your provider gave the hub."]
        taken = sorted(
            ProviderDomain.objects.filter(domain__in=names)
            .exclude(provider=provider)
            .values_list("domain", flat=True)
        )
        if taken:
            errors["domains"] = [
                f"{', '.join(taken)} already {'belongs' if len(taken) == 1 else 'belong'} to "
                "another organisation's single sign-on. A domain can have one provider only; "
                "ask the Compliance Hub operator if it should be yours."
            ]
        if errors:
            raise ValidationError(errors)
        before = _describe(provider) if provider is not None else None
        if provider is None:
            provider = IdentityProvider(**{field: owner})
        provider.issuer = issuer
        provider.client_id = client_id
        if client_secret:
            provider.client_secret_encrypted = secrets.seal(client_secret)
        provider.enabled = enabled
        provider.updated_by = by.person
        provider.save()
        current = set(provider.domains.values_list("domain", flat=True))
        provider.domains.exclude(domain__in=names).delete()
        try:
            with transaction.atomic():
                ProviderDomain.objects.bulk_create(
                    ProviderDomain(provider=provider, domain=d) for d in names if d not in current
                )
        except IntegrityError:  # claimed concurrently by another provider
            raise ValidationError(
                {"domains": ["One of these domains was just claimed by another provider."]}
            ) from None
        after = _describe(provider)
        if after != before or client_secret:
            record(
                Activity.Verb.SETTINGS_CHANGED,
                actor=by.person,
                ip=by.ip,
                partner=owner if isinstance(owner, Partner) else None,
                facility=owner if isinstance(owner, Facility) else None,
                target=issuer,
                detail={
                    "single_sign_on": "set up" if before is None else "changed",
                    "what": _summary(after, new_secret=bool(client_secret)),
                },
            )
    return provider


def verify_domain(domain: ProviderDomain, *, by: Actor) -> bool:
    """A hub operator checked that the provider's owner owns ``domain`` (its TXT record
    ``domain.txt_name`` holds ``domain.txt_value``, docs/sign-in.md): from now on its
    addresses go to the provider. Recorded in the owner's activity log. False if it already
    was verified (nothing changes)."""
    with transaction.atomic():
        changed = ProviderDomain.objects.filter(pk=domain.pk, verified_at__isnull=True).update(
            verified_at=timezone.now(), verified_by=by.person
        )
        if not changed:
            return False
        provider = IdentityProvider.objects.select_related("partner", "facility").get(
            pk=domain.provider_id
        )
        record(
            Activity.Verb.SETTINGS_CHANGED,
            actor=by.person,
            ip=by.ip,
            partner=provider.partner,
            facility=provider.facility,
            target=domain.domain,
            detail={
                "single_sign_on": "domain verified",
                "what": f"{domain.domain} for {provider.issuer}",
            },
        )
    return True


def _describe(provider: IdentityProvider) -> dict[str, Any]:
    return {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "domains": sorted(provider.domains.values_list("domain", flat=True)),
        "enabled": provider.enabled,
    }


def _summary(state: dict[str, Any], *, new_secret: bool) -> str:
    parts = [
        f"{state['issuer']} for {', '.join(state['domains'])}",
        f"client {state['client_id']}",
        "on" if state["enabled"] else "off",
    ]
    if new_secret:
        parts.append("new client secret")
    return ", ".join(parts)


# --- signing in ---------------------------------------------------------------------------


class Refused(Exception):
    """The provider vouched for someone the hub will not sign in; ``reason`` for the log."""

    def __init__(self, reason: str, person: Person | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.person = person


@dataclass(frozen=True)
class Outcome:
    person: Person
    invited: bool  # no access yet, but open invitations: they answer them after signing in


def person_for(provider: IdentityProvider, claims: dict[str, Any]) -> Outcome:
    """Who the validated ID token names: only a verified address of the provider's own
    verified domains, of a person who already has access (or an open invitation to answer). Nobody
    gets an account, or access, from single sign-on alone.

    A provider signs in only its owner's people (``queries.is_owners_person``: its partner's
    staff, its facility's members), never an operator, and leads only to its owner's
    invitations: owning a domain does not make everyone at it the owner's, so its provider
    must not reach the accounts (or invitations) of people who are someone else's."""
    if claims.get("email_verified") is not True:
        raise Refused("email_unverified")
    email = normalize_email(str(claims.get("email") or ""))
    # Verified domains only: an unverified one signs nobody in (``ProviderDomain``).
    if "@" not in email or domain_of(email) not in provider.verified_domain_names:
        raise Refused("email_domain")
    person = Person.objects.get_by_email(email)
    if person is not None and (person.is_staff or person.is_superuser):
        raise Refused("no_access", person)
    if person is not None and has_access(person):
        if not is_owners_person(provider, person.pk):
            raise Refused("no_access", person)
        return Outcome(person, invited=False)
    invited = owners_invitations(provider, email)
    if (person is None or person.is_active) and invited.exists():
        if person is None:
            invitation = invited.first()
            name = invitation.name if invitation is not None else ""
            person = Person.objects.create_user(email, name=name)
        return Outcome(person, invited=True)
    raise Refused("no_access", person)
