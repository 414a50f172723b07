"""manage.py backup [DIR] — the database and the media files, with a manifest to verify a restore."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingan.core.backup import backup
from pingan.core.context import origin


class Command(BaseCommand):
    help = "Back up the database (every model, Django serialization) and MEDIA_ROOT into a new directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "target", nargs="?", help="a directory that does not exist yet (default: var/backups/<UTC time>)"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = Path(options["target"] or Path(settings.VAR_DIR) / "backups" / stamp)
        if target.exists():
            raise CommandError(f"{target} exists; a backup goes into a new directory")
        with origin("command"):
            manifest = backup(target, options["database"])
        audit = manifest["audit"]
        if audit["broken_at"] is not None:
            self.stderr.write(
                f"WARNING: the audit chain is broken at event id={audit['broken_at']} ({audit['why']}); "
                "backed up as it is"
            )
        self.stdout.write(
            f"backup written to {target}: {sum(manifest['counts'].values())} rows in "
            f"{len(manifest['counts'])} models, {audit['events']} audit events (head {audit['head']}), "
            f"{manifest['media']['files']} media files"
        )
