"""Periodic reconcilers of the risk module (idempotent: they look only at rows)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from pingan.core.context import origin

from .actions import open_check_day, open_commitment_day


@db_periodic_task(crontab(minute="*/10"))
def open_commitments() -> int:
    """Every ten minutes: today's commitment deadline for each enterprise that must commit (new major
    hazard sources during the day included). The deadlines' reconciler escalates the missing ones."""
    with origin("task"):
        return open_commitment_day(timezone.localdate())


@db_periodic_task(crontab(minute="5", hour="0"))
def open_checks() -> int:
    """Just after midnight: the day's due checks as deadlines, for tasks that have none open (bulk-made
    or lost ones; one statement, see actions.daily)."""
    with origin("task"):
        return open_check_day(timezone.localdate())
