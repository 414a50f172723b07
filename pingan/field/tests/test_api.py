"""The field app's API: the permission matrix of every operation for every role of MATRIX_PEOPLE,
idempotency on the client token (same token twice → one row; someone else's token → 409, naming
nothing), and bad inputs named by their field."""

import base64
import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from pingan.core.models import AuditEvent, Deadline
from pingan.core.testing import MATRIX_PEOPLE
from pingan.hazards.models import HazardCase
from pingan.inspections.models import EnforcementDocument, FieldRecord, Finding, Inspection
from pingan.inspections.tests.factories import drawn_plan, registers, the_inspection
from pingan.risks.models import CheckRecord
from pingan.risks.tests.factories import chain, city_point

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]


def png(colour="black", fmt="PNG", size=(60, 30)):
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    mime = {"PNG": "image/png", "JPEG": "image/jpeg"}[fmt]
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.fixture(autouse=True)
def own_media(settings, tmp_path):
    # Photos and signatures land in a folder of this test's own: file names like check-1.png must not
    # collide with another test worker's files in the shared MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path


def client_for(world, role, area):
    c = APIClient()
    if role is not None:
        c.force_authenticate(world.user(role, area))
    return c


@pytest.fixture
def reg(world):
    return registers(world)


@pytest.fixture
def inspection(world, reg):
    return the_inspection(drawn_plan(world))


@pytest.fixture
def task(world):
    return chain(world, city_point(world))


def record_payload(inspection, reg, **over):
    present = [i.pk for i in inspection.inspectors.all()]
    now = timezone.now()
    body = {
        "client_token": str(uuid.uuid4()),
        "inspection": inspection.pk,
        "present": present,
        "representative": "王经理",
        "started_at": (now - dt.timedelta(hours=1)).isoformat(),
        "ended_at": now.isoformat(),
        "lat": 23.7,
        "lon": 113.05,
        "answers": {str(reg["item"].pk): "ok", str(reg["major_item"].pk): "fail"},
        "signatures": {f"inspector:{pk}": png() for pk in present} | {"representative": png()},
        "findings": [
            {
                "client_token": str(uuid.uuid4()),
                "item": reg["major_item"].pk,
                "description": "动火前未进行气体分析",
                "rectify_by": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
                "photos": [png("red", "JPEG", (200, 150))],
            }
        ],
    }
    return body | over


def inspector_client(world):
    return client_for(world, "inspector", "qingcheng")


# --- The permission matrix ------------------------------------------------------------------------
INSPECTS = {("inspector", "qingcheng")}
REPORTS = {("grid_worker", "qingcheng")}
# risks.record_check at all: city admin, department and area staff, grid workers, inspectors, enterprises.
CHECKS = {
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("enterprise", "qingcheng"),
    ("area_staff", "yingde"),
    ("dept_staff", "yingde"),
}


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_bundle_matrix(world, reg, inspection, task, role, area):
    r = client_for(world, role, area).get("/api/v1/field/bundle/")
    if role is None:
        assert r.status_code in (401, 403)
        return
    uses = (role, area) in INSPECTS | REPORTS | CHECKS
    assert r.status_code == (200 if uses else 403), r.content
    if not uses:
        return
    body = r.json()
    assert (body["inspections"] is not None) == ((role, area) in INSPECTS)
    assert (body["categories"] is not None) == ((role, area) in REPORTS)
    assert (body["tasks"] is not None) == ((role, area) in CHECKS)
    if (role, area) in INSPECTS:
        (mine,) = body["inspections"]
        assert mine["id"] == inspection.pk and len(mine["inspectors"]) == 2
        assert {i["code"] for i in mine["items"]} == {"HC-01", "HC-M1"}
    if (role, area) == ("area_staff", "qingcheng"):
        assert [t["id"] for t in body["tasks"]] == [task.pk]
    if (role, area) == ("area_staff", "yingde"):
        assert body["tasks"] == []  # the other district's task is not theirs to do


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_inspection_sync_matrix(world, reg, inspection, role, area):
    r = client_for(world, role, area).post(
        "/api/v1/field/inspections/", record_payload(inspection, reg), format="json"
    )
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) == ("inspector", "qingcheng"):
        assert r.status_code == 201, r.content
    else:
        assert r.status_code == 403  # the app's inspection entry is for inspectors only
    # Another district's inspector is an inspector, but the inspection is out of their scope: 404.
    other = client_for(world, "inspector", "yingde").post(
        "/api/v1/field/inspections/", record_payload(inspection, reg), format="json"
    )
    assert other.status_code in (404, 409)  # 409 once the drawn inspector recorded it above
    assert FieldRecord.objects.count() == (1 if (role, area) == ("inspector", "qingcheng") else 0)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_hazard_sync_matrix(world, role, area):
    body = {
        "client_token": str(uuid.uuid4()),
        "title": "井盖缺失",
        "category": "other",
        "lat": 23.7,
        "lon": 113.05,
    }
    r = client_for(world, role, area).post("/api/v1/field/hazards/", body, format="json")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in REPORTS:
        assert r.status_code == 201, r.content
        assert HazardCase.objects.get(pk=r.json()["id"]).source == "grid"
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_check_sync_matrix(world, task, role, area):
    body = {"client_token": str(uuid.uuid4()), "task": task.pk, "result": "ok", "answers": {}}
    r = client_for(world, role, area).post("/api/v1/field/checks/", body, format="json")
    if role is None:
        assert r.status_code in (401, 403)
    elif (role, area) in CHECKS - {
        ("area_staff", "yingde"),
        ("dept_staff", "yingde"),
        ("enterprise", "qingcheng"),
    }:
        assert r.status_code == 201, r.content
    elif (role, area) in CHECKS:
        assert r.status_code == 404  # the 清城 town's point is outside their area or enterprise
    else:
        assert r.status_code == 403


