"""Storage backends that misbehave on purpose (used through settings.STORAGES in tests)."""

from django.core.files.storage import FileSystemStorage


class FailingStorage(FileSystemStorage):
    """Refuses every write, as an unreachable object store would."""

    def _save(self, name, content):
        raise OSError("storage unavailable")


def stored_files(location) -> list[str]:
    """Every file under ``location``, relative, sorted."""
    return sorted(str(p.relative_to(location)) for p in location.rglob("*") if p.is_file())
