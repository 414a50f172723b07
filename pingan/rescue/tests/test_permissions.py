"""Role matrices of the rescue console (each role: allowed 200, refused 403, other district 404),
"offered means allowed" on the rendered pages, and the navigation of each role."""

from __future__ import annotations

import pytest
from django.test import Client

from pingan.core.actions import Forbidden
from pingan.core.models import AuditEvent
from pingan.core.nav import nav_for
from pingan.core.testing import MATRIX_PEOPLE
from pingan.rescue import actions
from pingan.rescue.models import Mobilisation, Team

from .helpers import activate_small_network

# Written out here rather than imported from permissions.py, so a change there must be a decision.
STAFF = {
    "city_admin",
    "dept_staff",
    "area_staff",
    "grid_worker",
    "inspector",
    "duty_officer",
    "duty_leader",
    "rescue_lead",
    "integration",
}
DISPATCHERS = {"city_admin", "dept_staff", "duty_officer", "duty_leader"}
TEAM_ROLES = DISPATCHERS | {"rescue_lead"}
ANALYSTS = {"city_admin", "dept_staff", "area_staff", "duty_leader"}
IMPORTERS = {"city_admin", "dept_staff"}
IN_AREA = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
}


def ids(p):
    return "anonymous" if p is None else f"{p[0]}-{p[1]}"


@pytest.fixture
def rescue(world):
    qc = world.districts["qingcheng"]
    activate_small_network()
    team = Team.objects.create(
        code="T1",
        name="清城消防救援队",
        kind="fire",
        division=qc,
        lat=23.70,
        lon=113.10,
        headcount=50,
        capabilities=["fire"],
        department=world.departments["qc_fire"],
    )
    mob = Mobilisation.objects.create(team=team, division=qc, title="测试事件", lat=23.71, lon=113.11)
    return {"team": team, "mobilisation": mob}


def _client(world, person) -> Client:
    c = Client()
    if person is not None:
        c.force_login(world.user(*person))
    return c


PAGES = {
    "/console/rescue/": STAFF,
    "/console/rescue/mobilisations/": STAFF,
    "/console/rescue/exercises/": STAFF,
    "/console/rescue/resources/": STAFF,
    "/console/rescue/teams.geojson": STAFF,
    "/console/rescue/dispatch/": DISPATCHERS,
    "/console/rescue/coverage/": ANALYSTS,
    "/console/rescue/siting/": ANALYSTS,
    "/console/rescue/networks/": ANALYSTS,
    "/console/rescue/import/": IMPORTERS,
}


@pytest.mark.parametrize("person", MATRIX_PEOPLE + [None], ids=ids)
def test_console_pages_matrix(rescue, world, person):
    c = _client(world, person)
    for url, allowed in PAGES.items():
        r = c.get(url)
        if person is None:
            assert r.status_code == 302 and "/login" in r["Location"], url
        else:
            assert r.status_code == (200 if person[0] in allowed else 403), (url, r.status_code)
    r = c.get(f"/console/rescue/mobilisations/{rescue['mobilisation'].pk}/")
    if person is None:
        assert r.status_code == 302
    elif person[0] not in STAFF:
        assert r.status_code == 403
    else:
        assert r.status_code == (200 if person in IN_AREA else 404)


@pytest.mark.parametrize("person", sorted(IN_AREA), ids=ids)
def test_mobilisation_page_offers_transitions_only_to_those_who_may(rescue, world, person):
    c = _client(world, person)
    url = f"/console/rescue/mobilisations/{rescue['mobilisation'].pk}/"
    body = c.get(url).content.decode()
    offered = 'name="state" value="assigned"' in body
    assert offered == (person[0] in TEAM_ROLES)
    if offered:  # and pressing it works
        c.post(url, {"state": "assigned"})
        rescue["mobilisation"].refresh_from_db()
        assert rescue["mobilisation"].state == "assigned"
        assert AuditEvent.objects.filter(action="rescue.mobilisation.assigned").exists()
    else:
        r = c.post(url, {"state": "assigned"}, follow=True)
        assert "无权变更队伍调用状态" in r.content.decode()
        rescue["mobilisation"].refresh_from_db()
        assert rescue["mobilisation"].state == "requested"


