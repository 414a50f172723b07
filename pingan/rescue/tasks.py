"""Background work: coverage and siting runs. Each task re-reads its row and does nothing unless
the run is still queued, so a repeated or late task is harmless; the periodic reconciler picks up
runs whose task was lost."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pingan.core.context import origin

from .choices import RunStatus


@db_task()
def coverage_task(run_id: int) -> None:
    from . import engine
    from .actions import execute_run
    from .models import CoverageRun

    with origin("task"):
        execute_run(CoverageRun, run_id, engine.run_coverage)


@db_task()
def siting_task(run_id: int) -> None:
    from . import engine
    from .actions import execute_run
    from .models import SitingRun

    with origin("task"):
        execute_run(SitingRun, run_id, engine.run_siting)


@db_periodic_task(crontab(minute="*/5"))
def reconcile_runs() -> int:
    """Queued runs older than two minutes lost their task: run them now."""
    from .models import CoverageRun, SitingRun

    stale = timezone.now() - timedelta(minutes=2)
    n = 0
    for model, task in ((CoverageRun, coverage_task), (SitingRun, siting_task)):
        for pk in model.objects.filter(status=RunStatus.QUEUED, created_at__lt=stale).values_list("pk", flat=True):
            task(pk)
            n += 1
    return n
