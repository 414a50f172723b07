"""Background analyses: a per-person cap on runs waiting or computing; a run that fails for any
reason ends "failed" with the reason shown; the reconciler recovers runs whose worker died."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from pingan.core.actions import ActionError
from pingan.core.models import AuditEvent
from pingan.rescue import actions, engine, rules, tasks
from pingan.rescue.choices import RunStatus
from pingan.rescue.models import CoverageRun, SitingRun

from .helpers import activate_small_network


@pytest.fixture
def net(world):
    return activate_small_network()


def _run(world, net, model=CoverageRun, **kw):
    defaults = {"thresholds": [15, 30]} if model is CoverageRun else {"method": "mclp", "p": 1}
    return model.objects.create(division=world.city, network=net, **{**defaults, **kw})


@pytest.mark.parametrize(
    ("active", "cap", "reached"), [(0, 2, False), (1, 2, False), (2, 2, True), (5, 2, True), (0, 0, True)]
)
def test_run_cap_vectors(active, cap, reached):
    assert rules.run_cap_reached(active, cap) is reached


@pytest.mark.parametrize(("attempts", "outcome"), [(0, "requeue"), (1, "requeue"), (2, "fail"), (3, "fail")])
def test_stuck_run_vectors(attempts, outcome):
    assert rules.stuck_run_outcome(attempts, 2) == outcome


def test_per_person_cap_on_runs_waiting_or_computing(world, net, login_api, client):
    me = world.user("city_admin", "city")
    _run(world, net, created_by=me, status=RunStatus.QUEUED)
    running = _run(world, net, SitingRun, created_by=me, status=RunStatus.RUNNING)
    _run(world, net, created_by=world.user("dept_staff", "city"))  # someone else's run does not count
    _run(world, net, created_by=me, status=RunStatus.DONE)
    with pytest.raises(ActionError) as refused:
        actions.do_start_coverage(me)
    assert refused.value.code == "too_many_runs" and "2" in str(refused.value.message)
    r = login_api("city_admin", "city").post("/api/v1/rescue/siting-runs/", {"method": "mclp", "p": 1})
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["code"] == "too_many_runs" and "最多同时有 2 个分析" in err["message"]
    client.force_login(me)
    page = client.post("/console/rescue/coverage/", {"thresholds": "15,30"}, follow=True)
    assert "最多同时有 2 个分析" in page.content.decode()
    # One finished: the next may start.
    SitingRun.objects.filter(pk=running.pk).update(status=RunStatus.FAILED)
    assert actions.do_start_coverage(me).status == RunStatus.QUEUED


def test_cap_is_a_setting(world, net, settings):
    settings.RESCUE_RUNS_PER_USER = 1
    me = world.user("city_admin", "city")
    _run(world, net, created_by=me)
    with pytest.raises(ActionError, match="最多同时有 1 个分析"):
        actions.do_start_siting(me, method="mclp", p=1)


def _boom(run, progress):
    progress(40, "solve")
    raise RuntimeError("solver exploded")


def _unstorable(run, progress):
    return {"sites": [object()]}  # not JSON: fails when the result is kept


@pytest.mark.parametrize(
    ("compute", "expected"), [(_boom, "RuntimeError: solver exploded"), (_unstorable, "")]
)
def test_any_failure_ends_failed_with_the_reason(world, net, compute, expected):
    run = _run(world, net)
    tasks.execute_run(CoverageRun, run.pk, compute)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at and run.attempts == 1
    assert run.error.startswith("计算意外出错") and expected in run.error
    assert AuditEvent.objects.for_object(run).filter(action="rescue.coveragerun.failed").exists()


def test_the_reason_is_shown_on_the_page_and_in_the_api(world, net, client, login_api):
    run = _run(world, net)
    tasks.execute_run(CoverageRun, run.pk, _boom)
    client.force_login(world.user("city_admin", "city"))
    page = client.get(f"/console/rescue/coverage/{run.pk}/").content.decode()
    assert "solver exploded" in page and 'data-testid="run-error"' in page and "hx-trigger" not in page
    body = login_api("city_admin", "city").get(f"/api/v1/rescue/coverage-runs/{run.pk}/").json()
    assert body["status"] == "failed" and "solver exploded" in body["error"]
    # Each reader sees the platform's wording in their own language.
    client.cookies["django_language"] = "en"
    page = client.get(f"/console/rescue/coverage/{run.pk}/").content.decode()
    assert "The computation failed unexpectedly: RuntimeError: solver exploded" in page
    assert "计算意外出错" not in page


def test_a_late_worker_of_an_earlier_attempt_does_not_overwrite(world, net):
    run = _run(world, net, status=RunStatus.RUNNING, attempts=2)
    tasks._fail(CoverageRun, run.pk, 1, "old attempt")
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.error == ""


def test_reconciler_requeues_a_run_whose_worker_died_and_it_completes(world, net):
    long_ago = timezone.now() - timedelta(minutes=30)
    run = _run(world, net, status=RunStatus.RUNNING, attempts=1, progress=40, created_at=long_ago)
    CoverageRun.objects.filter(pk=run.pk).update(started_at=long_ago, heartbeat_at=long_ago)
    fresh = _run(world, net, SitingRun, status=RunStatus.RUNNING, attempts=1, created_at=long_ago)
    SitingRun.objects.filter(pk=fresh.pk).update(started_at=long_ago, heartbeat_at=timezone.now())
    assert tasks.reconcile_runs.call_local() == 2  # recovered, then sent again (tests run tasks inline)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.attempts == 2, run.error
    assert AuditEvent.objects.for_object(run).filter(action="rescue.coveragerun.requeued").exists()
    fresh.refresh_from_db()
    assert fresh.status == RunStatus.RUNNING  # still beating: left alone


def test_reconciler_fails_a_run_out_of_attempts_with_the_reason(world, net):
    long_ago = timezone.now() - timedelta(minutes=30)
    run = _run(world, net, SitingRun, status=RunStatus.RUNNING, attempts=2, created_at=long_ago)
    SitingRun.objects.filter(pk=run.pk).update(started_at=long_ago, heartbeat_at=None)  # never beat
    assert tasks.reconcile_runs.call_local() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "超过 10 分钟没有进展" in run.error and "2 次" in run.error
    assert run.error_code == "stuck"
    with translation.override("zh-hans"):
        assert run.error_text == run.error
    with translation.override("en"):
        assert run.error_text.startswith("The computation stopped: no progress for more than 10 minutes")


def test_a_good_run_records_its_attempt_and_heartbeat(world, net):
    run = _run(world, net)
    tasks.execute_run(CoverageRun, run.pk, engine.run_coverage)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.attempts == 1 and run.heartbeat_at >= run.started_at
