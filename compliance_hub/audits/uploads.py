"""Refuse oversized uploads while they arrive, instead of after writing them to disk."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from compliance_hub.audits.parsing.limits import MAX_BYTES


class SizeLimitHandler(FileUploadHandler):
    """Skips any file larger than ``limit`` bytes and marks the request as having done so."""

    def __init__(self, request: HttpRequest, limit: int = MAX_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.audit_upload_too_large = True  # type: ignore[union-attr]
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_upload_size(request: HttpRequest) -> None:
    """Put the size limit in front of Django's own handlers (before ``request.FILES`` is read)."""
    request.upload_handlers.insert(0, SizeLimitHandler(request))
