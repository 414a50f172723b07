"""Periodic reconcilers of early warnings (each acts only on rows, so it is idempotent)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from pingan.core.context import origin


@db_periodic_task(crontab(minute="*"))
@lock_task("warnings-expire")
def expire_warnings() -> int:
    """Every minute: a published warning past its `expires` ends by itself."""
    from .actions import expire_due

    with origin("task"):
        return expire_due()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("warnings-import")
def import_feeds() -> dict:
    """Every 5 minutes: poll the external CAP feeds of settings.WARNINGS_FEED_URLS."""
    from .importer import import_configured_feeds

    with origin("task"):
        return import_configured_feeds()
