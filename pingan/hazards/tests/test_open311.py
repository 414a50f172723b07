"""Open311 GeoReport v2 conformance: the fields and formats of the spec, in JSON and XML."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from pingan.hazards.models import HazardCase

from .factories import jpeg_with_gps, submit, to_state

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def test_services_json_and_xml(world):
    c = Client()
    r = c.get("/open311/v2/services.json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    rows = r.json()
    assert rows and all(set(row) == SERVICE_FIELDS for row in rows)
    assert all(
        row["type"] in ("realtime", "batch", "blackbox") and row["metadata"] in (True, False) for row in rows
    )
    codes = {row["service_code"] for row in rows}
    assert "fire_exit" in codes and "fire" not in codes  # groups are not services; their children are
    x = c.get("/open311/v2/services.xml")
    assert x["Content-Type"].startswith("text/xml")
    root = ET.fromstring(x.content)
    assert root.tag == "services"
    first = root.find("service")
    assert {child.tag for child in first} == SERVICE_FIELDS
    assert first.find("metadata").text in ("true", "false")
    d = c.get("/open311/v2/services/fire_exit.json")
    assert d.json() == {"service_code": "fire_exit", "attributes": []}
    assert ET.fromstring(c.get("/open311/v2/services/fire_exit.xml").content).tag == "service_definition"
    assert c.get("/open311/v2/services/nope.json").status_code == 404


def test_post_request_then_get_it(world):
    c = Client()
    r = c.post(
        "/open311/v2/requests.json",
        {
            "service_code": "fire_exit",
            "lat": "23.7",
            "long": "113.05",
            "address_string": "凤城街道 1 号",
            "description": "楼道堆满杂物 联系 13812345678",
            "first_name": "三",
            "last_name": "张",
            "phone": "13812345678",
            "email": "z@example.org",
            "media": jpeg_with_gps(),
            "attribute[client_token]": "abc",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) >= {"service_request_id", "service_notice", "account_id"}
    rid = body[0]["service_request_id"]
    case = HazardCase.objects.get()
    assert case.source == "open311" and case.reporter_name == "张 三"
    # Retried with the same token: the same request.
    again = c.post(
        "/open311/v2/requests.json",
        {
            "service_code": "fire_exit",
            "lat": "23.7",
            "long": "113.05",
            "description": "楼道堆满杂物",
            "attribute[client_token]": "abc",
        },
    )
    assert again.json()[0]["service_request_id"] == rid and HazardCase.objects.count() == 1

    one = c.get(f"/open311/v2/requests/{rid}.json").json()
    assert len(one) == 1 and set(one[0]) == REQUEST_FIELDS
    row = one[0]
    assert row["status"] == "open" and row["service_code"] == "fire_exit"
    assert W3C.match(row["requested_datetime"]) and W3C.match(row["updated_datetime"])
    assert isinstance(row["lat"], float) and isinstance(row["long"], float)
    assert "13812345678" not in str(row) and "张" not in str(row)  # no reporter identity; phone masked
    assert row["media_url"].startswith("http://testserver/report/photo/")
    media = c.get(row["media_url"][len("http://testserver") :])
    assert media.status_code == 200 and b"Exif" not in b"".join(media.streaming_content)

    x = ET.fromstring(c.get(f"/open311/v2/requests/{rid}.xml").content)
    assert x.tag == "service_requests" and {e.tag for e in x.find("request")} == REQUEST_FIELDS

    t = c.get(f"/open311/v2/tokens/{body[0]['token']}.json").json()
    assert t[0]["service_request_id"] == rid


def test_post_errors(world):
    c = Client()
    r = c.post("/open311/v2/requests.json", {"lat": "23.7", "long": "113.05", "description": "x"})
    assert r.status_code == 400 and set(r.json()[0]) == {"code", "description"}
    r = c.post(
        "/open311/v2/requests.xml",
        {"service_code": "nope", "lat": "23.7", "long": "113.05", "description": "x"},
    )
    assert r.status_code == 404
    err = ET.fromstring(r.content)
    assert err.tag == "errors" and err.find("error/code").text == "404"
    r = c.post(
        "/open311/v2/requests.json", {"service_code": "gas", "lat": "30", "long": "100", "description": "x"}
    )
    assert r.status_code == 400 and "location" in r.json()[0]["description"]
    r = c.post(
        "/open311/v2/requests.json",
        {"service_code": "gas", "lat": "23.7", "long": "113.05", "description": "x", "api_key": "wrong"},
    )
    assert r.status_code == 403


def test_get_requests_filters_and_status_mapping(world):
    c = Client()
    citizen = world.user("public", "city")
    open_case = submit(world, source="open311", reporter=citizen)
    closed = to_state(world, submit(world, source="public", category="gas"), "closed")
    internal = submit(world, source="console")  # internal channels are not listed publicly
    rows = c.get("/open311/v2/requests.json").json()
    ids = {row["service_request_id"]: row for row in rows}
    assert open_case.number in ids and closed.number in ids and internal.number not in ids
    assert ids[closed.number]["status"] == "closed"
    assert ids[closed.number]["agency_responsible"]
    assert ids[closed.number]["expected_datetime"] is None
    only_closed = c.get("/open311/v2/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in only_closed] == [closed.number]
    by_code = c.get("/open311/v2/requests.json?service_code=gas").json()
    assert [r["service_request_id"] for r in by_code] == [closed.number]
    by_id = c.get(f"/open311/v2/requests.json?service_request_id={open_case.number},{internal.number}").json()
    assert [r["service_request_id"] for r in by_id] == [open_case.number]
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert c.get(f"/open311/v2/requests.json?start_date={future}").json() == []
    assert c.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    assert c.get(f"/open311/v2/requests/{internal.number}.json").status_code == 404
    x = ET.fromstring(c.get("/open311/v2/requests.xml").content)
    assert len(x.findall("request")) == 2
    assert c.get("/open311/v2/discovery.json").json()["endpoints"][0]["formats"] == [
        "application/json",
        "text/xml",
    ]
