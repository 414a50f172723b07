"""Create the readings' day partitions ahead and apply the retention (PostgreSQL; SQLite: nothing to do)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from pingan.monitoring import partitions
from pingan.monitoring.rollup import purge
from pingan.monitoring.tasks import retention


class Command(BaseCommand):
    help = "Readings table: create day partitions ahead (--ahead N); with --purge, expire old data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ahead", type=int, default=7, help="days ahead to create (default 7)")
        parser.add_argument(
            "--purge",
            action="store_true",
            help="also drop raw partitions past MONITORING_RAW_DAYS and rollups past their retention",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if not partitions.enabled():
            self.stdout.write(
                "the readings table is not partitioned (SQLite, or not migrated): nothing to do"
            )
            if opts["purge"]:
                self.stdout.write(f"purged: {purge(timezone.now(), **retention())}")
            return
        made = partitions.ensure(opts["ahead"])
        self.stdout.write(f"created {len(made)} partition(s): {', '.join(made) or '-'}")
        if opts["purge"]:
            self.stdout.write(f"purged: {purge(timezone.now(), **retention())}")
        names = partitions.existing()
        self.stdout.write(
            f"{len(names)} day partitions: {names[0] if names else '-'} … {names[-1] if names else '-'}"
        )
