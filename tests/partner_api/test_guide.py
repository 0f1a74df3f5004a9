"""The partner API guide is served by the hub, rendered, and linked from the API reference."""

import pytest
from django.test import Client

from compliance_hub.partner_api import guide

pytestmark = pytest.mark.django_db


def test_the_guide_is_served_as_html_to_anyone():
    response = Client().get("/api/guide/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>Partner API</h1>" in page
    assert "<h2>Quick start: from a key to the first certificate PDF</h2>" in page
    assert '<pre><code class="language-sh">' in page  # the curl examples, as code blocks
    assert 'href="/api/v1/docs"' in page
    assert "```" not in page and "\n## " not in page  # Markdown rendered, not shown raw


def test_the_guide_is_the_markdown_shipped_in_the_package():
    assert guide.SOURCE.is_file() and guide.SOURCE.parent.parent.name == "partner_api"
    assert guide.SOURCE.read_text(encoding="utf-8").splitlines()[0] == "# Partner API"


def test_html_in_the_markdown_is_shown_as_text(tmp_path, monkeypatch):
    source = tmp_path / "api.md"
    source.write_text("# Guide\n\n<script>alert(1)</script>\n", encoding="utf-8")
    monkeypatch.setattr(guide, "SOURCE", source)
    guide.guide_html.cache_clear()
    try:
        html = guide.guide_html()
        assert "<script>" not in html and "&lt;script&gt;" in html
    finally:
        guide.guide_html.cache_clear()


def test_the_openapi_reference_links_the_guide():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "[API guide](/api/guide/)" in schema["info"]["description"]
    assert "docs/api.md" not in schema["info"]["description"]
