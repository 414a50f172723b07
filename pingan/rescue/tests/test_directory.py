"""Editing the rescue directory in the console: who may (each role), validation naming the field,
audit, readiness, stock movements with low-stock warnings, drills recorded with photos, experts by
travel time and the public shelters' map with "nearest to me"."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from pingan.core.actions import Conflict, Forbidden
from pingan.core.models import AuditEvent
from pingan.core.testing import MATRIX_PEOPLE
from pingan.rescue import actions, engine
from pingan.rescue.models import Exercise, Expert, Member, Shelter, StockItem, StockMovement, Team, Warehouse

from .helpers import activate_small_network
from .test_permissions import IN_AREA, STAFF, ids

# Written out here rather than imported from permissions.py, so a change there must be a decision.
KEEPERS = {"city_admin", "dept_staff"}
READINESS = {"city_admin", "dept_staff", "duty_officer", "duty_leader", "rescue_lead"}
RECORDERS = {"city_admin", "dept_staff", "area_staff", "rescue_lead"}


@pytest.fixture
def setup(world):
    qc = world.districts["qingcheng"]
    team = Team.objects.create(
        code="T1", name="清城消防救援队", kind="fire", division=qc, lat=23.70, lon=113.10, headcount=50,
        capabilities=["fire"], department=world.departments["qc_fire"],
    )  # fmt: skip
    wh = Warehouse.objects.create(name="清城物资库", division=qc, lat=23.7, lon=113.1)
    item = StockItem.objects.create(warehouse=wh, name="救生衣", unit="件", quantity=100, min_quantity=30)
    shelter = Shelter.objects.create(name="清城广场", division=qc, lat=23.7, lon=113.1, capacity=300)
    return {"team": team, "warehouse": wh, "item": item, "qc": qc, "shelter": shelter}


def _client(world, person) -> Client:
    c = Client()
    if person is not None:
        c.force_login(world.user(*person))
    return c


@pytest.mark.parametrize("person", MATRIX_PEOPLE, ids=ids)
def test_edit_pages_matrix_and_offers(setup, world, person):
    """Each role: the create/edit pages answer 200 only to those who may (403 otherwise), and the
    pages offer the buttons exactly then."""
    c = _client(world, person)
    team, wh = setup["team"], setup["warehouse"]
    role = person[0]
    staff = role in STAFF
    keeper = role in KEEPERS
    keeps_it = keeper and person in IN_AREA  # a keeper of another district may not edit 清城's records
    leads_it = role == "rescue_lead" and person in IN_AREA
    expect = {
        "/console/rescue/edit/team/new/": keeper,
        "/console/rescue/edit/expert/new/": keeper,
        "/console/rescue/edit/shelter/new/": keeper,
        "/console/rescue/edit/warehouse/new/": keeper,
        f"/console/rescue/edit/team/{team.pk}/": keeps_it or leads_it,
        f"/console/rescue/edit/warehouse/{wh.pk}/": keeps_it,
        f"/console/rescue/teams/{team.pk}/member/new/": keeps_it or leads_it,
        f"/console/rescue/teams/{team.pk}/equipment/new/": keeps_it or leads_it,
        f"/console/rescue/warehouses/{wh.pk}/items/new/": keeps_it,
        "/console/rescue/exercises/new/": role in RECORDERS,
    }
    for url, ok in expect.items():
        assert c.get(url).status_code == (200 if ok else 403), (url, person)
    if not staff:
        return
    body = c.get(f"/console/rescue/teams/{team.pk}/").content.decode()
    assert ('data-testid="edit-team"' in body) == (keeps_it or leads_it)
    assert ('data-testid="readiness-form"' in body) == (
        role in READINESS and (role != "rescue_lead" or leads_it)
    )
    body = c.get(f"/console/rescue/warehouses/{wh.pk}/").content.decode()
    assert (f'data-testid="move-{setup["item"].pk}"' in body) == keeps_it
    assert ('data-testid="add-item"' in body) == keeps_it
    body = c.get("/console/rescue/exercises/").content.decode()
    assert ('data-testid="record-exercise"' in body) == (role in RECORDERS)
    body = c.get("/console/rescue/resources/").content.decode()
    assert (f"/edit/shelter/{setup['shelter'].pk}/" in body) == keeps_it
    assert ('data-testid="add-expert"' in body) == keeper


def test_team_created_and_edited_with_field_errors_and_audit(setup, world):
    c = _client(world, ("dept_staff", "qingcheng"))
    qc = setup["qc"]
    data = {
        "code": "T9",
        "name": "",
        "kind": "fire",
        "division": qc.pk,
        "lat": 23.7,
        "lon": 113.1,
        "headcount": 5,
    }
    r = c.post("/console/rescue/edit/team/new/", data)
    assert r.status_code == 400
    body = r.content.decode()
    assert 'data-testid="form-errors"' in body and "队伍名称" in body
    r = c.post("/console/rescue/edit/team/new/", data | {"name": "新队", "capabilities": ["fire", "water"]})
    assert r.status_code == 302, r.content.decode()[r.content.decode().find("errorlist") - 300 :][:800]
    team = Team.objects.get(code="T9")
    assert r.status_code == 302 and team.capabilities == ["fire", "water"]
    assert AuditEvent.objects.filter(action="rescue.team.create", object_id=str(team.pk)).exists()
    r = c.post(f"/console/rescue/edit/team/{team.pk}/", data | {"name": "新队二", "lat": 123})
    assert r.status_code == 400 and "纬度" in r.content.decode()
    c.post(f"/console/rescue/edit/team/{team.pk}/", data | {"name": "新队二"})
    ev = AuditEvent.objects.get(action="rescue.team.update", object_id=str(team.pk))
    assert ev.before["name"] == "新队" and ev.after["name"] == "新队二"


def test_rescue_lead_keeps_own_team_members_but_not_another_districts(setup, world):
    team = setup["team"]
    c = _client(world, ("rescue_lead", "qingcheng"))
    r = c.post(
        f"/console/rescue/teams/{team.pk}/member/new/",
        {"name": "张三", "phone": "13800000000", "is_active": "on"},
    )
    assert r.status_code == 302 and Member.objects.filter(team=team, name="张三").exists()
    assert AuditEvent.objects.filter(action="rescue.member.create").exists()
    yd_team = Team.objects.create(
        code="T2", name="英德防汛队", kind="flood", division=world.districts["yingde"], lat=24.2, lon=113.4
    )
    assert c.get(f"/console/rescue/teams/{yd_team.pk}/member/new/").status_code == 403
    assert c.post(f"/console/rescue/edit/team/{yd_team.pk}/", {"name": "x"}).status_code == 403


def test_readiness_transitions(setup, world):
    """ready → unavailable (a reason is required) → ready; busy refuses; another area's lead may not."""
    team, lead = setup["team"], world.user("rescue_lead", "qingcheng")
    with pytest.raises(actions.ActionError) as exc:
        actions.do_set_readiness(lead, team, "unavailable")
    assert exc.value.field == "note"
    with pytest.raises(actions.ActionError) as exc:
        actions.do_set_readiness(lead, team, "busy", note="x")
    assert exc.value.field == "status"
    c = _client(world, ("rescue_lead", "qingcheng"))
    r = c.post(f"/console/rescue/teams/{team.pk}/readiness/", {"status": "unavailable", "note": "车辆检修"})
    assert r.status_code == 302
    team.refresh_from_db()
    assert team.status == "unavailable"
    ev = AuditEvent.objects.get(action="rescue.team.readiness")
    assert (
        ev.before == {"status": "ready"} and ev.after == {"status": "unavailable"} and ev.note == "车辆检修"
    )
    actions.do_set_readiness(lead, team, "ready")
    team.refresh_from_db()
    assert team.status == "ready"
    team.status = "busy"
    team.save()
    with pytest.raises(Conflict):
        actions.do_set_readiness(lead, team, "unavailable", note="x")
    with pytest.raises(Forbidden):
        actions.do_set_readiness(world.user("rescue_lead", "yingde"), team, "ready")
    # The edit form never changes readiness behind the action's back.
    team.status = "ready"
    team.save()
    team.name, team.status = "改名", "unavailable"
    actions.do_save(world.user("dept_staff"), team)
    team.refresh_from_db()
    assert team.name == "改名" and team.status == "ready"


