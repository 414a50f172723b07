"""Background work: coverage and siting runs. Each task re-reads its row and does nothing unless
the run is still queued, so a repeated or late task is harmless; the periodic reconciler picks up
runs whose task was lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pingan.core import audit
from pingan.core.actions import ActionError
from pingan.core.context import origin

from .choices import RunStatus


def execute_run(model: type, pk: int, compute: Callable[[Any, Callable[[int, str], None]], dict]) -> None:
    """The body of a run task: claim a queued run, compute with progress, keep the result.

    Idempotent: a run that is not queued any more (done, failed or taken by another worker) is left.
    It lives with the tasks (the actions only queue a run), so actions → tasks is the one direction."""
    from . import network, siting

    with transaction.atomic():
        run = model.objects.select_for_update().filter(pk=pk, status=RunStatus.QUEUED).first()
        if run is None:
            return
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.progress = 5
        run.save(update_fields=["status", "started_at", "progress"])

    def progress(pct: int, stage: str) -> None:
        model.objects.filter(pk=pk).update(progress=pct, stage=stage)

    try:
        results = compute(run, progress)
    except (ActionError, siting.SitingError, network.NetworkError) as exc:
        with transaction.atomic():
            model.objects.filter(pk=pk).update(
                status=RunStatus.FAILED, error=str(exc), finished_at=timezone.now()
            )
            audit.record(
                f"rescue.{model._meta.model_name}.failed",
                model.objects.get(pk=pk),
                actor=None,
                note=str(exc)[:500],
            )
        return
    with transaction.atomic():
        model.objects.filter(pk=pk).update(
            status=RunStatus.DONE,
            progress=100,
            stage="done",
            results=results,
            demand_source=results.pop("demand_source", "") or "",
            finished_at=timezone.now(),
        )
        audit.record(f"rescue.{model._meta.model_name}.done", model.objects.get(pk=pk), actor=None)


@db_task()
def coverage_task(run_id: int) -> None:
    from . import engine
    from .models import CoverageRun

    with origin("task"):
        execute_run(CoverageRun, run_id, engine.run_coverage)


@db_task()
def siting_task(run_id: int) -> None:
    from . import engine
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
        for pk in model.objects.filter(status=RunStatus.QUEUED, created_at__lt=stale).values_list(
            "pk", flat=True
        ):
            task(pk)
            n += 1
    return n
