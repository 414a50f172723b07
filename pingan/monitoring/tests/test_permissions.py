"""Role matrices of the monitoring console (each role: allowed 200, refused 403, other district 404),
"offered means allowed" on the rendered pages, the navigation, and the enterprise workspace panels."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from pingan.core.models import AuditEvent
from pingan.core.nav import nav_for
from pingan.core.testing import MATRIX_PEOPLE
from pingan.monitoring import workspace
from pingan.monitoring.ingest import Pipeline
from pingan.monitoring.models import Alarm, Sensor

from .helpers import make_plant

# Written out here rather than imported from permissions.py, so a change there must be a decision.
CONSOLE = {"city_admin", "dept_staff", "area_staff", "inspector", "duty_officer", "duty_leader"}
MANAGERS = {"city_admin", "dept_staff", "area_staff", "duty_officer", "duty_leader"}
READERS = CONSOLE | {"grid_worker", "rescue_lead", "integration", "enterprise"}
HANDLERS = READERS - {"integration"}
OPENERS = HANDLERS - {"enterprise"}


def ids(p):
    return "anonymous" if p is None else f"{p[0]}-{p[1]}"


def sees(person) -> bool:
    role, area = person
    return role != "public" and area != "yingde"


@pytest.fixture
def alarm(world):
    plant = make_plant(world)
    Pipeline().ingest_payload(
        [{"sensor": "g1", "ts": time.time() - 60, "value": 30}], device=plant.devices["QC-GAS-01"]
    )
    return plant, Alarm.objects.get()


def _client(world, person) -> Client:
    c = Client()
    if person is not None:
        c.force_login(world.user(*person))
    return c


LIST_PAGES = {
    "/console/monitoring/": CONSOLE,
    "/console/monitoring/rows/": CONSOLE,
    "/console/monitoring/map/": CONSOLE,
    "/console/monitoring/sensors/": CONSOLE,
    "/console/monitoring/devices/": MANAGERS,
    "/console/monitoring/dead-letters/": MANAGERS,
    "/console/monitoring/devices/import/": MANAGERS,
}


@pytest.mark.parametrize("person", MATRIX_PEOPLE + [None], ids=ids)
def test_console_pages_matrix(alarm, world, person):
    plant, a = alarm
    c = _client(world, person)
    for url, allowed in LIST_PAGES.items():
        r = c.get(url)
        if person is None:
            assert r.status_code == 302 and "/login" in r["Location"], url
        else:
            assert r.status_code == (200 if person[0] in allowed else 403), (url, r.status_code)
    for url in (
        f"/console/monitoring/alarms/{a.pk}/",
        f"/console/monitoring/sensors/{plant.sensors['gas'].pk}/",
    ):
        r = c.get(url)
        if person is None:
            assert r.status_code == 302
        elif person[0] not in READERS:
            assert r.status_code == 403, url
        else:
            assert r.status_code == (200 if sees(person) else 404), (url, r.status_code)


def _offered(body: str) -> set[str]:
    return {
        v
        for v in ("acknowledge", "clear", "comment", "open-case", "open-incident")
        if f'data-testid="{v}"' in body
    }


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] in READERS and sees(p)], ids=ids)
def test_alarm_page_offers_only_what_is_allowed(alarm, world, person):
    _plant, a = alarm
    c = _client(world, person)
    body = c.get(f"/console/monitoring/alarms/{a.pk}/").content.decode()
    expected = set()
    if person[0] in HANDLERS:
        expected |= {"acknowledge", "clear", "comment"}
    if person[0] in OPENERS:
        expected |= {"open-case", "open-incident"}
    assert _offered(body) == expected
    # The tabs lead only to pages the person may open.
    assert ('href="/console/monitoring/devices/import/"' in body) == (person[0] in MANAGERS)
    assert ('href="/console/monitoring/"' in body) == (person[0] in CONSOLE)


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] in READERS and sees(p)], ids=ids)
def test_offered_actions_are_not_refused(alarm, world, person):
    """Press every button the page offers: none may answer 403 or come back with "无权"."""
    _plant, a = alarm
    c = _client(world, person)
    body = c.get(f"/console/monitoring/alarms/{a.pk}/").content.decode()
    data = {"comment": {"text": "已电话核实"}, "acknowledge": {"note": ""}, "clear": {"note": "现场已处置"}}
    for verb in sorted(_offered(body)):
        r = c.post(f"/console/monitoring/alarms/{a.pk}/{verb}/", data.get(verb, {}), follow=True)
        assert r.status_code == 200, verb
        assert "无权" not in r.content.decode(), verb


def test_refused_acts_through_the_console_do_nothing(alarm, world):
    _plant, a = alarm
    c = _client(world, ("enterprise", "qingcheng"))
    r = c.post(f"/console/monitoring/alarms/{a.pk}/open-case/", follow=True)
    assert "无权由报警发起隐患或事件" in r.content.decode()
    assert not AuditEvent.objects.filter(action="monitoring.alarm.open_case").exists()
    # The other district's enterprise cannot even find the alarm.
    r = _client(world, ("enterprise", "yingde")).post(f"/console/monitoring/alarms/{a.pk}/acknowledge/")
    assert r.status_code == 404
    # A grid worker may not import devices (the refusal is at the door, before the file is read).
    assert (
        _client(world, ("grid_worker", "qingcheng")).post("/console/monitoring/devices/import/").status_code
        == 403
    )


def test_enterprise_acknowledges_its_own_alarm_with_an_audit_event(alarm, world):
    _plant, a = alarm
    user = world.user("enterprise")
    r = _client(world, ("enterprise", "qingcheng")).post(
        f"/console/monitoring/alarms/{a.pk}/acknowledge/", {"note": "现场已排查"}
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.acknowledged and a.acked_by == user
    event = AuditEvent.objects.for_object(a).get(action="monitoring.alarm.acknowledge")
    assert event.actor_id == user.pk


@pytest.mark.parametrize("person", MATRIX_PEOPLE, ids=ids)
def test_navigation(world, person):
    labels = {str(i["label"]) for g in nav_for(world.user(*person)) for i in g["items"]}
    assert ("监测报警" in labels) == (person[0] in CONSOLE)
    assert ("监测地图" in labels) == (person[0] in CONSOLE)


# --- the enterprise workspace panels ------------------------------------------------------------------
def _more(plant, n):
    dev = plant.devices["QC-GAS-01"]
    for i in range(n):
        s = Sensor.objects.create(
            device=dev,
            code=f"x{i}",
            name=f"x{i}",
            type="gas_lel",
            unit="%LEL",
            division=dev.division,
            enterprise=dev.enterprise,
            department=dev.department,
        )
        Pipeline().ingest_payload([{"sensor": s.code, "ts": time.time() - 30, "value": 60}], device=dev)


def test_workspace_panels_for_the_enterprise(alarm, world):
    from pingan.monitoring.choices import DeviceState

    plant, a = alarm
    plant.devices["QC-GAS-01"].state = DeviceState.OFFLINE
    plant.devices["QC-GAS-01"].save(update_fields=["state"])
    sensors, alarms = workspace.panels(world.user("enterprise"))
    assert sensors["count"] == 3  # its own three sensors; the stations and 英德's are not its
    assert "离线 3" in sensors["title"] and len(sensors["items"]) == 3
    assert all(item["pill"][1] == "grey" and item["url"] for item in sensors["items"])
    assert alarms["count"] == 1 and alarms["items"][0]["label"] == a.title
    assert alarms["items"][0]["when"] == a.raised_at
    # Every link of the panels opens for the enterprise user.
    c = _client(world, ("enterprise", "qingcheng"))
    for panel in (sensors, alarms):
        for item in panel["items"]:
            assert c.get(item["url"]).status_code == 200, item["url"]
    # The other enterprise sees neither.
    other_sensors, other_alarms = workspace.panels(world.user("enterprise", "yingde"))
    assert other_sensors["count"] == 1 and other_alarms["count"] == 0 and not other_alarms["items"]


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] != "enterprise"], ids=ids)
def test_workspace_panels_are_for_enterprise_users_only(world, person):
    assert workspace.panels(world.user(*person)) == []


def test_workspace_panels_take_constant_queries(alarm, world, django_assert_num_queries):
    plant, _a = alarm
    user = world.user("enterprise")
    with django_assert_num_queries(4) as one:  # sensor totals, offline sensors, alarms, their count
        workspace.panels(user)
    _more(plant, 15)
    with django_assert_num_queries(len(one.captured_queries)):
        sensors, alarms = workspace.panels(user)
    assert alarms["count"] == 16 and len(alarms["items"]) == 10


def test_workspace_hook_is_declared():
    from django.apps import apps
    from django.utils.module_loading import import_string

    assert import_string(apps.get_app_config("monitoring").workspace_panels) is workspace.panels


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


@pytest.mark.parametrize("person", [p for p in MATRIX_PEOPLE if p[0] != "public"], ids=ids)
def test_command_centre_figures_link_only_to_pages_the_person_may_open(alarm, world, person):
    from pingan.monitoring.dashboard import kpis

    user = world.user(*person)
    c = _client(world, person)
    for figure in kpis(user):
        if figure["url"] is not None:
            assert c.get(figure["url"]).status_code == 200, figure
    console, devices = (f["url"] for f in kpis(user))
    assert (console is not None) == (person[0] in CONSOLE)
    assert (devices is not None) == (person[0] in MANAGERS)


def test_linked_objects_are_links_only_for_those_who_can_see_them(alarm, world):
    from pingan.hazards.defaults import ensure_defaults
    from pingan.monitoring import actions

    ensure_defaults()
    _plant, a = alarm
    case = actions.do_open_case(world.user("duty_officer"), a)
    href = f'href="{case.get_absolute_url()}"'
    assert (
        href
        in _client(world, ("duty_officer", "qingcheng"))
        .get(f"/console/monitoring/alarms/{a.pk}/")
        .content.decode()
    )
    ent = world.user("enterprise")
    body = (
        _client(world, ("enterprise", "qingcheng"))
        .get(f"/console/monitoring/alarms/{a.pk}/")
        .content.decode()
    )
    sees_case = type(case).objects.visible_to(ent).filter(pk=case.pk).exists()
    assert (href in body) == sees_case
    assert str(case) in body  # the name is shown either way
