"""Re-run a published random draw from its seed and inputs and compare with the stored result."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.inspections.actions import verify
from pingan.inspections.models import Draw


class Command(BaseCommand):
    help = "Re-run a random draw (双随机) from its published seed and inputs; exit 1 when it differs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("draw_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        record = Draw.objects.filter(pk=options["draw_id"]).first()
        if record is None:
            raise CommandError(f"no draw {options['draw_id']}")
        if not verify(record):
            raise CommandError(f"draw {record.pk}: re-run differs from the stored result")
        self.stdout.write(f"draw {record.pk}: seed {record.seed}, {record.algorithm}: re-run matches")