def test_rescue_lead_moves_only_the_mobilisations_of_teams_of_their_area(rescue, world):
    """A mobilisation in 清城区 of 英德's team: the 清城 team leader sees it (its place is theirs) but
    may not move another district's team on; 英德's leader may."""
    yd = world.districts["yingde"]
    team = Team.objects.create(
        code="T2",
        name="英德防汛队",
        kind="flood",
        division=yd,
        lat=24.2,
        lon=113.4,
        department=world.departments["yd_fire"],
    )
    mob = Mobilisation.objects.create(
        team=team, division=world.districts["qingcheng"], title="跨区支援", lat=23.71, lon=113.11
    )
    with pytest.raises(Forbidden):
        actions.do_transition(world.user("rescue_lead"), mob, "assigned")
    body = (
        _client(world, ("rescue_lead", "qingcheng"))
        .get(f"/console/rescue/mobilisations/{mob.pk}/")
        .content.decode()
    )
    assert 'name="state"' not in body
    assert actions.do_transition(world.user("rescue_lead", "yingde"), mob, "assigned").state == "assigned"


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] in DISPATCHERS], ids=ids)
def test_dispatch_offers_the_request_to_dispatchers_and_it_is_accepted(rescue, world, person):
    c = _client(world, person)
    body = c.get("/console/rescue/dispatch/?lat=23.7&lon=113.1&cap=fire&title=x").content.decode()
    assert 'data-testid="request-1"' in body
    r = c.post(
        "/console/rescue/dispatch/request/",
        {
            "team": rescue["team"].pk,
            "title": f"火灾 {person[0]}",
            "lat": 23.72,
            "lon": 113.12,
            "cap": ["fire"],
        },
    )
    assert r.status_code == 302 and "/mobilisations/" in r["Location"]
    assert AuditEvent.objects.filter(action="rescue.mobilisation.request").exists()


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] not in DISPATCHERS], ids=ids)
def test_request_is_refused_to_others(rescue, world, person):
    r = _client(world, person).post(
        "/console/rescue/dispatch/request/",
        {"team": rescue["team"].pk, "title": "x", "lat": 23.72, "lon": 113.12},
    )
    assert r.status_code == 403
    assert not Mobilisation.objects.filter(title="x").exists()


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] in ANALYSTS], ids=ids)
def test_analysis_and_network_forms_offered_only_when_allowed(rescue, world, person):
    c = _client(world, person)
    assert 'data-testid="coverage-form"' in c.get("/console/rescue/coverage/").content.decode()
    assert 'data-testid="siting-form"' in c.get("/console/rescue/siting/").content.decode()
    network_form = 'data-testid="network-form"' in c.get("/console/rescue/networks/").content.decode()
    assert network_form == (person[0] == "city_admin")
    if not network_form:
        r = c.post("/console/rescue/networks/", {"synthetic": "1"}, follow=True)
        assert "只有市级管理员可以导入路网" in r.content.decode()
        assert not AuditEvent.objects.filter(action="rescue.network.synthetic").exists()


@pytest.mark.parametrize("person", MATRIX_PEOPLE, ids=ids)
def test_tabs_link_only_to_pages_the_person_may_open(rescue, world, person):
    if person[0] not in STAFF:
        return
    body = _client(world, person).get("/console/rescue/").content.decode()
    for url, allowed in PAGES.items():
        if url.endswith(".geojson") or url == "/console/rescue/":
            continue
        if f'href="{url}"' in body:  # offered means allowed (a page may be allowed yet not in the tabs)
            assert person[0] in allowed, url
        elif url != "/console/rescue/mobilisations/":
            assert person[0] not in allowed, url


NAV = {
    # In the menu for desk staff: a grid worker's menu keeps to its job, machines have none.
    "救援队伍": STAFF - {"grid_worker", "integration"},
    "调度推荐": DISPATCHERS,
    "队伍调用": TEAM_ROLES,
    "演练培训": TEAM_ROLES,
    "覆盖分析": ANALYSTS,
    "站点选址": ANALYSTS,
}


@pytest.mark.parametrize("person", MATRIX_PEOPLE, ids=ids)
def test_navigation(world, person):
    groups = [g for g in nav_for(world.user(*person)) if str(g["label"]) == "救援力量"]
    labels = {str(i["label"]) for g in groups for i in g["items"]}
    for label, roles in NAV.items():
        assert (label in labels) == (person[0] in roles), label
    if person[0] == "rescue_lead":  # a team leader sees its team, mobilisations and drills — not the analyses
        assert labels == {"救援队伍", "队伍调用", "演练培训"}


