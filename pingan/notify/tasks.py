"""Background sending of deliveries (huey).

`send_pending_deliveries` is kicked after commit by services.notify(); `reconcile_deliveries` runs
every minute and sends whatever is due — retries whose back-off has passed, and anything a lost
kick left behind. Both only read and claim rows (deliveries.send_due), so running them twice, or
on two workers at once, never sends a delivery twice.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pingan.core.context import origin

from .deliveries import send_due


@db_task()
def send_pending_deliveries() -> None:
    """Send what is due now (kicked on commit by notify())."""
    with origin("task"):
        send_due()
    # Returns nothing: a result would sit in huey's result store until someone reads it.


@db_periodic_task(crontab(minute="*"))
def reconcile_deliveries() -> dict[str, int]:
    """Every minute: send due deliveries and retries whose back-off has passed."""
    with origin("task"):
        return send_due()
