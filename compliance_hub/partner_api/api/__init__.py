"""The partner API under /api/v1/ (django-ninja). ``app.api`` is the NinjaAPI."""
