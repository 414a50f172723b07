"""The permission matrix: every warnings endpoint for every role of MATRIX_PEOPLE (a person of the
other district gets 404 on this district's warning, a refused one 403, anonymous 401/403)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.warnings.choices import State
from pingan.warnings.models import Subscription

from .factories import to_state

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]
SEES = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("integration", "city"),
}
STAFF = SEES | {("area_staff", "yingde"), ("dept_staff", "yingde")}
WRITERS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
}
APPROVERS = {("city_admin", "city"), ("duty_leader", "qingcheng")}
PUBLISHERS = {("city_admin", "city"), ("duty_officer", "qingcheng"), ("duty_leader", "qingcheng")}


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


def expected_on_object(role, area, allowed, ok=200):
    """The status for an operation on a 清城区 warning: anonymous 401/403, out of scope 404."""
    if role is None:
        return (401, 403)
    if (role, area) not in SEES:
        return (404,)
    return (ok,) if (role, area) in allowed else (403,)


def payload(**over):
    now = timezone.now()
    return {
        "division": "441802",
        "event_code": "11B03",
        "colour": "yellow",
        "headline": "暴雨黄色预警",
        "description": "预计6小时降雨50毫米以上",
        "expires": (now + timedelta(hours=6)).isoformat(),
    } | over


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_list(world, role, area):
    w = to_state(world, "draft")
    r = client_for(world, role, area).get("/api/v1/warnings/")
    if role is None:
        assert r.status_code in (401, 403)
        return
    if (role, area) not in STAFF:
        assert r.status_code == 403
        return
    assert r.status_code == 200
    ids = [x["id"] for x in r.json()["results"]] if "results" in r.json() else [x["id"] for x in r.json()]
    assert (w.pk in ids) == ((role, area) in SEES)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_retrieve(world, role, area):
    w = to_state(world, "draft")
    r = client_for(world, role, area).get(f"/api/v1/warnings/{w.pk}/")
    assert r.status_code in expected_on_object(role, area, SEES)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_create(world, role, area):
    r = client_for(world, role, area).post("/api/v1/warnings/", payload(), format="json")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in WRITERS:
        assert r.status_code == 201, r.json()
        assert r.json()["state"] == "draft" and r.json()["areas"][0]["division"] == "441802"
        assert AuditEvent.objects.filter(action="warnings.warning.create").count() == 1
    else:
        assert r.status_code == 403
        if role == "dept_staff":  # a writer of the other district: the field at fault is named
            assert r.json()["errors"][0]["field"] == "division"


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_patch_draft(world, role, area):
    w = to_state(world, "draft")
    r = client_for(world, role, area).patch(
        f"/api/v1/warnings/{w.pk}/", {"headline": "新标题"}, format="json"
    )
    assert r.status_code in expected_on_object(role, area, WRITERS)
    if r.status_code == 200:
        assert r.json()["headline"] == "新标题"


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_submit(world, role, area):
    w = to_state(world, "draft")
    r = client_for(world, role, area).post(f"/api/v1/warnings/{w.pk}/submit/")
    assert r.status_code in expected_on_object(role, area, WRITERS)
    w.refresh_from_db()
    assert (w.state == State.REVIEW) == (r.status_code == 200)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_approve(world, role, area):
    w = to_state(world, "review")  # yellow, written by the 清城 duty officer
    r = client_for(world, role, area).post(
        f"/api/v1/warnings/{w.pk}/approve/", {"note": "同意"}, format="json"
    )
    assert r.status_code in expected_on_object(role, area, APPROVERS)
    w.refresh_from_db()
    assert (w.state == State.APPROVED) == (r.status_code == 200)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_reject(world, role, area):
    w = to_state(world, "review")
    r = client_for(world, role, area).post(
        f"/api/v1/warnings/{w.pk}/reject/", {"note": "请补充区域"}, format="json"
    )
    assert r.status_code in expected_on_object(role, area, APPROVERS)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_publish(world, role, area):
    w = to_state(world, "approved")
    r = client_for(world, role, area).post(f"/api/v1/warnings/{w.pk}/publish/")
    assert r.status_code in expected_on_object(role, area, PUBLISHERS)
    if r.status_code == 200:
        assert r.json()["state"] == "published" and r.json()["identifier"]


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_follow_up(world, role, area):
    w = to_state(world, "published")
    r = client_for(world, role, area).post(
        f"/api/v1/warnings/{w.pk}/follow-up/", {"msg_type": "Cancel"}, format="json"
    )
    assert r.status_code in expected_on_object(role, area, WRITERS, ok=201)
    if r.status_code == 201:
        assert r.json()["msg_type"] == "Cancel" and w.identifier in r.json()["references"]


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_subscriptions(world, role, area):
    c = client_for(world, role, area)
    r = c.post("/api/v1/warning-subscriptions/", {"division": "441802006"}, format="json")
    if role is None:
        assert r.status_code in (401, 403)
        assert c.get("/api/v1/warning-subscriptions/").status_code in (401, 403)
        return
    assert r.status_code == 201, r.json()
    mine = c.get("/api/v1/warning-subscriptions/").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert r.json()["id"] in [x["id"] for x in rows]
    assert c.delete(f"/api/v1/warning-subscriptions/{r.json()['id']}/").status_code == 204


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_delete_someone_elses_subscription(world, role, area):
    sub = Subscription.objects.create(user=world.user("public", "city"), division=world.towns["qingcheng"])
    r = client_for(world, role, area).delete(f"/api/v1/warning-subscriptions/{sub.pk}/")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) == ("public", "city"):
        assert r.status_code == 204
    elif (role, area) in SEES:
        assert r.status_code == 403  # staff see who subscribed in their area, but only the owner deletes
    else:
        assert r.status_code == 404


# --- Bad inputs: 400 naming the field -------------------------------------------------------------------
@pytest.mark.parametrize(
    "over,field",
    [
        ({"expires": None}, "expires"),
        ({"event_code": "11Z99"}, "event_code"),
        ({"colour": "purple"}, "colour"),
        ({"division": "000000"}, "division"),
        ({"category": "social_security"}, "category"),
        ({"areas": [{"polygon": [[113.0, 23.6], [113.1, 23.6]]}]}, "areas[0].polygon"),
        ({"areas": [{"division": "999999999"}]}, "areas[0].division"),
    ],
)
def test_bad_input_names_the_field(world, over, field):
    data = payload(**over)
    if over.get("expires", 1) is None:
        data.pop("expires")
    r = client_for(world, "duty_officer", "qingcheng").post("/api/v1/warnings/", data, format="json")
    assert r.status_code == 400, r.json()
    assert r.json()["errors"][0]["field"] == field


def test_subscription_to_a_district_is_refused(world):
    r = client_for(world, "public", "city").post(
        "/api/v1/warning-subscriptions/", {"division": "441802"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "division"


def test_expires_in_the_past_is_400(world):
    r = client_for(world, "duty_officer", "qingcheng").post(
        "/api/v1/warnings/", payload(expires=(timezone.now() - timedelta(hours=1)).isoformat()), format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "expires"


def test_approving_a_draft_is_refused_not_a_server_error(world):
    w = to_state(world, "draft")
    r = client_for(world, "duty_leader", "qingcheng").post(f"/api/v1/warnings/{w.pk}/approve/")
    assert r.status_code == 403


def test_city_warning_is_seen_by_districts_but_written_only_by_the_city(world):
    from pingan.warnings import actions

    from .factories import content

    w = actions.do_create(world.user("city_admin", "city"), world.city, content(colour="orange"))
    c = client_for(world, "duty_officer", "yingde")
    assert c.get(f"/api/v1/warnings/{w.pk}/").status_code == 200
    assert c.post(f"/api/v1/warnings/{w.pk}/submit/").status_code == 403


def test_patch_replaces_areas_and_names_bad_ones(world):
    w = to_state(world, "draft")
    c = client_for(world, "duty_officer", "qingcheng")
    r = c.patch(
        f"/api/v1/warnings/{w.pk}/",
        {"areas": [{"area_desc": "水库下游", "circle": {"lat": 23.7, "lon": 113.05, "radius_km": 4}}]},
        format="json",
    )
    assert r.status_code == 200 and r.json()["areas"][0]["circle_radius_km"] == 4
    r = c.patch(
        f"/api/v1/warnings/{w.pk}/",
        {"areas": [{"circle": {"lat": 123, "lon": 113, "radius_km": 4}}]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "areas[0].circle"
    assert AuditEvent.objects.filter(action="warnings.warning.edit").count() == 1