# --- The inspection record: one row per token, findings → hazard cases, documents --------------------
def test_inspection_record_twice_is_one_record(world, reg, inspection):
    c = inspector_client(world)
    payload = record_payload(inspection, reg)
    first = c.post("/api/v1/field/inspections/", payload, format="json")
    assert first.status_code == 201, first.content
    again = c.post("/api/v1/field/inspections/", payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert FieldRecord.objects.count() == 1 and Finding.objects.count() == 1
    record = FieldRecord.objects.get()
    assert record.client_token == uuid.UUID(payload["client_token"]) and record.present.count() == 2
    assert set(record.signatures) == set(payload["signatures"])
    inspection.refresh_from_db()
    assert inspection.state == "finished" and inspection.representative == "王经理"
    assert inspection.started_at == dt.datetime.fromisoformat(payload["started_at"])  # the phone's time
    finding = Finding.objects.get()
    assert str(finding.client_token) == payload["findings"][0]["client_token"] and finding.major
    case = HazardCase.objects.get(pk=finding.hazard_case_id)
    assert case.grade == "major" and case.source == "inspection" and case.photos.count() == 1
    assert Deadline.objects.filter(kind="inspections.rectify", object_id=str(finding.pk)).exists()
    kinds = set(EnforcementDocument.objects.filter(inspection=inspection).values_list("kind", flat=True))
    assert kinds == {"site_record", "rectify_order"}
    detail = first.json()["detail"]
    assert detail["findings"][0]["hazard_case_number"] == case.number
    assert {d["kind"] for d in detail["documents"]} == kinds
    assert (
        AuditEvent.objects.filter(
            action="inspections.field_record.create", object_id=str(inspection.pk)
        ).count()
        == 1
    )


def test_someone_elses_token_is_a_conflict_that_names_nothing(world, reg, inspection):
    payload = record_payload(inspection, reg)
    assert (
        inspector_client(world).post("/api/v1/field/inspections/", payload, format="json").status_code == 201
    )
    # The second drawn inspector replays the first one's token: 409, nothing of the record in the answer.
    second = APIClient()
    second.force_authenticate(reg["inspectors"]["qingcheng"][1].user)
    r = second.post("/api/v1/field/inspections/", payload, format="json")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "client_token"
    assert "id" not in r.json() and "detail" not in r.json()
    # Another district's inspector: the inspection does not exist for them.
    r = client_for(world, "inspector", "yingde").post("/api/v1/field/inspections/", payload, format="json")
    assert r.status_code == 404
    # The same token for another inspection is a conflict too.
    other_plan = drawn_plan(world, seed="seed-2")
    r = inspector_client(world).post(
        "/api/v1/field/inspections/", payload | {"inspection": the_inspection(other_plan).pk}, format="json"
    )
    assert r.status_code == 409
    assert FieldRecord.objects.count() == 1


def test_a_second_record_of_the_same_inspection_is_a_conflict(world, reg, inspection):
    c = inspector_client(world)
    assert (
        c.post("/api/v1/field/inspections/", record_payload(inspection, reg), format="json").status_code
        == 201
    )
    r = c.post("/api/v1/field/inspections/", record_payload(inspection, reg), format="json")
    assert r.status_code == 409 and FieldRecord.objects.count() == 1


def _first_error(r):
    return r.json()["errors"][0]["field"]


@pytest.mark.parametrize(
    "change,field",
    [
        (lambda p: p | {"present": p["present"][:1]}, "present"),
        (lambda p: p | {"representative": "  "}, "representative"),
        (
            lambda p: p | {"signatures": {k: v for k, v in p["signatures"].items() if k != "representative"}},
            "signatures.representative",
        ),
        (
            lambda p: p | {"signatures": p["signatures"] | {"representative": "data:image/png;base64,AAAA"}},
            "signatures.representative",
        ),
        (
            lambda p: p | {"signatures": p["signatures"] | {"representative": png(fmt="JPEG")}},
            "signatures.representative",
        ),
        (lambda p: p | {"answers": {"999999": "ok"}}, "answers.999999"),
        (lambda p: p | {"answers": {str(p["findings"][0]["item"]): "maybe"}}, None),
        (lambda p: p | {"ended_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}, "ended_at"),
        (
            lambda p: p | {"findings": [p["findings"][0] | {"rectify_by": "2020-01-01"}]},
            "findings.0.rectify_by",
        ),
        (lambda p: p | {"findings": [p["findings"][0] | {"description": " "}]}, "findings.0.description"),
        (lambda p: p | {"findings": [p["findings"][0] | {"item": 999999}]}, "findings.0.item"),
        (
            lambda p: p | {"findings": [p["findings"][0] | {"photos": ["not an image"]}]},
            "findings.0.photos.0",
        ),
        (lambda p: p | {"client_token": "not-a-uuid"}, "client_token"),
        (lambda p: p | {"started_at": "yesterday"}, "started_at"),
    ],
)
def test_bad_inputs_are_named(world, reg, inspection, change, field):
    payload = change(record_payload(inspection, reg))
    r = inspector_client(world).post("/api/v1/field/inspections/", payload, format="json")
    assert r.status_code == 400, r.content
    if field is None:  # a bad answer names the item it answers
        field = f"answers.{payload['findings'][0]['item']}"
    assert _first_error(r) == field
    assert FieldRecord.objects.count() == 0 and Finding.objects.count() == 0
    assert Inspection.objects.get(pk=inspection.pk).state == "planned"  # nothing half-written


# --- Hazard reports and risk checks --------------------------------------------------------------------
def test_hazard_report_twice_is_one_case_and_bad_inputs_are_named(world):
    c = client_for(world, "grid_worker", "qingcheng")
    body = {"client_token": str(uuid.uuid4()), "title": "井盖缺失", "category": "other", "photos": [png()]}
    first = c.post("/api/v1/field/hazards/", body, format="json")
    assert first.status_code == 201, first.content
    again = c.post("/api/v1/field/hazards/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    case = HazardCase.objects.get()
    assert case.division == world.user("grid_worker", "qingcheng").division and case.photos.count() == 1
    r = c.post(
        "/api/v1/field/hazards/",
        body | {"client_token": str(uuid.uuid4()), "category": "nope"},
        format="json",
    )
    assert r.status_code == 400 and _first_error(r) == "category"
    r = c.post(
        "/api/v1/field/hazards/", body | {"client_token": str(uuid.uuid4()), "photos": ["x"]}, format="json"
    )
    assert r.status_code == 400 and _first_error(r) == "photos.0"
    assert HazardCase.objects.count() == 1


def test_check_twice_is_one_record_and_others_token_conflicts(world, task):
    c = client_for(world, "area_staff", "qingcheng")
    body = {
        "client_token": str(uuid.uuid4()),
        "task": task.pk,
        "result": "finding",
        "note": "护栏缺失",
        "photo": png(),
    }
    first = c.post("/api/v1/field/checks/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["detail"]["hazard_case"]
    again = c.post("/api/v1/field/checks/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert CheckRecord.objects.count() == 1 and HazardCase.objects.count() == 1
    other = client_for(world, "grid_worker", "qingcheng").post("/api/v1/field/checks/", body, format="json")
    assert other.status_code == 409 and "detail" not in other.json()
    r = c.post("/api/v1/field/checks/", body | {"client_token": str(uuid.uuid4()), "note": ""}, format="json")
    assert r.status_code == 400 and _first_error(r) == "note"
    r = c.post(
        "/api/v1/field/checks/", body | {"client_token": str(uuid.uuid4()), "result": "bad"}, format="json"
    )
    assert r.status_code == 400 and _first_error(r) == "result"
    assert CheckRecord.objects.count() == 1


def test_bundle_queries_do_not_grow_with_inspections(world, reg, django_assert_max_num_queries):
    c = inspector_client(world)
    drawn_plan(world)
    with django_assert_max_num_queries(20):
        one = c.get("/api/v1/field/bundle/")
    for n in range(4):
        drawn_plan(world, seed=f"more-{n}")
    with django_assert_max_num_queries(20):
        many = c.get("/api/v1/field/bundle/")
    assert len(many.json()["inspections"]) > len(one.json()["inspections"]) >= 1
