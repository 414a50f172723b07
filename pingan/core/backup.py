"""Backup and restore of the database and the media files (`manage.py backup` / `manage.py restore`).

Format: a directory with manifest.json (row counts per model, the audit chain's length and head
hash, the applied migrations, media file count and bytes), data/<app.model>.jsonl (Django's
serialization, one object per line, datetimes at full microsecond precision) and media.tar.gz.

Why Django's serialization rather than pg_dump: it is the same on SQLite (the demo) and PostgreSQL
(production), a backup restores into either (moving a demo to production is a restore), and it
goes through the models, so the restore can be checked model by model. pg_dump is faster for a
very large readings table; docs/operations.md says when to add it.
"""

from __future__ import annotations

import datetime
import json
import os
import tarfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
# Not worth keeping across a restore: sessions (everyone signs in again) and login attempts.
SKIP = {"sessions.session", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to milliseconds; the audit chain hashes microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Counter:
    """Passes objects through, counting them."""

    def __init__(self, items: Any) -> None:
        self.items, self.n = items, 0

    def __iter__(self) -> Any:
        for item in self.items:
            self.n += 1
            yield item


def backed_up_models() -> list[type[models.Model]]:
    out = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in SKIP:
            continue
        out.append(model)
    return out


def row_counts(using: str = "default") -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.using(using).count() for m in backed_up_models()}


def media_stats(root: Path) -> tuple[int, int]:
    files = size = 0
    if root.exists():
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                files += 1
                size += (Path(dirpath) / name).stat().st_size
    return files, size


def backup(target: Path, using: str = "default") -> dict[str, Any]:
    from .audit import verify_chain

    target.mkdir(parents=True, exist_ok=False)
    data = target / "data"
    data.mkdir()
    connection = connections[using]
    counts: dict[str, int] = {}
    # One read transaction: every table from the same moment (REPEATABLE READ on PostgreSQL; SQLite's
    # read transaction is a snapshot already).
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for model in backed_up_models():
            label = model._meta.label_lower
            counted = _Counter(model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000))
            with open(data / f"{label}.jsonl", "w", encoding="utf-8") as fh:
                serializers.serialize("jsonl", counted, stream=fh, cls=FullPrecisionEncoder)
            counts[label] = counted.n
        chain_count, bad, why, head = verify_chain(using)
        migrations = sorted(MigrationRecorder(connection).applied_migrations())
    media_root = Path(settings.MEDIA_ROOT)
    files, size = media_stats(media_root)
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media_root.exists():
            tar.add(media_root, arcname="media")
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database_vendor": connection.vendor,
        "counts": counts,
        "audit": {"events": chain_count, "head": head, "broken_at": bad, "why": why},
        "media": {"files": files, "bytes": size},
        "migrations": [f"{app}.{name}" for app, name in migrations],
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def database_is_empty(using: str = "default") -> bool:
    from django.contrib.auth import get_user_model

    from .models import AuditEvent

    return not (
        get_user_model()._base_manager.using(using).exists() or AuditEvent.objects.using(using).exists()
    )


def restore(
    source: Path, using: str = "default", *, force: bool = False, stdout: Any = None
) -> dict[str, Any]:
    """Restore a backup into an empty database (migrated here) and an empty media folder, then
    verify the row counts, the audit chain and its head against the manifest. Raises RuntimeError
    with what differs."""
    from django.core.management import call_command

    from .audit import verify_chain

    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise RuntimeError(f"unknown backup format {manifest.get('format')!r}")
    call_command("migrate", database=using, interactive=False, verbosity=0)
    if not force and not database_is_empty(using):
        raise RuntimeError(
            "the target database is not empty (people or audit events exist); use --force to replace"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if not force and media_stats(media_root)[0]:
        raise RuntimeError(f"the media folder {media_root} is not empty; use --force to replace")
    # Empty every table (without re-creating content types and permissions: the backup's own rows,
    # with their ids, come back — generic relations and the audit trail point at those ids).
    call_command("flush", database=using, interactive=False, inhibit_post_migrate=True, verbosity=0)
    fixtures = [str(source / "data" / f"{label}.jsonl") for label, n in manifest["counts"].items() if n]
    if fixtures:
        call_command("loaddata", *fixtures, database=using, verbosity=0)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for m in members:
            m.name = m.name[len("media/") :] if m.name.startswith("media/") else "."
        tar.extractall(media_root, members=members, filter="data")
    # Verify.
    problems = []
    counts = row_counts(using)
    for label, expected in manifest["counts"].items():
        if counts.get(label) != expected:
            problems.append(f"{label}: {counts.get(label)} rows, backup had {expected}")
    chain_count, bad, why, head = verify_chain(using)
    if bad is not None:
        problems.append(f"audit chain broken at event id={bad} ({why})")
    if (chain_count, head) != (manifest["audit"]["events"], manifest["audit"]["head"]):
        problems.append(
            f"audit chain: {chain_count} events ending {head[:12]}…, backup had "
            f"{manifest['audit']['events']} ending {manifest['audit']['head'][:12]}…"
        )
    files, size = media_stats(media_root)
    if (files, size) != (manifest["media"]["files"], manifest["media"]["bytes"]):
        problems.append(
            f"media: {files} files / {size} bytes, backup had {manifest['media']['files']} / "
            f"{manifest['media']['bytes']}"
        )
    if problems:
        raise RuntimeError("restore verification failed: " + "; ".join(problems))
    return {
        "rows": sum(counts.values()),
        "models": len(counts),
        "audit_events": chain_count,
        "head": head,
        "media_files": files,
    }