def test_stock_issue_return_restock_and_low_stock_warning(setup, world):
    from pingan.notify.models import Message

    item, c = setup["item"], _client(world, ("dept_staff", "qingcheng"))
    url = f"/console/rescue/stock/{item.pk}/move/"
    c.post(url, {"kind": "issue", "quantity": 60, "note": "防汛"})
    c.post(url, {"kind": "return", "quantity": 5})
    item.refresh_from_db()
    assert item.quantity == 45 and not item.is_low
    r = c.post(url, {"kind": "issue", "quantity": 500}, follow=True)
    assert "库存不足" in r.content.decode()
    with pytest.raises(actions.ActionError) as exc:
        actions.do_move_stock(world.user("dept_staff"), item, "issue", 500)
    assert exc.value.field == "quantity"
    c.post(url, {"kind": "issue", "quantity": 20})
    item.refresh_from_db()
    assert item.quantity == 25 and item.is_low
    assert Message.objects.filter(title__contains="库存低于下限").exists()
    body = c.get("/console/rescue/resources/").content.decode()
    assert 'data-testid="low-stock-warning"' in body
    assert (
        'data-testid="low-stock"'
        in c.get(f"/console/rescue/warehouses/{setup['warehouse'].pk}/").content.decode()
    )
    c.post(url, {"kind": "restock", "quantity": 75})
    item.refresh_from_db()
    assert item.quantity == 100
    assert list(StockMovement.objects.order_by("id").values_list("kind", "balance")) == [
        ("issue", 40), ("return", 45), ("issue", 25), ("restock", 100)
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action__startswith="rescue.stock.").count() == 4
    r = _client(world, ("rescue_lead", "qingcheng")).post(url, {"kind": "issue", "quantity": 1})
    assert r.status_code == 403


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("drill.png", buf.getvalue(), content_type="image/png")


