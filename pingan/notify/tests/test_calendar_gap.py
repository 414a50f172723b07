"""From December, city administrators are asked for next year's holiday schedule (QA, #11)."""

import datetime as dt

import pytest
from django.test import Client

from pingan.core import workcal
from pingan.core.models import CalendarOverride
from pingan.notify.calendar_gap import EVENT, warn_calendar_gap
from pingan.notify.models import Message

pytestmark = pytest.mark.django_db
UNKNOWN = 2099  # a year the package will not know for a long time


def test_gap_rules():
    known = dt.date(2026, 6, 1).year
    assert workcal.package_knows(known) and not workcal.package_knows(UNKNOWN)
    assert workcal.calendar_gap(dt.date(UNKNOWN, 3, 1)) == UNKNOWN  # this year's, at any time
    entered = {dt.date(UNKNOWN, 1, d): False for d in (5, 6, 7, 8)}  # four weekdays: a local holiday
    assert not workcal.schedule_known(UNKNOWN, entered)
    entered[dt.date(UNKNOWN, 1, 9)] = False  # the fifth weekday: the schedule is entered
    assert workcal.schedule_known(UNKNOWN, entered)
    assert workcal.calendar_gap(dt.date(UNKNOWN, 3, 1), entered) is None


NEXT = 2027  # as of this writing the package stops at 2026; pretend so whatever it learns later


def test_december_asks_next_year_once(world, monkeypatch):
    monkeypatch.setattr(workcal, "package_knows", lambda year: year < NEXT)
    december = dt.date(NEXT - 1, 12, 1)
    assert workcal.calendar_gap(dt.date(NEXT - 1, 11, 30)) is None
    assert workcal.calendar_gap(december) == NEXT
    admin = world.user("city_admin", "city")
    assert warn_calendar_gap(december) >= 1
    assert warn_calendar_gap(december) == 0  # told once
    mine = Message.objects.get(event=EVENT, recipient=admin)
    assert str(NEXT) in mine.title and mine.url.endswith("/settings/calendar/")
    assert (
        not Message.objects.filter(event=EVENT)
        .exclude(recipient__role=admin.role)
        .exclude(recipient__is_superuser=True)
        .exists()
    )
    for d in (8, 9, 10, 11, 12):  # Monday to Friday
        CalendarOverride.objects.create(date=dt.date(NEXT, 2, d), is_workday=False, note="春节")
    assert workcal.calendar_gap(december, workcal.load_overrides()) is None


def test_banner_on_settings_page_only_while_the_gap_lasts(world, monkeypatch):
    import time_machine

    monkeypatch.setattr(workcal, "package_knows", lambda year: year < NEXT)
    c = Client()
    with time_machine.travel(dt.datetime(NEXT - 1, 12, 2, 4, 0, tzinfo=dt.UTC), tick=False):
        c.force_login(world.user("city_admin", "city"))  # sessions expire when idle: log in "then"
        r = c.get("/console/settings/")
        assert r.status_code == 200, r
        page = r.content.decode()
        assert 'data-testid="calendar-gap"' in page and str(NEXT) in page
        assert 'data-testid="calendar-gap"' in c.get("/console/settings/calendar/").content.decode()
    with time_machine.travel(dt.datetime(NEXT - 1, 11, 2, 4, 0, tzinfo=dt.UTC), tick=False):
        c.force_login(world.user("city_admin", "city"))
        assert 'data-testid="calendar-gap"' not in c.get("/console/settings/").content.decode()
