"""Permission matrix: every endpoint for every role in MATRIX_PEOPLE (the other district gets 404),
bad inputs that name the field, and constant query counts of the lists."""

import time

import pytest

from pingan.core.testing import MATRIX_PEOPLE
from pingan.monitoring.ingest import Pipeline
from pingan.monitoring.models import Alarm, DeadLetter

from .helpers import make_plant

PEOPLE = MATRIX_PEOPLE + [None]  # None: anonymous
DENIED = {401, 403}
MANAGERS = {"city_admin", "dept_staff", "area_staff", "duty_officer", "duty_leader"}
# Who reads monitoring objects at all (public citizens are refused; visible_to scopes the rest).
READERS = {
    "city_admin",
    "dept_staff",
    "area_staff",
    "grid_worker",
    "inspector",
    "duty_officer",
    "duty_leader",
    "enterprise",
    "rescue_lead",
    "integration",
}


def ids(p):
    return "anonymous" if p is None else f"{p[0]}-{p[1]}"


def sees(person) -> bool:
    """Who sees 清城区's monitoring objects: its people, the city's, the enterprise's own users."""
    role, area = person
    return role != "public" and area != "yingde"


@pytest.fixture
def setup(world):
    plant = make_plant(world)
    Pipeline().ingest_payload(
        [{"sensor": "g1", "ts": time.time() - 60, "value": 30}], device=plant.devices["QC-GAS-01"]
    )
    Pipeline().ingest_payload(b"{bad", device=plant.devices["QC-GAS-01"])
    from pingan.hazards.defaults import ensure_defaults

    ensure_defaults()
    return plant, Alarm.objects.get(), DeadLetter.objects.get()


def client(login_api, person):
    return login_api(None) if person is None else login_api(person[0], person[1])


def expect_read(person, code_visible=200):
    if person is None:
        return DENIED
    return {code_visible} if sees(person) else {404}


@pytest.mark.parametrize("person", PEOPLE, ids=ids)
def test_lists(setup, login_api, person):
    plant, alarm, letter = setup
    api = client(login_api, person)
    for url, obj_id in (
        ("/api/v1/alarms/", alarm.pk),
        ("/api/v1/devices/", plant.devices["QC-GAS-01"].pk),
        ("/api/v1/sensors/", plant.sensors["gas"].pk),
        ("/api/v1/dead-letters/", letter.pk),
    ):
        r = api.get(url)
        if person is None:
            assert r.status_code in DENIED
            continue
        allowed = MANAGERS if "dead-letters" in url else READERS
        if person[0] not in allowed:
            assert r.status_code == 403, (url, r.content)
            continue
        assert r.status_code == 200, (url, r.content)
        got = {row["id"] for row in r.json()["results"]}
        assert (obj_id in got) == sees(person), url
    r = api.get("/api/v1/sensors/geojson/")
    if person is not None and person[0] not in READERS:
        assert r.status_code == 403
        assert api.get("/api/v1/alarms/summary/").status_code == 403
    elif person is not None:
        assert r.status_code == 200
        ids_ = {f["properties"]["id"] for f in r.json()["features"]}
        assert (plant.sensors["gas"].pk in ids_) == sees(person)
        summary = api.get("/api/v1/alarms/summary/").json()
        assert summary.get("active_unack", 0) == (1 if sees(person) else 0)
    else:
        assert r.status_code in DENIED


@pytest.mark.parametrize("person", PEOPLE, ids=ids)
def test_details(setup, login_api, person):
    plant, alarm, letter = setup
    api = client(login_api, person)
    for url in (
        f"/api/v1/alarms/{alarm.pk}/",
        f"/api/v1/devices/{plant.devices['QC-GAS-01'].pk}/",
        f"/api/v1/sensors/{plant.sensors['gas'].pk}/",
        f"/api/v1/sensors/{plant.sensors['gas'].pk}/readings/",
        f"/api/v1/alarms/{alarm.pk}/comments/",
        f"/api/v1/alarms/{alarm.pk}/links/",
    ):
        assert api.get(url).status_code in expect_read(person), url
    # The dead-letter table is for the people who administer devices; others who see it are refused.
    r = api.get(f"/api/v1/dead-letters/{letter.pk}/")
    if person is not None and sees(person) and person[0] not in MANAGERS:
        assert r.status_code == 403
    else:
        assert r.status_code in expect_read(person)


