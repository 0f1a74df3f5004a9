"""The partner API guide (``api.md`` beside this file), served rendered at /api/guide/.

The guide ships inside the package so every hub serves the guide of its own version; the
Markdown is ours, rendered by markdown-it-py with raw HTML off, once per process.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe
from markdown_it import MarkdownIt

SOURCE = Path(__file__).resolve().parent / "api.md"


@functools.cache
def guide_html() -> SafeString:
    """The guide as HTML. ``html: False``: any HTML in the source is shown as text."""
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    return mark_safe(markdown.render(SOURCE.read_text(encoding="utf-8")))  # noqa: S308


@require_safe
def api_guide(request: HttpRequest) -> HttpResponse:
    """Public, like the API reference: how to go from a key to the first certificate."""
    return render(request, "partner_api/guide.html", {"guide": guide_html()})
