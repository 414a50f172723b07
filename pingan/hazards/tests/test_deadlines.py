"""Deadlines: reminders before, escalation after (department head and the level above, then the
dispatch centre), computed by the reconciler from rows, with a frozen clock across National Day 2026
(10-01..10-07 holidays, Saturday 10-10 an adjusted working day)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from pingan.core import deadlines
from pingan.core.models import Deadline
from pingan.hazards import actions
from pingan.hazards.models import Category
from pingan.notify.models import Message

from .factories import submit, to_state

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def test_reconciler_across_national_day_with_adjusted_working_day(world):
    Category.objects.filter(code="fire_exit").update(limit_general=3, limit_unit="working_days")
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        case = to_state(world, submit(world), "assigned")
    row = Deadline.objects.get(kind="hazards.rectify", object_id=str(case.pk))
    # 3 working days after Wed 09-30: Thu 10-08, Fri 10-09, Sat 10-10 (调休).
    assert row.due_at == dt.datetime(2026, 10, 10, 23, 59, 59, tzinfo=TZ)
    lead_people = set(world.departments["qc_fire"].people.values_list("pk", flat=True))
    assert row.remind_at is not None and row.remind_at < row.due_at

    # During the holiday nothing is due yet.
    with time_machine.travel(dt.datetime(2026, 10, 5, 12, 0, tzinfo=TZ), tick=False):
        assert deadlines.reconcile() == {"reminded": 0, "escalated": 0}

    # The adjusted Saturday is a working day: not overdue at its noon; the assignee department has
    # been reminded (once, however often the reconciler runs).
    with time_machine.travel(dt.datetime(2026, 10, 10, 12, 0, tzinfo=TZ), tick=False):
        assert deadlines.reconcile() == {"reminded": 1, "escalated": 0}
        assert deadlines.reconcile() == {"reminded": 0, "escalated": 0}
        assert not case.__class__.objects.overdue().filter(pk=case.pk).exists()
    assert (
        set(Message.objects.filter(event="hazards.deadline.remind").values_list("recipient", flat=True))
        == lead_people
    )

    # Past the deadline the reconciler escalates once to level 1…
    with time_machine.travel(dt.datetime(2026, 10, 11, 9, 0, tzinfo=TZ), tick=False):
        assert case.__class__.objects.overdue().filter(pk=case.pk).exists()
        assert deadlines.reconcile()["escalated"] == 1
        assert deadlines.reconcile()["escalated"] == 0  # idempotent
        c = Client()
        c.force_login(world.user("dept_staff", "city"))
        page = c.get("/console/hazards/?overdue=1").content.decode()
        assert 'data-testid="overdue"' in page and case.title in page
        api = c.get("/api/v1/hazards/?overdue=1").json()
        assert api["count"] == 1 and api["results"][0]["overdue"] is True
        feature = c.get("/api/v1/hazards/map/").json()["features"][0]
        assert feature["properties"]["overdue"] is True
    row.refresh_from_db()
    assert row.escalation_level == 1
    level1 = Message.objects.filter(event="hazards.deadline.overdue")
    # The department head (the fire brigade's people; it names no duty leader) and the level above
    # (the city fire detachment; nobody there in the test world, so the brigade's people only).
    assert set(level1.values_list("recipient", flat=True)) == lead_people
    # …and, after a downtime that missed the step a day later, it catches up with level 2: the
    # dispatch centre and the city administrators.
    with time_machine.travel(dt.datetime(2026, 10, 13, 9, 0, tzinfo=TZ), tick=False):
        assert deadlines.reconcile()["escalated"] == 1
    row.refresh_from_db()
    assert row.escalation_level == 2 and row.next_escalation_at is None
    assert Message.objects.filter(
        event="hazards.deadline.overdue", recipient=world.user("dept_staff", "city"), urgent=True
    ).exists()
    assert Message.objects.filter(
        event="hazards.deadline.overdue", recipient=world.user("city_admin", "city")
    ).exists()
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=TZ), tick=False):
        assert deadlines.reconcile()["escalated"] == 0

    # Finishing the work closes the deadline.
    with time_machine.travel(dt.datetime(2026, 10, 21, 9, 0, tzinfo=TZ), tick=False):
        from .factories import lead_person

        case.refresh_from_db()
        case = actions.do_start(lead_person(world, case), case)
        case = actions.do_submit_rectification(lead_person(world, case), case, note="done")
    row.refresh_from_db()
    assert row.met_at is not None


def test_register_deadline_in_working_hours_over_the_holiday(world):
    with time_machine.travel(dt.datetime(2026, 9, 30, 16, 0, tzinfo=TZ), tick=False):
        case = submit(world)
    row = Deadline.objects.get(kind="hazards.register", object_id=str(case.pk))
    # 4 office hours from Wed 16:00: 1.5 h that day, then 2.5 h on Thu 10-08 → 11:00.
    assert row.due_at == dt.datetime(2026, 10, 8, 11, 0, tzinfo=TZ)
    assert row.department == world.departments["city_dispatch"]
