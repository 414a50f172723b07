import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from pingan.core import deadlines
from pingan.core.models import Deadline

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def calls():
    log: list[tuple[str, int, int]] = []

    def remind(row):
        log.append(("remind", row.pk, 0))

    def escalate(row, level):
        log.append(("escalate", row.pk, level))
        return row.due_at + dt.timedelta(hours=level) if level < 2 else None

    deadlines.register("test.kind", remind=remind, escalate=escalate)
    return log


@pytest.mark.django_db
def test_reminds_then_escalates_twice_then_stops(world, calls):
    subject = world.enterprises["qingcheng"]
    with time_machine.travel(T0, tick=False):
        row = deadlines.create(
            subject,
            kind="test.kind",
            title="t",
            due_at=T0 + dt.timedelta(hours=2),
            remind_before=dt.timedelta(hours=1),
            department=world.departments["qc_em"],
        )
        assert deadlines.reconcile() == {"reminded": 0, "escalated": 0}
    for hours, expected in [(1, ("remind", 0)), (2, ("escalate", 1)), (3, ("escalate", 2)), (10, None)]:
        before = len(calls)
        deadlines.reconcile(T0 + dt.timedelta(hours=hours))
        deadlines.reconcile(T0 + dt.timedelta(hours=hours))  # idempotent: a second run does nothing more
        if expected is None:
            assert len(calls) == before
        else:
            assert calls[before:] == [(expected[0], row.pk, expected[1])]
    row.refresh_from_db()
    assert row.escalation_level == 2 and row.next_escalation_at is None


@pytest.mark.django_db
def test_catches_up_after_downtime_and_ignores_met_deadlines(world, calls):
    subject = world.enterprises["qingcheng"]
    with time_machine.travel(T0, tick=False):
        late = deadlines.create(
            subject,
            kind="test.kind",
            title="late",
            due_at=T0 + dt.timedelta(hours=1),
            remind_before=dt.timedelta(minutes=30),
        )
        met = deadlines.create(
            world.enterprises["yingde"], kind="test.kind", title="met", due_at=T0 + dt.timedelta(hours=1)
        )
        deadlines.close(world.enterprises["yingde"])
    # The reconciler was down for a day: one run does the reminder and the first escalation.
    deadlines.reconcile(T0 + dt.timedelta(days=1))
    assert [c for c in calls if c[1] == late.pk] == [("remind", late.pk, 0), ("escalate", late.pk, 1)]
    assert not [c for c in calls if c[1] == met.pk]
    met.refresh_from_db()
    assert met.met_at is not None and met.is_overdue(T0 + dt.timedelta(days=1)) is False


@pytest.mark.django_db
def test_deadlines_are_scoped(world):
    with time_machine.travel(T0, tick=False):
        deadlines.create(
            world.enterprises["qingcheng"],
            kind="x",
            title="qc",
            due_at=timezone.now(),
            division=world.districts["qingcheng"],
        )
        deadlines.create(
            world.enterprises["yingde"],
            kind="x",
            title="yd",
            due_at=timezone.now(),
            division=world.districts["yingde"],
        )
    titles = set(
        Deadline.objects.visible_to(world.user("area_staff", "yingde")).values_list("title", flat=True)
    )
    assert titles == {"yd"}


def test_messages_show_deadlines_in_local_time():
    # The inbox showed "2026-12-12T04:46+00:00": a UTC instant written with isoformat into the body.
    import datetime as dt

    from pingan.core.deadlines import local_text

    assert local_text(dt.datetime(2026, 12, 12, 4, 46, tzinfo=dt.UTC)) == "2026-12-12 12:46"
