"""The incident form's place (searchable division, map point) and the 三防 member-unit picker."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from pingan.emergency.models import Incident, SanfangResponse

pytestmark = pytest.mark.django_db


def login(world, key):
    c = Client()
    c.force_login(world.user(*key))
    return c


def _incident(**extra):
    return {
        "title": "测试事件",
        "category": "accident",
        "subtype": "workplace",
        "accident_kind": "general",
        "source": "phone",
        "is_production_safety": "on",
        "occurred_at": (timezone.localtime() - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
        "deaths": "0",
        "serious_injuries": "0",
        "direct_loss": "0",
        **extra,
    }


def test_incident_form_has_a_map_picker_and_a_searchable_place(world, duty):
    page = login(world, ("duty_officer", "city")).get("/console/emergency/incidents/new/").content.decode()
    assert 'data-testid="place-picker"' in page and 'id="incident-map"' in page
    assert 'name="division"' in page and 'data-picker="1"' in page
    assert "清城区 · 凤城街道" in page and "英德市" in page
    assert 'type="hidden" name="lat"' in page and 'type="hidden" name="lon"' in page


def test_a_map_point_alone_sets_the_township(world, duty):
    c = login(world, ("duty_officer", "city"))
    r = c.post("/console/emergency/incidents/new/", _incident(lat="24.2", lon="113.35", division=""))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    incident = Incident.objects.get(title="测试事件")
    assert incident.division == world.towns["yingde"] and incident.lat == 24.2


def test_point_and_division_must_agree_and_stay_in_scope(world, duty):
    c = login(world, ("duty_officer", "yingde"))
    r = c.post(
        "/console/emergency/incidents/new/",
        _incident(lat="24.2", lon="113.35", division=world.towns["qingcheng"].pk),
    )
    # 凤城街道 is not even offered to a 英德 duty officer: refused as not in the list.
    assert r.status_code == 200 and "division" in r.context["form"].errors
    c = login(world, ("duty_officer", "city"))
    r = c.post(
        "/console/emergency/incidents/new/",
        _incident(lat="24.2", lon="113.35", division=world.towns["qingcheng"].pk),
    )
    assert r.status_code == 200 and "不在所选的凤城街道" in str(r.context["form"].errors["division"])
    assert not Incident.objects.filter(title="测试事件").exists()


def test_sanfang_members_are_a_searchable_multi_select(world, duty):
    c = login(world, ("duty_leader", "city"))
    page = c.get("/console/emergency/sanfang/").content.decode()
    assert 'type="checkbox" name="members"' not in page
    assert '<select name="members"' in page and 'data-picker="1"' in page and "multiple" in page
    assert "清城区 · 凤城街道 · 凤城街道办事处" in page
    # Posting ids works as before; an id outside the offered list is refused.
    members = [world.departments["qc_town"].pk, world.departments["yd_fire"].pk]
    r = c.post("/console/emergency/sanfang/", {"kind": "flood", "level": "4", "members": members})
    assert r.status_code == 302 and SanfangResponse.objects.count() == 1
    r = c.post("/console/emergency/sanfang/", {"kind": "flood", "level": "4", "members": [987654]})
    assert r.status_code == 200 and "members" in r.context["form"].errors
