"""Check that every rendered certificate's stored file has the size and SHA-256 its row records.

    python deploy/verify_certificates.py [--sample N]

Run after a restore (deploy/restore.sh does), with the hub's environment (DATABASE_URL,
MEDIA_ROOT or S3_BUCKET, SECRET_KEY, ...). Reads only: nothing is rendered or changed. Prints
one line per problem and a summary; exits 1 if any file is missing or altered.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="check N random certificates")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_hub.settings")
    import django

    django.setup()
    from django.core.files.storage import default_storage

    from compliance_hub.certificates.models import Certificate

    rows = Certificate.objects.filter(rendered_at__isnull=False).order_by("pk")
    if args.sample:
        rows = rows.order_by("?")[: args.sample]
    checked = problems = 0
    seen: dict[str, str] = {}  # files shared by several rows are hashed once
    for number, name, sha256, size in rows.values_list("number", "pdf", "sha256", "size"):
        checked += 1
        if name not in seen:
            try:
                with default_storage.open(name, "rb") as handle:
                    data = handle.read()
                seen[name] = f"{hashlib.sha256(data).hexdigest()}:{len(data)}"
            except (OSError, ValueError) as exc:
                seen[name] = f"missing ({exc.__class__.__name__})"
        if seen[name] != f"{sha256}:{size}":
            problems += 1
            print(f"certificate {number}: file {name} {seen[name]}, expected {sha256}:{size}")
    print(f"verify_certificates: {checked} checked, {problems} missing or altered")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
