"""manage.py verify_audit — recompute the audit trail's hash chain and name the first altered row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.core.audit import verify_chain
from pingan.core.models import AuditEvent

WHY = {
    "content": "its content no longer matches its hash (changed below the application)",
    "link": "it does not follow the event before it (an event was removed or inserted below the application)",
}


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit status 1 and the first bad event when it is broken."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        count, bad_id, why, head = verify_chain(options["database"])
        if bad_id is not None:
            event = (
                AuditEvent.objects.using(options["database"])
                .filter(pk=bad_id)
                .values("at", "action", "object_repr")
                .first()
                or {}
            )
            raise CommandError(
                f"audit chain BROKEN at event id={bad_id} ({event.get('at')}, {event.get('action')}, "
                f"{event.get('object_repr')}): {WHY[why]}. {count} events before it verified."
            )
        self.stdout.write(f"audit chain OK: {count} events, head {head}")
