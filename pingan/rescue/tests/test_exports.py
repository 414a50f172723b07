"""Excel exports of the rescue lists: the rows the person sees, constant in queries, audited."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client

from pingan.core.models import AuditEvent
from pingan.rescue.models import Exercise, Mobilisation, Team

pytestmark = pytest.mark.django_db


def _team(world, area: str, n: int) -> Team:
    division = world.districts[area]
    return Team.objects.create(
        code=f"T-{area}-{n}",
        name=f"{division.name}救援队{n}",
        kind="fire",
        division=division,
        lat=23.7,
        lon=113.05,
        headcount=10 + n,
    )


def _rows(response) -> list[tuple]:
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _client(world, role: str, area: str) -> Client:
    c = Client()
    c.force_login(world.user(role, area))
    return c


def test_team_list_exports_what_the_person_sees(world, django_assert_max_num_queries):
    _team(world, "qingcheng", 1)
    _team(world, "yingde", 1)
    # The teams are the city's directory for every government role (rescue crosses districts) …
    own = _client(world, "area_staff", "qingcheng")
    rows = _rows(own.get("/console/rescue/", {"export": "xlsx", "kind": "fire"}))
    assert rows[0][:2] == ("编号", "队伍名称") and {r[0] for r in rows[1:]} == {"T-qingcheng-1", "T-yingde-1"}
    event = AuditEvent.objects.filter(action="core.list.export").latest("id")
    assert event.after == {"list": "rescue-teams", "rows": 2, "kind": "fire"}
    assert len(_rows(own.get("/console/rescue/", {"export": "xlsx", "kind": "medical"}))) == 1  # filtered
    # … and nobody's outside government: an enterprise user gets no export.
    assert _client(world, "enterprise", "qingcheng").get(
        "/console/rescue/", {"export": "xlsx"}
    ).status_code in (
        403,
        404,
    )
    city = _client(world, "city_admin", "city")
    with django_assert_max_num_queries(12) as one:
        city.get("/console/rescue/", {"export": "xlsx"})
    for n in range(2, 8):
        _team(world, "qingcheng", n)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(_rows(city.get("/console/rescue/", {"export": "xlsx"}))) == 1 + 8


def test_mobilisations_and_exercises_export(world):
    team = _team(world, "qingcheng", 1)
    Mobilisation.objects.create(
        team=team, division=team.division, title="厂房起火", lat=23.7, lon=113.05, eta_minutes=12.5
    )
    ex = Exercise.objects.create(
        kind="drill", title="防汛演练", date=dt.date(2026, 6, 1), division=team.division, participants=30
    )
    ex.teams.add(team)
    c = _client(world, "area_staff", "qingcheng")
    mob_rows = _rows(c.get("/console/rescue/mobilisations/", {"export": "xlsx"}))
    assert mob_rows[1][1:3] == ("厂房起火", team.name) and mob_rows[1][5] == 12.5
    ex_rows = _rows(c.get("/console/rescue/exercises/", {"export": "xlsx"}))
    assert ex_rows[1][2] == "防汛演练" and ex_rows[1][4] == 1 and ex_rows[1][5] == 30
    # English headers on an English request
    c.cookies["django_language"] = "en"
    assert _rows(c.get("/console/rescue/exercises/", {"export": "xlsx"}))[0][0] == "Date"
    # another district sees none of 清城区's
    other = _client(world, "area_staff", "yingde")
    assert len(_rows(other.get("/console/rescue/exercises/", {"export": "xlsx"}))) == 1