def test_drill_recorded_with_teams_photos_and_field_errors(setup, world):
    c = _client(world, ("area_staff", "qingcheng"))
    base = {
        "kind": "drill",
        "title": "汛期抢险演练",
        "date": timezone.localdate().isoformat(),
        "division": setup["qc"].pk,
        "teams": [setup["team"].pk],
        "participants": 40,
        "evaluation": "响应迅速",
        "score": 88,
    }
    r = c.post("/console/rescue/exercises/new/", base | {"participants": 0, "score": 120})
    assert r.status_code == 400
    body = r.content.decode()
    assert "参加人数" in body and "评分为 0–100" in body
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = c.post("/console/rescue/exercises/new/", base | {"date": tomorrow})
    assert r.status_code == 400 and "日期不能晚于今天" in r.content.decode()
    r = c.post("/console/rescue/exercises/new/", base | {"photos": [_png(), _png()]})
    assert r.status_code == 302, r.content.decode()[r.content.decode().find("errorlist") - 300 :][:600]
    ex = Exercise.objects.get(title="汛期抢险演练")
    assert list(ex.teams.all()) == [setup["team"]] and ex.photos.count() == 2 and ex.recorded_by is not None
    assert AuditEvent.objects.filter(action="rescue.exercise.record", object_id=str(ex.pk)).exists()
    body = c.get(f"/console/rescue/exercises/{ex.pk}/").content.decode()
    assert "响应迅速" in body and body.count("<img") == 2
    # 英德's staff cannot record in 清城 (the division is not offered) nor open the record.
    other = _client(world, ("area_staff", "yingde"))
    r = other.post("/console/rescue/exercises/new/", base | {"title": "越区"})
    assert r.status_code == 400 and not Exercise.objects.filter(title="越区").exists()
    assert other.get(f"/console/rescue/exercises/{ex.pk}/edit/").status_code == 404
    with pytest.raises(actions.ActionError) as exc:
        actions.do_record_exercise(
            world.user("area_staff", "yingde"),
            Exercise(
                kind="drill", title="x", date=timezone.localdate(), division=setup["qc"], participants=1
            ),
            [],
        )
    assert exc.value.field == "division"


