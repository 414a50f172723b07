"""manage.py import_divisions <file.geojson> [--dry-run]: all-or-nothing import with a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.core.context import origin
from pingan.geo.importer import import_divisions


class Command(BaseCommand):
    help = "Import divisions (boundaries) from a GeoJSON FeatureCollection; all or nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="GeoJSON FeatureCollection (WGS-84)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with origin("command"):
            report = import_divisions(path.read_bytes(), dry_run=options["dry_run"], source=str(path))
        for line in report.lines()[1:]:
            self.stderr.write(line)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
