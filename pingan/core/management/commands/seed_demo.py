"""Load the Qingyuan demo data once: each installed app's `demo.seed(log)` in INSTALLED_APPS order.

Each seed function is idempotent (it checks what exists), so running this again is harmless;
`make run` calls it on every start.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from pingan.core.context import origin


class Command(BaseCommand):
    help = "Load the Qingyuan demo data (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--only", nargs="*", help="app labels to seed (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        only = set(options.get("only") or [])
        with origin("command"):
            for config in apps.get_app_configs():
                if not config.name.startswith("pingan.") or (only and config.label not in only):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{config.name}.demo":
                        continue
                    raise
                self.stdout.write(f"demo: {config.label} …")
                module.seed(lambda msg, label=config.label: self.stdout.write(f"  [{label}] {msg}"))
        self.stdout.write(self.style.SUCCESS("demo data ready"))
