"""manage.py restore DIR — into an empty database and media folder, then verify counts and the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.core.backup import restore
from pingan.core.context import origin


class Command(BaseCommand):
    help = (
        "Restore a `manage.py backup` directory into an empty database (migrated first) and media folder; "
        "verify row counts, the audit chain and its head against the backup's manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--force", action="store_true", help="replace a database/media folder that is not empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        if not (source / "manifest.json").exists():
            raise CommandError(f"{source} is not a backup (no manifest.json)")
        try:
            with origin("command"):
                result = restore(source, options["database"], force=options["force"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored and verified: {result['rows']} rows in {result['models']} models, "
            f"{result['audit_events']} audit events (head {result['head']}), "
            f"{result['media_files']} media files"
        )
