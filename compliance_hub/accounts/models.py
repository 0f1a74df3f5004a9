"""A person is an e-mail address: no passwords, ever."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def normalize_email(email: str) -> str:
    """Return the canonical form of an address: trimmed and lower-cased as a whole."""
    return (email or "").strip().lower()


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
