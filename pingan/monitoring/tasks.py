"""Periodic reconcilers of the monitoring module (each recomputes what is due from the rows)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from pingan.core.context import origin

from . import partitions
from .rollup import purge, rollup

_sweeper = None


@db_periodic_task(crontab(minute="*"))
@lock_task("monitoring-sweep")
def sweep_sensors() -> dict:
    """Every minute: no-data (offline) alarms and events past their hold time; due escalations."""
    global _sweeper
    from .actions import escalate_due
    from .ingest import Pipeline

    if _sweeper is None:
        _sweeper = Pipeline("http")
    with origin("task"):
        result = _sweeper.sweep()
        escalated = escalate_due()
    return {"raised": result.raised, "cleared": result.cleared, "escalated": escalated}


@db_periodic_task(crontab(minute="*/5"))
@lock_task("monitoring-rollup")
def rollup_readings() -> int:
    """Every 5 minutes: recompute the minute and hour rollups of the last two hours (late readings)."""
    with origin("task"):
        return rollup(timezone.now() - timedelta(hours=2))


@db_periodic_task(crontab(minute="7", hour="*/6"))
@lock_task("monitoring-partitions")
def maintain_reading_partitions() -> list[str]:
    """Every 6 hours: the readings' day partitions for the coming week (PostgreSQL; no-op on SQLite)."""
    return partitions.ensure(getattr(settings, "MONITORING_PARTITIONS_AHEAD", 7))


@db_periodic_task(crontab(minute="17", hour="3"))
@lock_task("monitoring-partitions")
def purge_old_readings() -> dict:
    """Daily: raw readings past MONITORING_RAW_DAYS (whole partitions on PostgreSQL), minute rollups past
    MONITORING_MINUTE_DAYS, hour rollups past MONITORING_HOUR_DAYS."""
    with origin("task"), transaction.atomic():
        return purge(timezone.now(), **retention())


def retention() -> dict[str, int]:
    return {
        "raw_days": getattr(settings, "MONITORING_RAW_DAYS", 30),
        "minute_days": getattr(settings, "MONITORING_MINUTE_DAYS", 30),
        "hour_days": getattr(settings, "MONITORING_HOUR_DAYS", 3660),
    }
