"""Console pages: the gate (anonymous → login, refused → 403, other district → 404), offered means
allowed, and the whole workflow through the buttons."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core.testing import MATRIX_PEOPLE
from pingan.warnings.choices import State
from pingan.warnings.models import EarlyWarning

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


def client(world, role, area):
    c = Client()
    if role is not None:
        c.force_login(world.user(role, area))
    return c


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_list_and_detail_gate(world, role, area):
    w = to_state(world, "review")
    c = client(world, role, area)
    r_list, r_detail = c.get("/console/warnings/"), c.get(f"/console/warnings/{w.pk}/")
    if role is None:
        assert r_list.status_code == 302 and "/accounts/login/" in r_list["Location"]
        assert r_detail.status_code == 302
    elif role in ("enterprise", "public"):
        assert r_list.status_code == 403 and r_detail.status_code == 403
    elif (role, area) in SEES:
        assert r_list.status_code == 200 and w.headline in r_list.content.decode()
        assert r_detail.status_code == 200
        offered = 'data-testid="approve"' in r_detail.content.decode()
        assert offered == ((role, area) in {("city_admin", "city"), ("duty_leader", "qingcheng")})
    else:  # the other district
        assert r_list.status_code == 200 and w.headline not in r_list.content.decode()
        assert r_detail.status_code == 404


def test_workflow_through_the_console(world):
    officer, leader = client(world, "duty_officer", "qingcheng"), client(world, "duty_leader", "qingcheng")
    now = timezone.localtime()
    r = officer.post(
        "/console/warnings/new/",
        {
            "division": world.districts["qingcheng"].pk,
            "category": "natural",
            "event_code": "11B03",
            "colour": "blue",
            "headline": "清城区暴雨蓝色预警",
            "description": "12小时内降雨将达50毫米以上",
            "instruction": "",
            "expires": (now + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"),
            "towns": [world.towns["qingcheng"].pk],
        },
    )
    w = EarlyWarning.objects.get()
    assert r.status_code == 302 and w.areas.get().geocode == "441802006"
    assert 'data-testid="submit"' in officer.get(f"/console/warnings/{w.pk}/").content.decode()
    officer.post(f"/console/warnings/{w.pk}/submit/")
    assert 'data-testid="publish"' not in officer.get(f"/console/warnings/{w.pk}/").content.decode()
    assert officer.post(f"/console/warnings/{w.pk}/approve/").status_code == 403
    leader.post(f"/console/warnings/{w.pk}/approve/")
    officer.post(f"/console/warnings/{w.pk}/publish/")
    w.refresh_from_db()
    assert w.state == State.PUBLISHED and w.identifier
    r = officer.post(f"/console/warnings/{w.pk}/cancel/")
    cancel = EarlyWarning.objects.get(original=w)
    assert r["Location"].endswith(f"/console/warnings/{cancel.pk}/") and cancel.msg_type == "Cancel"


def test_create_form_shows_errors(world):
    c = client(world, "duty_officer", "qingcheng")
    r = c.post(
        "/console/warnings/new/",
        {
            "division": world.districts["qingcheng"].pk,
            "category": "natural",
            "event_code": "11B03",
            "colour": "blue",
            "headline": "x",
            "description": "y",
            "expires": "",
        },
    )
    assert r.status_code == 200 and not EarlyWarning.objects.exists()


def test_create_form_refused_for_readers(world):
    assert client(world, "inspector", "qingcheng").get("/console/warnings/new/").status_code == 403
    r = client(world, "inspector", "qingcheng").get("/console/warnings/")
    assert 'data-testid="new-warning"' not in r.content.decode()


def test_console_list_queries_constant(world, django_assert_max_num_queries):
    c = client(world, "duty_officer", "qingcheng")
    to_state(world, "published")
    with django_assert_max_num_queries(20) as one:
        c.get("/console/warnings/")
    for _ in range(6):
        to_state(world, "draft")
    with django_assert_max_num_queries(len(one.captured_queries)):
        c.get("/console/warnings/")


def test_api_list_queries_constant(world, django_assert_max_num_queries):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(world.user("duty_officer", "qingcheng"))
    to_state(world, "published")
    with django_assert_max_num_queries(20) as one:
        c.get("/api/v1/warnings/")
    for _ in range(6):
        to_state(world, "published")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(c.get("/api/v1/warnings/").json()["results"]) == 7


def test_edit_a_monitoring_proposal_before_submitting(world):
    from pingan.warnings import services

    w = services.propose_from_rainstorm("yellow", world.towns["qingcheng"], rain_mm=55, hours=5)
    officer = client(world, "duty_officer", "qingcheng")
    page = officer.get(f"/console/warnings/{w.pk}/").content.decode()
    assert 'data-testid="edit"' in page
    form = officer.get(f"/console/warnings/{w.pk}/edit/")
    assert form.status_code == 200
    expires = timezone.localtime(w.expires).strftime("%Y-%m-%dT%H:%M")
    r = officer.post(
        f"/console/warnings/{w.pk}/edit/",
        {
            "category": "natural",
            "event_code": "11B03",
            "colour": "yellow",
            "headline": "凤城街道暴雨黄色预警",
            "description": "核实后的预警内容",
            "instruction": "远离河道",
            "expires": expires,
            "towns": [world.towns["qingcheng"].pk],
        },
    )
    assert r.status_code == 302
    w.refresh_from_db()
    assert (w.headline, w.description, w.division) == (
        "凤城街道暴雨黄色预警",
        "核实后的预警内容",
        world.towns["qingcheng"],
    )
    assert w.created_by is None and w.source == "monitoring"
    # Readers are not offered the edit, and are refused it.
    reader = client(world, "inspector", "qingcheng")
    assert 'data-testid="edit"' not in reader.get(f"/console/warnings/{w.pk}/").content.decode()
    assert reader.get(f"/console/warnings/{w.pk}/edit/").status_code == 403
    assert client(world, "duty_officer", "yingde").get(f"/console/warnings/{w.pk}/edit/").status_code == 404
