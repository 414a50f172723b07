"""The alarm console as a list: pages, every filter, the Excel export, bad parameters (400 naming
them), colour names for severities, and constant queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from pingan.core.models import AuditEvent
from pingan.monitoring.choices import AlarmState
from pingan.monitoring.models import Alarm, Rule

from .helpers import make_plant

SH = ZoneInfo("Asia/Shanghai")
URL = "/console/monitoring/"


def _alarm(sensor, rule, *, raised, severity=2, state=AlarmState.ACTIVE_UNACK, value=30.0):
    a = Alarm(
        sensor=sensor,
        rule=rule,
        severity=severity,
        level=severity,
        title=f"{sensor.name} · {rule.name}",
        division=sensor.division,
        enterprise=sensor.enterprise,
        department=sensor.department,
        raised_at=raised,
        trigger_value=value,
        last_value=value,
    )
    a.set_state(state)
    return a


@pytest.fixture
def many(world):
    """120 cleared gas alarms over 4 local days (30 a day, 2026-11-01 … 04), plus a few others."""
    plant = make_plant(world)
    gas_rule = Rule.objects.get(code="gas-lel", sensor=None)
    rise_rule = Rule.objects.get(code="water-rise", sensor=None)
    rows = []
    for day in range(4):
        for i in range(30):
            raised = dt.datetime(2026, 11, 1 + day, 0, 30, tzinfo=SH) + dt.timedelta(minutes=40 * i)
            rows.append(_alarm(plant.sensors["gas"], gas_rule, raised=raised, state=AlarmState.CLEARED_UNACK))
    rows.append(
        _alarm(
            plant.sensors["water"],
            rise_rule,
            raised=dt.datetime(2026, 11, 2, 23, 59, tzinfo=SH),
            severity=4,
            value=0.12,
        )
    )
    rows.append(
        _alarm(
            plant.sensors["yd_gas"],
            gas_rule,
            raised=dt.datetime(2026, 11, 2, 10, 0, tzinfo=SH),
            severity=3,
        )
    )
    Alarm.objects.bulk_create(rows)
    return plant


def _client(world, role="city_admin", area="city") -> Client:
    c = Client()
    c.force_login(world.user(role, area))
    return c


def _rows(response) -> list[int]:
    return [a.pk for a in response.context["alarms"]]


def test_page_two_with_a_date_filter(many, world):
    """The console pages (it stopped at 100 rows): 2026-11-02 … 03 is 60 gas alarms, the water one
    (23:59 local on the 2nd, 15:59 UTC — a local day, not a UTC one) and 英德's = 62: 50 on page 1,
    12 on page 2."""
    c = _client(world)
    r1 = c.get(URL, {"show": "all", "from": "2026-11-02", "to": "2026-11-03"})
    assert r1.status_code == 200
    assert r1.context["paginator"].count == 62
    assert len(_rows(r1)) == 50
    body = r1.content.decode()
    assert 'data-testid="page-next"' in body and "from=2026-11-02" in body
    r2 = c.get(URL, {"show": "all", "from": "2026-11-02", "to": "2026-11-03", "page": 2})
    page2 = _rows(r2)
    assert len(page2) == 12
    assert not set(page2) & set(_rows(r1))
    for a in Alarm.objects.filter(pk__in=page2 + _rows(r1)):
        assert dt.date(2026, 11, 2) <= a.raised_at.astimezone(SH).date() <= dt.date(2026, 11, 3)
    # A page past the end shows the last one (not an error); the rows view pages the same way.
    assert _rows(c.get(URL, {"show": "all", "from": "2026-11-02", "to": "2026-11-03", "page": 9})) == page2
    rows = c.get(
        "/console/monitoring/rows/", {"show": "all", "from": "2026-11-02", "to": "2026-11-03", "page": 2}
    )
    assert _rows(rows) == page2


def test_every_filter(many, world):
    c = _client(world)
    total = Alarm.objects.count()
    assert c.get(URL, {"show": "all"}).context["paginator"].count == total == 122
    # state: "open" hides what is cleared and acknowledged; one state by its value
    assert c.get(URL).context["paginator"].count == total  # nothing is cleared-and-acknowledged yet
    assert c.get(URL, {"show": "active_unack"}).context["paginator"].count == 2
    assert c.get(URL, {"show": "cleared_unack"}).context["paginator"].count == 120
    # severity: this colour and above
    assert c.get(URL, {"show": "all", "severity": 3}).context["paginator"].count == 2
    assert c.get(URL, {"show": "all", "severity": 4}).context["paginator"].count == 1
    # sensor type, rule (by code: a type rule and its overrides), device (by code, any case)
    assert c.get(URL, {"show": "all", "type": "water_level"}).context["paginator"].count == 1
    assert c.get(URL, {"show": "all", "rule": "water-rise"}).context["paginator"].count == 1
    assert c.get(URL, {"show": "all", "rule": "gas-lel"}).context["paginator"].count == 121
    assert c.get(URL, {"show": "all", "device": "yd-gas-01"}).context["paginator"].count == 1
    assert c.get(URL, {"show": "all", "device": "NOPE"}).context["paginator"].count == 0
    # dates, each end alone
    assert c.get(URL, {"show": "all", "from": "2026-11-04"}).context["paginator"].count == 30
    assert c.get(URL, {"show": "all", "to": "2026-11-01"}).context["paginator"].count == 30
    # together
    r = c.get(
        URL, {"show": "all", "type": "gas_lel", "severity": 3, "from": "2026-11-02", "to": "2026-11-02"}
    )
    assert r.context["paginator"].count == 1
    # the other district's staff see only their own alarm, whatever the filter
    other = _client(world, "area_staff", "yingde")
    assert other.get(URL, {"show": "all"}).context["paginator"].count == 1


def test_severity_is_shown_by_its_colour_name(many, world):
    c = _client(world)
    body = c.get(URL, {"show": "all", "severity": 3}).content.decode()
    assert "红色" in body and "橙色" in body
    assert 'data-testid="severity">4<' not in body and 'data-testid="severity">3<' not in body
    c.post("/i18n/setlang/", {"language": "en", "next": URL})
    body = c.get(URL, {"show": "all", "severity": 3}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Red" in body and "Orange" in body


def test_export_is_the_filtered_list(many, world):
    from openpyxl import load_workbook

    c = _client(world)
    r = c.get(URL, {"show": "all", "from": "2026-11-02", "to": "2026-11-03", "export": "xlsx"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 62  # header + every filtered row, not one page
    header = rows[0]
    assert "级别" in header and "报警时间" in header
    levels = {row[header.index("级别")] for row in rows[1:]}
    assert levels == {"黄色(较重)", "橙色(严重)", "红色(特别严重)"}
    event = AuditEvent.objects.filter(action="core.list.export").latest("id")
    assert event.after["list"] == "alarms" and event.after["rows"] == 62
    assert event.after["from"] == "2026-11-02"
    # The page offers the export of what it shows.
    body = c.get(URL, {"show": "all", "rule": "gas-lel"}).content.decode()
    assert 'data-testid="export-xlsx"' in body and "rule=gas-lel" in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"show": "nonsense"}, "show"),
        ({"severity": "9"}, "severity"),
        ({"severity": "abc"}, "severity"),
        ({"type": "lava"}, "type"),
        ({"rule": "no-such-rule"}, "rule"),
        ({"device": "X" * 65}, "device"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "0000-01-01"}, "to"),
        ({"from": "2026-11-05", "to": "2026-11-01"}, "to"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "99999999999999999999999"}, "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(many, world, query, field):
    c = _client(world)
    for url in (URL, "/console/monitoring/rows/"):
        r = c.get(url, query)
        assert r.status_code == 400, (url, query, r.status_code)
        assert f'data-field="{field}"' in r.content.decode()
    if field != "page":  # the export is the whole filtered list: it has no page
        assert c.get(URL, {**query, "export": "xlsx"}).status_code == 400


def test_console_queries_are_constant(world, django_assert_max_num_queries):
    plant = make_plant(world)
    gas_rule = Rule.objects.get(code="gas-lel", sensor=None)
    c = _client(world, "area_staff", "qingcheng")
    Alarm.objects.bulk_create(
        [_alarm(plant.sensors["gas"], gas_rule, raised=dt.datetime(2026, 11, 1, tzinfo=SH))]
    )
    with django_assert_max_num_queries(16) as one:
        assert c.get(URL, {"show": "all"}).status_code == 200
    Alarm.objects.bulk_create(
        [
            _alarm(
                plant.sensors["gas"],
                gas_rule,
                raised=dt.datetime(2026, 11, 1, tzinfo=SH) + dt.timedelta(minutes=i),
                state=AlarmState.CLEARED_UNACK,
            )
            for i in range(1, 130)
        ]
    )
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        assert c.get(URL, {"show": "all", "page": 2}).status_code == 200
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert c.get(URL, {"show": "all", "export": "xlsx"}).status_code == 200
    assert len(many.captured_queries) <= 16


def test_acknowledging_from_page_two_keeps_the_filters(many, world):
    c = _client(world)
    query = "show=all&from=2026-11-02&to=2026-11-03&page=2"
    target = _rows(c.get(URL + "?" + query))[0]
    r = c.post(
        f"/console/monitoring/alarms/{target}/acknowledge/",
        {"from": "console", "query": query},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert r.context["paginator"].count == 62 and r.context["page_obj"].number == 2
    assert Alarm.objects.get(pk=target).acknowledged


def test_the_api_gives_the_severity_by_its_colour_name(many, login_api):
    r = login_api("city_admin", "city").get("/api/v1/alarms/", {"severity": 4})
    assert r.status_code == 200
    rows = r.json()["results"] if isinstance(r.json(), dict) else r.json()
    assert [row["severity_name"] for row in rows] == ["红色(特别严重)"]