def test_expert_and_shelter_forms_name_the_field(setup, world):
    c = _client(world, ("city_admin", "city"))
    r = c.post("/console/rescue/edit/expert/new/", {"name": "李工", "division": setup["qc"].pk})
    assert r.status_code == 400 and "专业领域" in r.content.decode()
    c.post(
        "/console/rescue/edit/expert/new/",
        {"name": "李工", "division": setup["qc"].pk, "specialties": ["flood"], "available": "on"},
    )
    assert Expert.objects.filter(name="李工", specialties=["flood"]).exists()
    r = c.post(
        "/console/rescue/edit/shelter/new/",
        {"name": "广场", "division": setup["qc"].pk, "lat": 23.7, "lon": 113.1},
    )
    assert r.status_code == 400 and "容纳人数" in r.content.decode()
    c.post(
        "/console/rescue/edit/shelter/new/",
        {"name": "广场", "division": setup["qc"].pk, "lat": 23.7, "lon": 113.1, "capacity": 800},
    )
    assert AuditEvent.objects.filter(action="rescue.shelter.create").exists()


def test_experts_ranked_by_travel_time(setup, world):
    """Two flood experts: the one nearer in a straight line is farther by road (the grid's corner
    is slower to reach); the ranking follows the road."""
    activate_small_network()
    qc = setup["qc"]
    near_line = Expert.objects.create(name="甲", specialties=["flood"], division=qc, lat=23.80, lon=113.10)
    near_road = Expert.objects.create(name="乙", specialties=["flood"], division=qc, lat=23.70, lon=113.22)
    rec = engine.recommend(23.70, 113.10, [])
    out = engine.nearest_experts(
        23.70, 113.10, ["flood"], graph=rec["graph"], to_incident=rec["to_incident"], snap_m=rec["snap_m"]
    )
    assert [o["expert"] for o in out] == sorted(
        [near_line, near_road], key=lambda e: next(o["eta_minutes"] for o in out if o["expert"] == e)
    )
    assert all(o["eta_minutes"] is not None for o in out)
    # Fallback without a road search: straight line.
    assert engine.nearest_experts(23.70, 113.10, ["flood"])[0]["expert"] == near_line


def test_public_shelters_map_and_nearest(setup, world):
    qc = setup["qc"]
    Shelter.objects.all().delete()
    far = Shelter.objects.create(name="远处公园", division=qc, lat=24.2, lon=113.4, capacity=100)
    near = Shelter.objects.create(name="近处广场", division=qc, lat=23.71, lon=113.11, capacity=500)
    c = Client()
    body = c.get("/console/rescue/shelters/").content.decode()
    assert "shelters.geojson" in body and 'data-testid="near-me"' in body and "nearest-shelters" not in body
    feats = c.get("/console/rescue/shelters.geojson").json()["features"]
    assert {f["properties"]["label"] for f in feats} == {far.name, near.name}
    body = c.get("/console/rescue/shelters/?lat=23.70&lon=113.10").content.decode()
    assert 'data-testid="nearest-shelters"' in body
    assert body.index(near.name) < body.index(far.name)


def test_team_table_follows_a_team_that_moves(setup, world):
    """The k-nearest team table of the active network: a team's new place (an edit) is taken in by
    moving it in the table, with the same answer as a fresh search; a new team rebuilds."""
    import numpy as np

    activate_small_network()
    qc = setup["qc"]
    for i, (lat, lon) in enumerate([(23.9, 113.3), (24.2, 113.5), (23.6, 113.0)]):
        Team.objects.create(code=f"M{i}", name=f"队{i}", kind="fire", division=qc, lat=lat, lon=lon)
    ids, table = engine.team_table(3)
    assert len(ids) == 4
    team = setup["team"]
    team.lat, team.lon = 24.3, 113.2
    actions.do_save(world.user("dept_staff"), team)
    ids2, moved = engine.team_table(3)
    assert (
        ids2 == ids
        and moved is not table
        and moved.sources[ids.index(team.pk)] != table.sources[ids.index(team.pk)]
    )
    _row, graph = engine.active_network()
    targets = np.arange(0, graph.n, 7)
    _i, t = moved.query(targets)
    _f, fresh = graph.k_nearest(moved.sources, targets, 3)
    assert np.allclose(t, fresh)
    Team.objects.create(code="M9", name="新队", kind="fire", division=qc, lat=23.8, lon=113.4)
    assert len(engine.team_table(3)[0]) == 5
