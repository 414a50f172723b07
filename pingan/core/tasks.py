from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .context import origin
from .deadlines import reconcile


@db_periodic_task(crontab(minute="*"))
def reconcile_deadlines() -> dict[str, int]:
    """Every minute: reminders before, escalations after. Idempotent (see core.deadlines)."""
    with origin("task"):
        return reconcile()
