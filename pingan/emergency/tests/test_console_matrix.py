"""Role matrix of the console's roster and decision endpoints (POST), on 清城区's objects, for every
role, the other district and the city: refused → 403 (and nothing written), out of scope → 404,
allowed → done with its audit event."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.emergency import actions
from pingan.emergency.models import RotationTemplate, Shift

pytestmark = pytest.mark.django_db

PEOPLE = [*MATRIX_PEOPLE, ("duty_officer", "city"), ("duty_leader", "city"), None]
CITY_ADMIN, QC_DEPT, QC_DUTY, QC_LEADER = (
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
)
YD_DEPT, YD_AREA = ("dept_staff", "yingde"), ("area_staff", "yingde")

# (allowed, out of scope: 404); everyone else signed in: 403; anonymous: the login redirect.
EXPECT = {
    "generate": ({CITY_ADMIN, QC_DEPT, QC_LEADER}, {YD_DEPT, YD_AREA}),
    "handover": ({CITY_ADMIN, QC_DEPT, QC_DUTY, QC_LEADER}, {YD_DEPT, YD_AREA}),
    "decide": ({CITY_ADMIN, QC_DEPT, QC_LEADER}, {YD_DEPT}),
    "response": ({CITY_ADMIN, QC_DEPT, QC_LEADER, ("duty_leader", "city")}, {YD_DEPT}),
}
EVENT = {
    "generate": "emergency.rotation.generate",
    "handover": "emergency.handover.record",
    "decide": "emergency.swap.decide",
    "response": "emergency.incident.response",
}


@pytest.fixture
def objects(world, duty):
    post = duty["qingcheng"]
    officer, leader = world.user(*QC_DUTY), world.user(*QC_LEADER)
    rotation = RotationTemplate.objects.create(
        post=post,
        name="两班轮换",
        starts_on=timezone.localdate(),
        crews=[{"leader": leader.pk, "officers": [officer.pk]}],
    )
    shift = Shift.objects.get(post=post)
    swap = actions.do_request_swap(
        officer,
        shift,
        role="officer",
        from_user=officer,
        to_user=world.user("inspector", "qingcheng"),
        reason="培训",
    )
    incident = actions.do_record_incident(
        officer,
        {
            "title": "凤城街道仓库火灾",
            "occurred_at": timezone.now() - dt.timedelta(minutes=30),
            "division": world.towns["qingcheng"],
            "deaths": 1,
        },
    )
    return {
        "generate": (f"/console/emergency/rotations/{rotation.pk}/generate/", {"days": "3"}, rotation),
        "handover": (f"/console/emergency/posts/{post.pk}/handover/", {"open_matters": "河道巡查未完"}, None),
        "decide": (f"/console/emergency/swaps/{swap.pk}/decide/", {"approve": "1"}, swap),
        "response": (
            f"/console/emergency/incidents/{incident.pk}/response/",
            {"step": "activate", "level": "4"},
            incident,
        ),
    }


@pytest.mark.parametrize("key", PEOPLE)
@pytest.mark.parametrize("endpoint", sorted(EXPECT))
def test_console_post_matrix(world, objects, key, endpoint):
    url, data, _obj = objects[endpoint]
    c = Client()
    if key is not None:
        c.force_login(world.user(*key))
    before = AuditEvent.objects.filter(action=EVENT[endpoint]).count()
    r = c.post(url, data)
    allowed, hidden = EXPECT[endpoint]
    if key is None:
        assert r.status_code == 302 and "/login" in r["Location"]
    elif key in allowed:
        assert r.status_code == 302, (key, r.status_code)
    else:
        assert r.status_code == (404 if key in hidden else 403), (key, r.status_code)
    written = AuditEvent.objects.filter(action=EVENT[endpoint]).count() - before
    assert written == (1 if key in allowed else 0)
