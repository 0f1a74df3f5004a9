"""A person is an e-mail address: no passwords, ever."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def normalize_email(email: str) -> str:
    """Return the canonical form of an address: trimmed and lower-cased as a whole."""
    return (email or "").strip().lower()


def person_link(related_name: str = "+") -> models.ForeignKey[Any, Any]:
    """Who did something (invited, accepted, created, revoked): emptied if the person is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> Person:
        return self.get(email=normalize_email(username or ""))

    def get_by_email(self, email: str) -> Person | None:
        return self.filter(email=normalize_email(email)).first()

    def create_user(self, email: str, name: str = "", **extra: Any) -> Person:
        person = self.model(email=normalize_email(email), name=name, **extra)
        person.set_unusable_password()
        person.full_clean(exclude=["password"])
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Person:
        """Create an operator. ``password`` is ignored: operators sign in by e-mail link too."""
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in by e-mail link: facility people, partner staff and operators."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "operator", default=False, help_text="May use the operator admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    last_facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The facility the person looked at last; they land there after signing in.",
    )

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="person_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        if self.has_usable_password():
            self.set_unusable_password()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email


class SignInToken(models.Model):
    """One magic link (sign-in or invitation). Only the SHA-256 of the token is stored.

    A sign-in token belongs to a person; an invitation token to an invitation (and its address).
    ``browser_hash`` ties the token to the browser that asked for it (a short-lived cookie), so
    that browser may sign in at once and may use the one-time code instead of the link.
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "Sign in"
        INVITATION = "invitation", "Invitation"

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="sign_in_tokens"
    )
    email = models.EmailField(max_length=254, help_text="Where the link was sent.")
    invitation = models.ForeignKey(
        "facilities.Invitation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tokens",
    )
    browser_hash = models.CharField(max_length=64, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    # No longer written: wrong codes are counted in the cache (docs/sign-in.md). The column
    # stays for the previous version, which reads it during a rolling deploy; drop it later.
    code_attempts = models.PositiveSmallIntegerField(default=0)
    next_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["person", "purpose"], name="token_person_idx"),
            models.Index(fields=["browser_hash"], name="token_browser_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose="sign_in", person__isnull=False)
                | models.Q(purpose="invitation", invitation__isnull=False),
                name="token_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for {self.email}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class SignInRequest(models.Model):
    """A sign-in link asked for, waiting for the worker (``services.process_sign_in_requests``).

    The form stores one of these whether or not the address has an account, and the worker
    decides whom to send what: so the answer takes the same time either way.
    """

    email = models.EmailField(max_length=254)
    browser_hash = models.CharField(max_length=64, blank=True)
    next_url = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Sign-in request of {self.created_at:%Y-%m-%d %H:%M}"
