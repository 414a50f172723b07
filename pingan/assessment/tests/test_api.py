"""The permission matrix of the assessment API: every operation for every role of MATRIX_PEOPLE
(a person of the other district gets 404 on this district's list)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.assessment import actions
from pingan.core.testing import MATRIX_PEOPLE

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]
# Desk staff who read the lists of 清城区 (grid workers and integration accounts are not desk staff).
LIST_READERS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("rescue_lead", "qingcheng"),
}
DESK = LIST_READERS | {("area_staff", "yingde"), ("dept_staff", "yingde")}
WRITERS = {("city_admin", "city"), ("area_staff", "qingcheng")}
READERS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("area_staff", "yingde"),
    ("dept_staff", "yingde"),
}
YEAR = timezone.localdate().year


def client(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


def body(world, **over):
    return {
        "year": YEAR,
        "post": "清城区副区长",
        "kind": "deputy",
        "division": "441802",
        "holder": world.user("duty_leader").pk,
        "items": ["分管领域安全监管"],
        "sign_by": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    } | over


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_lists_list_and_retrieve(world, make_list, role, area):
    lst = make_list()
    c = client(world, role, area)
    r = c.get("/api/v1/responsibility-lists/")
    one = c.get(f"/api/v1/responsibility-lists/{lst.pk}/")
    if role is None:
        assert r.status_code in (401, 403) and one.status_code in (401, 403)
        return
    if (role, area) not in DESK:
        assert r.status_code == 403
        assert one.status_code in (403, 404)
        return
    assert r.status_code == 200
    ids = [x["id"] for x in r.json()["results"]]
    if (role, area) in LIST_READERS:
        assert ids == [lst.pk] and one.status_code == 200 and one.json()["items"] == lst.items
    else:
        assert ids == [] and one.status_code == 404


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_lists_create(world, role, area):
    r = client(world, role, area).post("/api/v1/responsibility-lists/", body(world), format="json")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in WRITERS:
        assert r.status_code == 201, r.content
        assert r.json()["signed"] is False
    elif (role, area) == ("area_staff", "yingde"):
        assert r.status_code == 403 and r.json()["errors"][0]["field"] == "division"
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_lists_patch(world, make_list, role, area):
    lst = make_list()
    r = client(world, role, area).patch(
        f"/api/v1/responsibility-lists/{lst.pk}/", {"items": ["新的事项"]}, format="json"
    )
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in WRITERS:
        assert r.status_code == 200 and r.json()["items"] == ["新的事项"]
    elif (role, area) in LIST_READERS:
        assert r.status_code == 403
    else:
        assert r.status_code in (403, 404) if (role, area) not in DESK else r.status_code == 404


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_lists_sign(world, make_list, role, area):
    lst = make_list()  # held by 清城区's area staff
    r = client(world, role, area).post(f"/api/v1/responsibility-lists/{lst.pk}/sign/")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) == ("area_staff", "qingcheng"):
        assert r.status_code == 200 and r.json()["signed"] is True
        again = client(world, role, area).post(f"/api/v1/responsibility-lists/{lst.pk}/sign/")
        assert again.status_code == 403
    elif (role, area) in LIST_READERS or (role, area) == ("integration", "city"):
        assert r.status_code == 403  # they see the list (city-wide scope) but do not hold the post
    else:
        assert r.status_code == 404


def test_lists_bad_inputs(world):
    c = client(world, "city_admin", "city")
    for over, field in [
        ({"items": []}, "items"),
        ({"items": "x"}, "items"),
        ({"division": "000000"}, "division"),
        ({"holder": 2**70}, "holder"),
        ({"kind": "boss"}, "kind"),
        ({"year": 99999}, "year"),
        ({"sign_by": "2026-13-45"}, "sign_by"),
    ]:
        r = c.post("/api/v1/responsibility-lists/", body(world, **over), format="json")
        assert r.status_code == 400, (over, r.content)
        assert r.json()["errors"][0]["field"].startswith(field)


@pytest.fixture
def year(world):
    return actions.do_open(world.user("city_admin", "city"), YEAR)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_assessment_read(world, year, role, area):
    c = client(world, role, area)
    r = c.get("/api/v1/assessments/")
    one = c.get(f"/api/v1/assessments/{YEAR}/")
    if role is None:
        assert r.status_code in (401, 403)
        return
    if (role, area) not in READERS:
        assert r.status_code == 403 and one.status_code == 403
        return
    assert r.status_code == 200 and one.status_code == 200
    codes = [u["code"] for u in one.json()["results"]["kinds"]["district"]["units"]]
    if (role, area) == ("city_admin", "city"):
        assert codes == sorted(codes) or len(codes) == 2
        assert set(codes) == {"441802", "441881"}
    elif area == "yingde":
        assert codes == ["441881"]
    else:
        assert codes == ["441802"]
    assert c.get("/api/v1/assessments/1234/").status_code == 404


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_assessment_manage(world, year, role, area):
    c = client(world, role, area)
    item = year.items.get(key="manual.leadership")
    score = c.post(f"/api/v1/assessments/{YEAR}/score/", {"item": item.pk, "unit": "441802", "score": "77"})
    weights = c.post(
        f"/api/v1/assessments/{YEAR}/weights/",
        {
            "items": [
                {
                    "unit_kind": "district",
                    "source": "manual",
                    "key": "manual.leadership",
                    "label": "专题",
                    "weight": 100,
                },
                {"unit_kind": "department", "source": "duty", "key": "", "label": "责任清单", "weight": 100},
            ]
        },
        format="json",
    )
    publish = c.post(f"/api/v1/assessments/{YEAR}/publish/")
    if role is None:
        assert {score.status_code, weights.status_code, publish.status_code} <= {401, 403}
    elif (role, area) == ("city_admin", "city"):
        assert score.status_code == 200, score.content
        assert weights.status_code == 200, weights.content
        assert publish.status_code == 200 and publish.json()["state"] == "published"
        totals = publish.json()["results"]["kinds"]["district"]["units"]
        assert next(u for u in totals if u["code"] == "441802")["total"] == 77.0
        again = c.post(f"/api/v1/assessments/{YEAR}/publish/")
        assert again.status_code == 403
    else:
        assert (score.status_code, weights.status_code, publish.status_code) == (403, 403, 403)


def test_assessment_bad_inputs(world, year):
    c = client(world, "city_admin", "city")
    r = c.post(
        f"/api/v1/assessments/{YEAR}/weights/",
        {"items": [{"unit_kind": "district", "source": "manual", "key": "a", "label": "甲", "weight": 60}]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "sum"
    r = c.post(f"/api/v1/assessments/{YEAR}/score/", {"item": 1, "unit": "441802", "score": "abc"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "score"
    r = c.post(f"/api/v1/assessments/{YEAR}/score/", {"item": 2**40, "unit": "441802", "score": "5"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "item"


def test_list_queries_do_not_grow_with_rows(world, make_list, django_assert_max_num_queries):
    c = client(world, "city_admin", "city")
    make_list()
    with django_assert_max_num_queries(8):
        assert len(c.get("/api/v1/responsibility-lists/").json()["results"]) == 1
    for i in range(15):
        make_list(post=f"岗位{i}")
    with django_assert_max_num_queries(8):
        assert len(c.get("/api/v1/responsibility-lists/").json()["results"]) == 16
