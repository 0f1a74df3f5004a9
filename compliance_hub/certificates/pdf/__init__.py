"""Certificate PDF renderers, one module per template version.

A certificate records the template it was issued with (``Certificate.template_version``)
and is rendered by exactly that renderer, once. A new design is a new module (for example
``coi_v2/``) registered below under a new version; ``coi_v1`` then stays as it is, so a
certificate issued under v1 is never rendered differently. Renderers take a
``CertificateDocument`` (plain values, no database) and return the PDF bytes; the same
document always yields the same bytes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class CertificateDocument:
    """Everything a renderer needs: the frozen snapshot plus the certificate's identity."""

    number: str
    check_code: str
    issued_at: datetime
    snapshot: dict[str, Any]
    verify_url: str  # full URL, encoded in the QR code
    verify_form_url: str  # where the number and code can be typed in


class Renderer(Protocol):
    def __call__(self, document: CertificateDocument) -> bytes: ...


# template_version -> module with a ``render(document) -> bytes`` function.
RENDERERS = {
    "coi-v1": "compliance_hub.certificates.pdf.coi_v1",
    "coi-v2": "compliance_hub.certificates.pdf.coi_v2",
}


class UnknownTemplate(LookupError):
    """The certificate names a template version this installation cannot render."""


def renderer_for(template_version: str) -> Renderer:
    try:
        module = importlib.import_module(RENDERERS[template_version])
    except KeyError:
        raise UnknownTemplate(f"No renderer for template {template_version!r}.") from None
    render: Renderer = module.render
    return render


def render(template_version: str, document: CertificateDocument) -> bytes:
    """Render ``document`` with the renderer of ``template_version``."""
    return renderer_for(template_version)(document)
