"""manage.py import_enterprises <file.csv|file.xlsx> [--dry-run] [--as USERNAME] [--crs gcj02]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.core.context import origin
from pingan.org.importer import import_enterprises
from pingan.org.models import User


class Command(BaseCommand):
    help = "Import enterprises from CSV or Excel (.xlsx); all or nothing, with a row-by-row report."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--as",
            dest="username",
            help="the person the import is recorded for (default: the first superuser); their scope applies",
        )
        parser.add_argument(
            "--crs",
            choices=["wgs84", "gcj02"],
            default="wgs84",
            help="coordinate system of the lat/lon columns",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if options["username"]:
            actor = User.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"no such user: {options['username']}")
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if actor is None:
                raise CommandError("no superuser: create one or pass --as USERNAME")
        with origin("command"):
            report = import_enterprises(
                path.read_bytes(), path.name, actor=actor, dry_run=options["dry_run"], crs=options["crs"]
            )
        for line in report.lines()[1:]:
            self.stderr.write(line)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
