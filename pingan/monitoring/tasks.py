"""Periodic reconcilers of the monitoring module (each recomputes what is due from the rows)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from pingan.core.context import origin

from .rollup import purge_raw, rollup

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
    """Every 5 minutes: recompute the 5-minute and hourly aggregates of the last hours."""
    with origin("task"):
        return rollup(timezone.now() - timedelta(hours=2))


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_old_readings() -> int:
    """Daily: drop raw readings past MONITORING_RAW_DAYS (aggregates stay for MONITORING_AGGREGATE_DAYS)."""
    with origin("task"), transaction.atomic():
        return purge_raw(
            timezone.now(),
            raw_days=getattr(settings, "MONITORING_RAW_DAYS", 30),
            aggregate_days=getattr(settings, "MONITORING_AGGREGATE_DAYS", 400),
        )
