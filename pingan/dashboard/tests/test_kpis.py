"""KPIs by district and township: the figures against independent SQL counts, periods, the previous
period, the choropleth, trends, live table, and query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from pingan.dashboard import figures as F
from pingan.dashboard import kpis as K
from pingan.hazards.models import HazardCase
from pingan.hazards.tests.factories import submit
from pingan.monitoring.choices import AlarmState
from pingan.monitoring.models import Alarm, Rule
from pingan.monitoring.tests.helpers import make_plant

TODAY = timezone.localdate()


def at(days_ago: float, hour: int = 10) -> dt.datetime:
    day = TODAY - dt.timedelta(days=int(days_ago))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def data(world):
    """Hazards in both districts at known times (some closed, one overdue), alarms with ack times."""
    spec = [
        # area, created days ago, closed days ago (None: open), overdue
        ("qingcheng", 3, 1, False),
        ("qingcheng", 5, None, True),
        ("qingcheng", 10, 2, False),
        ("qingcheng", 40, 35, False),  # previous period
        ("yingde", 2, None, False),
        ("yingde", 45, None, True),  # previous period, still overdue
    ]
    for area, created, closed_days, overdue in spec:
        case = submit(world, area=area)
        fields = {"created_at": at(created)}
        if closed_days is not None:
            fields.update(state="closed", closed_at=at(closed_days, 16))
        fields["due_at"] = at(0) - dt.timedelta(days=1) if overdue else at(0) + dt.timedelta(days=5)
        HazardCase.objects.filter(pk=case.pk).update(**fields)
    plant = make_plant(world)
    rule = Rule.objects.filter(kind="threshold").first()
    for key, raised, ack_minutes in [("gas", 2, 5), ("gas", 4, None), ("pressure", 6, 15), ("yd_gas", 1, 30)]:
        s = plant.sensors[key]
        Alarm.objects.create(
            sensor=s,
            rule=rule,
            severity=2,
            title="t",
            division=s.division,
            enterprise=s.enterprise,
            raised_at=at(raised),
            acked_at=at(raised) + dt.timedelta(minutes=ack_minutes) if ack_minutes else None,
            state=AlarmState.CLEARED_ACK if ack_minutes else AlarmState.CLEARED_UNACK,
            is_active=False,
        )
    return plant


def sql_one(query: str, params: list) -> float:
    with connection.cursor() as c:
        c.execute(query, params)
        return c.fetchone()[0]


HAZARDS = (
    "SELECT {what} FROM hazards_hazardcase h JOIN geo_division d ON d.id = h.division_id "
    "WHERE d.path LIKE %s AND h.state NOT IN ('declined', 'merged') AND {where}"
)


@pytest.mark.django_db
def test_figures_match_independent_sql(world, data):
    q = K.Query("", TODAY - dt.timedelta(days=29), TODAY, "", "week")
    table = K.table(world.user("city_admin", "city"), q)
    start, end = F.span(q.start, q.end)
    for code in ("441802", "441881"):
        cells = table["by_path"][code]
        like = code + "%"
        found = sql_one(
            HAZARDS.format(what="count(*)", where="h.created_at >= %s AND h.created_at < %s"),
            [like, start, end],
        )
        closed = sql_one(
            HAZARDS.format(
                what="count(*)", where="h.state = 'closed' AND h.closed_at >= %s AND h.closed_at < %s"
            ),
            [like, start, end],
        )
        overdue = sql_one(
            HAZARDS.format(
                what="count(*)", where="h.state NOT IN ('closed') AND h.due_at < %s AND h.created_at < %s"
            ),
            [like, min(end, timezone.now()), end],
        )
        found_closed = sql_one(
            HAZARDS.format(
                what="count(*)", where="h.state = 'closed' AND h.created_at >= %s AND h.created_at < %s"
            ),
            [like, start, end],
        )
        assert cells["hazards.found"]["value"] == found
        assert cells["hazards.closed"]["value"] == closed
        assert cells["hazards.overdue"]["value"] == overdue
        assert cells["hazards.closure_rate"]["value"] == (
            round(100 * found_closed / found, 1) if found else None
        )
        alarms = (
            "SELECT count(*) FROM monitoring_alarm a JOIN geo_division d ON d.id = a.division_id "
            "WHERE d.path LIKE %s AND a.raised_at >= %s AND a.raised_at < %s"
        )
        n = sql_one(alarms, [like, start, end])
        acked = sql_one(alarms + " AND a.acked_at IS NOT NULL", [like, start, end])
        assert cells["monitoring.handling_rate"]["value"] == (round(100 * acked / n, 1) if n else None)
    # Hand-checked against the spec above as well.
    qc, yd = table["by_path"]["441802"], table["by_path"]["441881"]
    assert (qc["hazards.found"]["value"], qc["hazards.closed"]["value"], qc["hazards.overdue"]["value"]) == (
        3,
        2,
        1,
    )
    assert (yd["hazards.found"]["value"], yd["hazards.overdue"]["value"]) == (1, 1)
    assert qc["hazards.closure_rate"]["value"] == 66.7
    assert qc["monitoring.minutes_to_ack"]["value"] == 10.0  # median of 5 and 15
    assert table["by_path"][""]["hazards.found"]["value"] == 4


@pytest.mark.django_db
def test_previous_period_and_comparison(world, data):
    q = K.Query("", TODAY - dt.timedelta(days=29), TODAY, "", "week")
    table = K.table(world.user("city_admin", "city"), q)
    qc = table["by_path"]["441802"]["hazards.found"]
    assert qc["previous"] == "1" and qc["delta"]["text"] == "▲2" and qc["delta"]["colour"] == "green"


@pytest.mark.django_db
def test_townships_inside_a_district_and_scope(world, data):
    user = world.user("area_staff", "qingcheng")
    q = K.parse({}, user)
    assert q.parent == "441802"  # a district person starts with the townships of their district
    table = K.table(user, q)
    assert [r["name"] for r in table["rows"]] == ["凤城街道"]
    assert table["by_path"]["441802006"]["hazards.found"]["value"] == 3
    assert table["by_path"][""]["hazards.found"]["value"] == 3  # the district's total
    city = K.table(world.user("city_admin", "city"), K.Query("441802", q.start, q.end, "", "week"))
    assert city["by_path"][""]["hazards.found"]["value"] == 3  # not the whole city's 4
    # Out of their area, nothing counts even when asked for.
    other = K.table(user, K.Query("", q.start, q.end, "", "week"))
    assert other["by_path"]["441881"]["hazards.found"]["value"] == 0


@pytest.mark.django_db
def test_page_choropleth_trend_and_live_table(world, data):
    c = Client()
    c.force_login(world.user("city_admin", "city"))
    r = c.get("/console/command/?figure=hazards.found&step=week")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'hx-get="/console/command/kpis/' in html and 'hx-trigger="every 30s"' in html
    assert "期间内上报并受理的隐患数" in html  # the definition, shown on hover
    geo = c.get("/console/command/kpis/map.geojson?figure=hazards.found").json()
    fills = {f["properties"]["code"]: f["properties"]["fill"] for f in geo["features"]}
    assert fills == {"441802": "green", "441881": "red"}  # more found is better: 3 green, 1 red
    trend = r.context["trend"]
    assert trend["series"][0]["name"] == "合计" and sum(v or 0 for v in trend["series"][0]["data"]) == 4
    month = c.get("/console/command/kpis/?figure=hazards.found&step=month")
    assert month.status_code == 200 and 'data-testid="kpi-table"' in month.content.decode()


@pytest.mark.django_db
def test_queries_do_not_grow_with_rows(world, data, django_assert_max_num_queries):
    c = Client()
    c.force_login(world.user("city_admin", "city"))
    c.get("/console/command/kpis/")
    # one grouped query per figure and period: the bound grows with the registered figures (plans: +2)
    with django_assert_max_num_queries(46) as few:
        c.get("/console/command/kpis/")
    for _ in range(5):
        submit(world, area="yingde")
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get("/console/command/kpis/")


def test_buckets_and_previous_period():
    assert F.previous_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == (
        dt.date(2026, 10, 2),
        dt.date(2026, 10, 31),
    )
    months = F.buckets(dt.date(2026, 9, 15), dt.date(2026, 11, 3), "month")
    assert [m[0] for m in months] == ["2026-09", "2026-10", "2026-11"]
    weeks = F.buckets(dt.date(2026, 11, 4), dt.date(2026, 11, 16), "week")
    assert weeks[0][1] == dt.date(2026, 11, 2) and len(weeks) == 3


@pytest.mark.django_db
def test_training_hours_match_independent_sql(world):
    from pingan.culture.models import TrainingRecord

    def train(town, hours, days_ago):
        TrainingRecord.objects.create(
            person="张三",
            trainee=TrainingRecord._meta.get_field("trainee").choices[0][0],
            kind=TrainingRecord._meta.get_field("kind").choices[0][0],
            division=world.towns[town],
            hours=hours,
            trained_on=TODAY - dt.timedelta(days=days_ago),
        )

    train("qingcheng", "8.5", 1)
    train("qingcheng", "4", 10)
    train("yingde", "16", 3)
    train("yingde", "24", 45)  # before the period: the previous period's
    q = K.Query("", TODAY - dt.timedelta(days=29), TODAY, "", "week")
    table = K.table(world.user("city_admin", "city"), q)
    for code in ("441802", "441881"):
        expected = sql_one(
            "SELECT COALESCE(SUM(t.hours), 0) FROM culture_trainingrecord t "
            "JOIN geo_division d ON d.id = t.division_id WHERE d.path LIKE %s AND t.trained_on >= %s "
            "AND t.trained_on <= %s",
            [code + "%", q.start, q.end],
        )
        assert table["by_path"][code]["culture.training_hours"]["value"] == float(expected)
    assert table["by_path"]["441802"]["culture.training_hours"]["value"] == 12.5