def test_an_incident_of_another_district_is_not_found(rescue, world):
    """Requesting a team for an incident the person cannot see answers 404 (console and API) and
    writes nothing — the incident is looked up through the emergency module's visible_incidents."""
    from django.utils import timezone
    from rest_framework.test import APIClient

    from pingan.emergency.models import Incident

    inc = Incident.objects.create(
        number="SJ-TEST-1",
        title="英德事件",
        occurred_at=timezone.now(),
        division=world.districts["yingde"],
        lat=24.2,
        lon=113.4,
    )
    c = _client(world, ("duty_officer", "qingcheng"))
    assert c.get(f"/console/rescue/dispatch/?incident={inc.pk}").status_code == 404
    r = c.post(
        "/console/rescue/dispatch/request/",
        {"team": rescue["team"].pk, "title": "x", "lat": 23.72, "lon": 113.12, "incident": inc.pk},
    )
    assert r.status_code == 404
    api = APIClient()
    api.force_authenticate(world.user("duty_officer"))
    r = api.post(
        "/api/v1/rescue/mobilisations/",
        {"team": rescue["team"].pk, "title": "x", "lat": 23.72, "lon": 113.12, "incident": inc.pk},
        format="json",
    )
    assert r.status_code == 404
    assert not Mobilisation.objects.filter(title="x").exists()
    # 英德's duty officer sees it and the dispatch page is filled from it.
    body = _client(world, ("duty_officer", "yingde")).get(f"/console/rescue/dispatch/?incident={inc.pk}")
    assert body.status_code == 200 and "英德事件" in body.content.decode()


def test_no_role_literals_outside_permissions():
    """Who may do what is decided in permissions.py only: actions, views, the API and templates never
    name a role (as a string or a Role member) nor compare user.role."""
    import re
    from pathlib import Path

    from pingan.org.choices import Role

    app = Path(__file__).resolve().parents[1]
    files = [
        app / "actions.py",
        app / "views.py",
        *sorted((app / "api").glob("*.py")),
        *sorted((app / "templates").rglob("*.html")),
    ]
    # "enterprise" and "public" are also field names and words: for them only a comparison counts.
    names = [v for v in Role.values if v not in ("enterprise", "public")]
    literal = re.compile(r"""["']({})["']|(==|!=)\s*["'](enterprise|public)["']""".format("|".join(names)))
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in (literal, re.compile(r"\.role\b"), re.compile(r"\bRole\.")):
            found += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not found, found


CONSOLE_LISTS = [
    "/console/rescue/",
    "/console/rescue/mobilisations/",
    "/console/rescue/exercises/",
    "/console/rescue/resources/",
    "/console/rescue/teams.geojson",
    "/console/rescue/coverage/",
    "/console/rescue/siting/",
    "/console/rescue/networks/",
]


def test_console_lists_take_the_same_queries_for_one_row_and_many(rescue, world):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pingan.rescue.models import Exercise, Expert, Shelter

    c = _client(world, ("city_admin", "city"))
    qc = world.districts["qingcheng"]

    def counts() -> dict[str, int]:
        out = {}
        for url in CONSOLE_LISTS:
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200, url
            out[url] = len(ctx.captured_queries)
        return out

    Exercise.objects.create(kind="drill", title="演练 0", date=datetime.date(2026, 5, 1), division=qc)
    one = counts()
    for i in range(1, 15):
        team = Team.objects.create(code=f"M{i}", name=f"队{i}", kind="fire", division=qc, lat=23.7, lon=113.1)
        Mobilisation.objects.create(team=team, division=qc, title=f"事件{i}", lat=23.7, lon=113.1)
        Exercise.objects.create(
            kind="training", title=f"培训{i}", date=datetime.date(2026, 5, 2), division=qc
        )
        Expert.objects.create(name=f"专家{i}", specialties=["hazchem"], division=qc, lat=23.7, lon=113.1)
        Shelter.objects.create(name=f"场所{i}", division=qc, lat=23.7, lon=113.1, capacity=100)
    assert counts() == one