@pytest.mark.parametrize("person", PEOPLE, ids=ids)
@pytest.mark.parametrize(
    "verb,body",
    [("acknowledge", {}), ("clear", {"note": "现场已处置"}), ("comments", {"text": "已电话联系企业"})],
)
def test_handle_alarm(setup, login_api, person, verb, body):
    _plant, alarm, _letter = setup
    r = client(login_api, person).post(f"/api/v1/alarms/{alarm.pk}/{verb}/", body, format="json")
    if person is None:
        assert r.status_code in DENIED
    elif not sees(person):
        assert r.status_code == 404
    elif person[0] == "integration":
        assert r.status_code == 403
    else:
        assert r.status_code == (201 if verb == "comments" else 200), r.content


@pytest.mark.parametrize("person", PEOPLE, ids=ids)
@pytest.mark.parametrize("verb", ["open-case", "open-incident"])
def test_open_from_alarm(setup, login_api, person, verb):
    _plant, alarm, _letter = setup
    r = client(login_api, person).post(f"/api/v1/alarms/{alarm.pk}/{verb}/", {}, format="json")
    if person is None:
        assert r.status_code in DENIED
    elif not sees(person):
        assert r.status_code == 404
    elif person[0] in ("integration", "enterprise"):
        assert r.status_code == 403
    else:
        assert r.status_code == 201, r.content
        assert r.json()["model"] == ("hazards.hazardcase" if verb == "open-case" else "emergency.incident")


@pytest.mark.parametrize("person", PEOPLE, ids=ids)
def test_rotate_token(setup, login_api, person):
    plant, _alarm, _letter = setup
    r = client(login_api, person).post(f"/api/v1/devices/{plant.devices['QC-GAS-01'].pk}/rotate-token/")
    if person is None:
        assert r.status_code in DENIED
    elif not sees(person):
        assert r.status_code == 404
    elif person[0] in MANAGERS:
        assert r.status_code == 200 and len(r.json()["token"]) > 30
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("person", PEOPLE, ids=ids)
def test_ingest_needs_a_device_token_not_a_person(setup, login_api, person):
    r = client(login_api, person).post(
        "/api/v1/ingest/readings/", [{"sensor": "g1", "value": 1}], format="json"
    )
    assert r.status_code == 401


def test_bad_inputs_name_the_field(setup, login_api):
    plant, alarm, _letter = setup
    api = login_api("duty_officer")
    r = api.post(f"/api/v1/alarms/{alarm.pk}/comments/", {"text": ""}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "text"
    r = api.post(f"/api/v1/alarms/{alarm.pk}/clear/", {}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "note"
    r = api.get(f"/api/v1/sensors/{plant.sensors['gas'].pk}/readings/?hours=100000")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "hours"
    api.post(f"/api/v1/alarms/{alarm.pk}/acknowledge/", {}, format="json")
    r = api.post(f"/api/v1/alarms/{alarm.pk}/acknowledge/", {}, format="json")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "state"


def _more_alarms(plant, n):
    from pingan.monitoring.models import Sensor

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


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/alarms/",
        "/api/v1/sensors/",
        "/api/v1/devices/",
        "/api/v1/dead-letters/",
        "/api/v1/sensors/geojson/",
    ],
)
def test_lists_take_constant_queries(setup, login_api, django_assert_max_num_queries, url):
    plant, _a, _l = setup
    api = login_api("area_staff")
    with django_assert_max_num_queries(8):
        assert api.get(url).status_code == 200
    _more_alarms(plant, 12)
    with django_assert_max_num_queries(8):
        assert api.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/console/monitoring/",
        "/console/monitoring/rows/",
        "/console/monitoring/sensors/",
        "/console/monitoring/devices/",
        "/console/monitoring/dead-letters/",
        "/console/monitoring/map/",
    ],
)
def test_pages_take_constant_queries(setup, client, world, django_assert_max_num_queries, url):
    plant, _a, _l = setup
    client.force_login(world.user("area_staff"))
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    _more_alarms(plant, 12)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_pages_of_one_alarm_and_sensor(setup, client, world):
    plant, alarm, _l = setup
    client.force_login(world.user("area_staff"))
    assert client.get(f"/console/monitoring/alarms/{alarm.pk}/").status_code == 200
    assert client.get(f"/console/monitoring/sensors/{plant.sensors['gas'].pk}/").status_code == 200
    client.force_login(world.user("area_staff", "yingde"))
    assert client.get(f"/console/monitoring/alarms/{alarm.pk}/").status_code == 404
    assert client.get(f"/console/monitoring/sensors/{plant.sensors['gas'].pk}/").status_code == 404
    client.force_login(world.user("public", "city"))
    assert client.get("/console/monitoring/").status_code == 403
