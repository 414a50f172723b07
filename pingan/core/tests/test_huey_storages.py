"""The background wiring on both huey storages the platform supports: SQLite (the default) and
Redis (when REDIS_URL is set).

For each, a real queue with immediate=False: the application enqueues the notification-retry
reconciler (serialized exactly as the configured djhuey instance does), a worker-side huey on that
storage dequeues and executes it — no consumer process — and the due delivery is sent. The second
part checks that the configured djhuey instance schedules the periodic reconcilers.
"""

from __future__ import annotations

import datetime
import os
import uuid

import pytest
from django.contrib.auth import get_user_model
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import PeriodicTask
from huey.contrib.djhuey import HUEY

from pingan.notify.models import Delivery, Message, SmsRecord
from pingan.notify.tasks import reconcile_deliveries, send_pending_deliveries

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def sqlite_huey(tmp_path) -> SqliteHuey:
    return SqliteHuey(name="pingan-test", filename=str(tmp_path / "huey.sqlite3"), immediate=False)


def redis_huey() -> RedisHuey:
    import redis

    huey = RedisHuey(name=f"pingan-test-{uuid.uuid4().hex[:8]}", url=REDIS_URL, immediate=False)
    try:
        huey.storage.conn.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}); the Redis storage is not tested here")
    return huey


@pytest.fixture(params=["sqlite", "redis"])
def storage(request, tmp_path):
    huey = sqlite_huey(tmp_path) if request.param == "sqlite" else redis_huey()
    huey.flush()
    yield huey
    huey.flush()


def due_delivery() -> Delivery:
    person = get_user_model().objects.create_user(
        username="huey_person", password="x" * 12, role="area_staff"
    )
    message = Message.objects.create(recipient=person, event="t.huey", title="队列测试", urgent=True)
    # An SMS delivery that failed once and whose back-off has passed: the reconciler's job.
    return Delivery.objects.create(
        message=message,
        channel="sms",
        target="13800000000",
        status="retrying",
        attempts=1,
        payload={"text": "队列测试"},
        next_attempt_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )


@pytest.mark.parametrize("task", [reconcile_deliveries, send_pending_deliveries], ids=["reconciler", "kick"])
def test_task_runs_through_the_storage(db, storage, task):
    delivery = due_delivery()
    assert storage.immediate is False

    # The worker side: the same task (same function, same registered name) on this storage.
    if isinstance(task.task_class(), PeriodicTask):
        worker_task = storage.periodic_task(crontab(minute="*"))(task.func)
    else:
        worker_task = storage.task()(task.func)

    # The application side: serialize the task as the configured djhuey instance would and put the
    # bytes on this storage's queue.
    storage.storage.enqueue(HUEY.serialize_task(task.s()))
    assert storage.pending_count() == 1
    assert not SmsRecord.objects.exists()  # queued, not run

    queued = storage.dequeue()
    assert type(queued) is worker_task.task_class
    assert storage.pending_count() == 0
    storage.execute(queued)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert SmsRecord.objects.get().delivery == delivery

    # Run it again (a repeated task): idempotent, nothing sent twice.
    storage.enqueue(worker_task.s())
    storage.execute(storage.dequeue())
    assert SmsRecord.objects.count() == 1


def test_the_configured_instance_schedules_the_periodic_reconcilers():
    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules

    # What `manage.py run_huey` does before it starts the consumer: import every app's tasks.py.
    autodiscover_modules("tasks")
    expected_class = "RedisHuey" if settings.REDIS_URL else "SqliteHuey"
    assert type(HUEY).__name__ == expected_class
    # Every-minute crontabs: due at any minute.
    due = HUEY.read_periodic(datetime.datetime(2026, 11, 28, 9, 17))
    names = {f"{type(t).__module__}.{type(t).__name__}" for t in due}
    assert {"pingan.core.tasks.reconcile_deadlines", "pingan.notify.tasks.reconcile_deliveries"} <= names
    assert all(isinstance(t, PeriodicTask) for t in due)
    # The kick is an ordinary task, not periodic.
    assert "pingan.notify.tasks.send_pending_deliveries" not in names
