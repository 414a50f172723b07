from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingan.core.context import origin
from pingan.warnings.importer import fetch, import_feed


class Command(BaseCommand):
    help = "Import CAP messages from an Atom feed (a URL or a file; default: settings.WARNINGS_FEED_URLS)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", nargs="*", help="feed URLs or file paths")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = options["source"] or list(getattr(settings, "WARNINGS_FEED_URLS", []))
        if not sources:
            raise CommandError("no feed given and settings.WARNINGS_FEED_URLS is empty")
        failed = False
        with origin("command"):
            for src in sources:
                data = fetch(src) if "://" in src else Path(src).read_bytes()
                result = import_feed(data)
                self.stdout.write(
                    f"{src}: {len(result.created)} new, {len(result.duplicates)} duplicate, "
                    f"{len(result.errors)} error(s)"
                )
                for err in result.errors:
                    failed = True
                    self.stderr.write(f"  error: {err}")
        if failed:
            raise CommandError("some messages could not be imported (see above)")
