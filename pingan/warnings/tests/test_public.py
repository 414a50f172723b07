"""Publication: Atom feed, per-alert CAP XML, GeoJSON of active warnings, portal pages, subscribers."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pingan.notify.models import Message
from pingan.org.choices import Role
from pingan.org.models import User
from pingan.warnings import actions, cap
from pingan.warnings.importer import import_feed
from pingan.warnings.models import EarlyWarning, Subscription

from .factories import publish_follow_up, to_state

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_drafts_never_leave_the_console(world):
    w = to_state(world, "approved")
    c = Client()
    assert c.get("/warnings/feed.atom").content.count(b"<entry") == 0
    assert c.get("/warnings/active.geojson").json()["features"] == []
    assert w.identifier is None


def test_feed_carries_each_public_message_inline_and_linked(world):
    w = to_state(world, "published")
    upd = publish_follow_up(world, w, "Update", colour="orange")
    r = Client().get("/warnings/feed.atom")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(r.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        f"urn:cap:{upd.identifier}",
        f"urn:cap:{w.identifier}",
    ]
    for e in entries:
        alert = e.find(f"{ATOM}content/{{{cap.NS}}}alert")
        assert cap.validate(ET.tostring(alert, encoding="unicode")) == []


def test_cap_xml_per_alert(world):
    w = to_state(world, "published")
    r = Client().get(f"/warnings/cap/{w.identifier}.xml")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/cap+xml")
    assert cap.validate(r.content.decode()) == []
    assert Client().get("/warnings/cap/44180200000000_20990101000000.xml").status_code == 404


def test_geojson_has_active_warnings_only(world):
    w = to_state(
        world,
        "published",
        areas=[
            {"division": "441802006"},
            {"area_desc": "水库下游", "circle": {"lat": 23.7, "lon": 113.05, "radius_km": 3}},
        ],
    )
    data = Client().get("/warnings/active.geojson").json()
    assert len(data["features"]) == 2
    assert {f["properties"]["identifier"] for f in data["features"]} == {w.identifier}
    assert data["features"][0]["properties"]["colour"] == "yellow"
    publish_follow_up(world, w, "Cancel")
    assert Client().get("/warnings/active.geojson").json()["features"] == []


def test_portal_list_and_detail(world):
    w = to_state(world, "published")
    r = Client().get("/warnings/")
    assert r.status_code == 200 and w.headline in r.content.decode()
    assert 'data-testid="subscribe-form"' not in r.content.decode()  # offered only to people signed in
    r = Client().get(f"/warnings/{w.identifier}/")
    assert r.status_code == 200 and w.description in r.content.decode()
    draft = to_state(world, "draft")
    assert Client().get(f"/warnings/{draft.pk}/").status_code == 404


def test_portal_entry(world):
    r = Client().get("/")
    assert "/warnings/" in r.content.decode()


def test_citizen_subscribes_through_the_portal(world):
    c = Client()
    c.force_login(world.user("public", "city"))
    assert 'data-testid="subscribe-form"' in c.get("/warnings/").content.decode()
    c.post("/warnings/subscribe/", {"division": "441802006"})
    sub = Subscription.objects.get(user=world.user("public", "city"))
    assert sub.division == world.towns["qingcheng"]
    c.post(f"/warnings/subscriptions/{sub.pk}/delete/")
    assert not Subscription.objects.exists()


def test_township_subscribers_are_notified_on_publish(world):
    citizen = world.user("public", "city")
    far = User.objects.create_user(username="far", password="x", role=Role.PUBLIC)
    Subscription.objects.create(user=citizen, division=world.towns["qingcheng"])
    Subscription.objects.create(user=far, division=world.towns["yingde"])
    w = to_state(world, "published")
    msgs = Message.objects.filter(event="warnings.alert")
    assert [m.recipient_id for m in msgs] == [citizen.pk]
    assert w.headline in msgs[0].title and msgs[0].url == f"/warnings/{w.identifier}/"
    publish_follow_up(world, w, "Cancel")
    assert Message.objects.filter(event="warnings.cancel", recipient=citizen).count() == 1


def test_polygon_area_reaches_townships_whose_centre_is_inside(world):
    citizen = world.user("public", "city")
    Subscription.objects.create(user=citizen, division=world.towns["yingde"])  # centre 113.35, 24.2
    to_state(
        world,
        "published",
        areas=[
            {
                "area_desc": "英城",
                "polygon": [[113.3, 24.1], [113.4, 24.1], [113.4, 24.3], [113.3, 24.3], [113.3, 24.1]],
            }
        ],
    )
    assert Message.objects.filter(recipient=citizen).count() == 1


def _subscribers(world, n, tag):
    people = User.objects.bulk_create([User(username=f"sub{tag}-{i}", role=Role.PUBLIC) for i in range(n)])
    Subscription.objects.bulk_create(
        [Subscription(user=p, division=world.towns["qingcheng"]) for p in people]
    )


def test_fan_out_is_constant_in_queries(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 30):
        Subscription.objects.all().delete()
        _subscribers(world, n, n)
        w = to_state(world, "approved")
        with CaptureQueriesContext(connection) as ctx:
            actions.do_publish(world.user("duty_officer"), w)
        counts.append(len(ctx.captured_queries))
        assert Message.objects.filter(title__contains=w.headline).count() >= n
    assert counts[0] == counts[1], counts


def test_feed_round_trips_through_our_importer(world):
    """Other platforms can read our feed: our own importer does, and keeps the identifiers."""
    w = to_state(world, "published")
    body = Client().get("/warnings/feed.atom").content
    EarlyWarning.objects.filter(pk=w.pk).update(identifier="moved-away")
    result = import_feed(body)
    assert result.created == [w.identifier] and result.errors == []


def test_public_list_queries_constant(world, django_assert_max_num_queries):
    to_state(world, "published")
    with django_assert_max_num_queries(12):
        Client().get("/warnings/")
    for _ in range(5):
        to_state(world, "published", expires=timezone.now() + timedelta(hours=3))
    with django_assert_max_num_queries(12):
        assert Client().get("/warnings/").status_code == 200
    with django_assert_max_num_queries(4):
        Client().get("/warnings/feed.atom")
