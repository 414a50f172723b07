"""Background work: coverage and siting runs. Each task re-reads its row and does nothing unless
the run is still queued, so a repeated or late task is harmless; the periodic reconciler picks up
runs whose task was lost (queued too long) and runs whose worker died (computing, heartbeat stale).

A run that fails for any reason ends "failed" with the reason shown on its page and in the API,
never "running" forever."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pingan.core import audit
from pingan.core.actions import ActionError
from pingan.core.context import origin

from . import rules
from .choices import RunStatus

log = logging.getLogger(__name__)


def run_limit(name: str) -> int:
    """A RUN_LIMITS value, overridable by the setting RESCUE_RUN_<NAME> / RESCUE_RUNS_PER_USER."""
    setting = "RESCUE_RUNS_PER_USER" if name == "per_user_active" else f"RESCUE_RUN_{name.upper()}"
    return int(getattr(settings, setting, rules.RUN_LIMITS[name]))


class _Heartbeat:
    """Beats the run's heartbeat_at from a side thread while the computation runs in this one, so
    that a long solver stage without progress reports is not taken for a dead worker."""

    def __init__(self, model: type, pk: int, attempt: int) -> None:
        self.model, self.pk, self.attempt = model, pk, attempt
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"run-heartbeat-{pk}", daemon=True)

    def _beat(self) -> None:
        every = run_limit("heartbeat_seconds")
        try:
            while not self.stop.wait(every):
                try:
                    self.model.objects.filter(
                        pk=self.pk, status=RunStatus.RUNNING, attempts=self.attempt
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # a beat missed is not an error; the next one may pass
                    log.warning("heartbeat of run %s failed", self.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()


def _fail(
    model: type, pk: int, attempt: int, message: str, code: str = "", params: dict | None = None
) -> None:
    """Mark this attempt of the run failed with `message` (a later attempt's row is left alone)."""
    with transaction.atomic():
        changed = model.objects.filter(pk=pk, status=RunStatus.RUNNING, attempts=attempt).update(
            status=RunStatus.FAILED,
            error=message,
            error_code=code,
            error_params=params or {},
            finished_at=timezone.now(),
        )
        if changed:
            audit.record(
                f"rescue.{model._meta.model_name}.failed",
                model.objects.get(pk=pk),
                actor=None,
                note=message[:500],
            )


def execute_run(model: type, pk: int, compute: Callable[[Any, Callable[[int, str], None]], dict]) -> None:
    """The body of a run task: claim a queued run, compute with progress, keep the result.

    Idempotent: a run that is not queued any more (done, failed or taken by another worker) is left.
    It lives with the tasks (the actions only queue a run), so actions → tasks is the one direction."""
    from . import network, siting

    with transaction.atomic():
        run = model.objects.select_for_update().filter(pk=pk, status=RunStatus.QUEUED).first()
        if run is None:
            return
        now = timezone.now()
        run.status = RunStatus.RUNNING
        run.started_at = run.heartbeat_at = now
        run.progress = 5
        run.error, run.error_code, run.error_params = "", "", {}
        run.attempts += 1
        run.save(
            update_fields=[
                "status",
                "started_at",
                "heartbeat_at",
                "progress",
                "error",
                "error_code",
                "error_params",
                "attempts",
            ]
        )
    attempt = run.attempts

    def progress(pct: int, stage: str) -> None:
        model.objects.filter(pk=pk, attempts=attempt).update(
            progress=pct, stage=stage, heartbeat_at=timezone.now()
        )

    try:
        with _Heartbeat(model, pk, attempt):
            results = compute(run, progress)
        with transaction.atomic():
            changed = model.objects.filter(pk=pk, status=RunStatus.RUNNING, attempts=attempt).update(
                status=RunStatus.DONE,
                progress=100,
                stage="done",
                results=results,
                demand_source=results.pop("demand_source", "") or "",
                finished_at=timezone.now(),
            )
            if changed:
                audit.record(f"rescue.{model._meta.model_name}.done", model.objects.get(pk=pk), actor=None)
    except (ActionError, siting.SitingError, network.NetworkError) as exc:
        _fail(model, pk, attempt, str(exc))
    except Exception as exc:  # anything else: failed with the reason, never "running" forever
        log.exception("%s %s failed", model._meta.model_name, pk)
        params = {"detail": f"{type(exc).__name__}: {exc}"[:300]}
        with translation.override(settings.LANGUAGE_CODE):  # the stored text: the site's language
            message = _("计算意外出错:%(detail)s") % params
        _fail(model, pk, attempt, message, "unexpected", params)


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


def recover_stuck(model: type, now: Any = None) -> int:
    """Runs computing with a heartbeat older than RUN_LIMITS["stale_minutes"] lost their worker
    (killed, restarted, out of memory): queued again while they have attempts left (the queued
    sweep of reconcile_runs then sends their task), else failed with the reason. Returns how many
    were recovered."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=run_limit("stale_minutes"))
    max_attempts = run_limit("max_attempts")
    n = 0
    stuck = (
        model.objects.annotate(beat=Coalesce(F("heartbeat_at"), F("started_at"), F("created_at")))
        .filter(status=RunStatus.RUNNING)
        .filter(Q(beat__lt=stale))
        .values_list("pk", "attempts")
    )
    for pk, attempts in list(stuck):
        outcome = rules.stuck_run_outcome(attempts, max_attempts)
        with transaction.atomic():
            row = model.objects.select_for_update().filter(pk=pk, status=RunStatus.RUNNING).first()
            if row is None:
                continue
            if outcome == "requeue":
                row.status, row.progress, row.stage = RunStatus.QUEUED, 0, ""
                row.save(update_fields=["status", "progress", "stage"])
                audit.record(
                    f"rescue.{model._meta.model_name}.requeued",
                    row,
                    actor=None,
                    note=_("计算进程中断,重新排队(第 %(n)d 次)") % {"n": attempts + 1},
                )
            else:
                params = {"m": run_limit("stale_minutes"), "n": attempts}
                with translation.override(settings.LANGUAGE_CODE):
                    message = _("计算中断:超过 %(m)d 分钟没有进展,已尝试 %(n)d 次。请重新发起。") % params
                row.status, row.error, row.finished_at = RunStatus.FAILED, message, now
                row.error_code, row.error_params = "stuck", params
                row.save(update_fields=["status", "error", "error_code", "error_params", "finished_at"])
                audit.record(f"rescue.{model._meta.model_name}.failed", row, actor=None, note=message)
        n += 1
    return n


@db_periodic_task(crontab(minute="*/5"))
def reconcile_runs() -> int:
    """Queued runs older than two minutes lost their task: run them now. Computing runs whose
    worker stopped beating are queued again or failed (recover_stuck)."""
    from .models import CoverageRun, SitingRun

    stale = timezone.now() - timedelta(minutes=2)
    n = 0
    with origin("task"):
        for model, task in ((CoverageRun, coverage_task), (SitingRun, siting_task)):
            n += recover_stuck(model)
            for pk in model.objects.filter(status=RunStatus.QUEUED, created_at__lt=stale).values_list(
                "pk", flat=True
            ):
                task(pk)
                n += 1
    return n
