"""The Jinja2 environment (Django's Jinja2 backend, autoescaping) for the few templates where
Django's template engine is the cost: the certificate table's rows."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from compliance_hub.core.dates import hubdate


def environment(**options: Any) -> Environment:
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)  # always: names come from partners
    env.filters["hubdate"] = hubdate
    return env
