"""Copy the hub's S3 bucket to a directory (backup) or a directory to the bucket (restore).

    python deploy/bucket_sync.py download DIR     # every object -> DIR/<key>
    python deploy/bucket_sync.py upload DIR       # every file under DIR -> the bucket

Uses the hub's own settings variables: ``S3_BUCKET``, ``S3_ENDPOINT_URL`` (S3-compatible
stores), ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_DEFAULT_REGION``. Objects and
files that already exist with the same size are skipped (certificates never change), so a
re-run only copies what is new. Needs boto3 (a dependency of the hub).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def client():  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("AWS_DEFAULT_REGION")
        or os.environ.get("AWS_S3_REGION_NAME")
        or None,
    )


def download(bucket: str, target: Path) -> int:
    s3, copied = client(), 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            key = item["Key"]
            path = (target / key).resolve()
            if not path.is_relative_to(target.resolve()):
                raise SystemExit(f"bucket_sync: refusing object key outside the target: {key!r}")
            if path.exists() and path.stat().st_size == item["Size"]:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, key, str(path))
            copied += 1
    return copied


def upload(bucket: str, source: Path) -> int:
    s3, copied = client(), 0
    existing: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        existing.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        key = path.relative_to(source).as_posix()
        if existing.get(key) == path.stat().st_size:
            continue
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ACL": "private"})
        copied += 1
    return copied


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("direction", choices=["download", "upload"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args()
    bucket = os.environ.get("S3_BUCKET", "")
    if not bucket:
        print("bucket_sync: S3_BUCKET is not set", file=sys.stderr)
        return 2
    args.directory.mkdir(parents=True, exist_ok=True)
    if args.direction == "download":
        count = download(bucket, args.directory)
    else:
        count = upload(bucket, args.directory)
    print(f"bucket_sync: {args.direction}ed {count} new object(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
