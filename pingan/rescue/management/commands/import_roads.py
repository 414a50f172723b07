"""Import a road network from an OpenStreetMap file (.osm.pbf or .osm) and make it the active one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.core.actions import ActionError
from pingan.core.context import origin
from pingan.rescue import actions
from pingan.rescue.network import NetworkError


class Command(BaseCommand):
    help = "Import a road network from an OpenStreetMap .osm.pbf or .osm file (largest connected part kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--name", default="", help="a name for this network version")
        parser.add_argument(
            "--inactive", action="store_true", help="import without making it the active network"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with origin("command"):
                network = actions.do_import_osm(
                    None, str(path), name=options["name"] or path.name, activate=not options["inactive"]
                )
        except (ActionError, NetworkError, ValueError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        self.stdout.write(self.style.SUCCESS(f"imported {network}"))
