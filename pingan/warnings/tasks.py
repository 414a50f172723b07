"""Periodic reconcilers of early warnings (each acts only on rows, so it is idempotent)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from pingan.core.context import origin

from .broadcast import broadcast_mqtt  # noqa: F401  (defined there; imported so the worker registers it)


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


@db_task()
def propose_rainstorm(
    signal: str, division_id: int, rain_mm: float, hours: float, station: str = ""
) -> int | None:
    """Queue-friendly form of services.propose_from_rainstorm, for monitoring's ingest pipeline to call
    after its batch commits (the pipeline stays fast; the draft appears seconds later)."""
    from .services import propose_from_rainstorm

    with origin("task"):
        w = propose_from_rainstorm(signal, division_id, rain_mm=rain_mm, hours=hours, station=station)
    return w.pk if w else None


@db_task()
def propose_water_level(colour: str, division_id: int, level_m: float, station: str = "") -> int | None:
    """Queue-friendly form of services.propose_from_water_level."""
    from .services import propose_from_water_level

    with origin("task"):
        w = propose_from_water_level(colour, division_id, level_m=level_m, station=station)
    return w.pk if w else None
