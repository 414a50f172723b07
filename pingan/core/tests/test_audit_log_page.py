"""The audit log page: who may read it, filters, search, human labels in both languages, Excel export,
constant queries."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core import audit
from pingan.core.models import AuditEvent


def signed_in(world, role="city_admin", area="city", lang=None) -> Client:
    client = Client()
    client.force_login(world.user(role, area))
    if lang:
        client.cookies["django_language"] = lang
    return client


def some_events(world, n: int = 1) -> None:
    from pingan.org.actions import do_update_enterprise

    qc, yd = world.enterprises["qingcheng"], world.enterprises["yingde"]
    for i in range(n):
        audit.record("org.user.login", world.user("area_staff"), actor=world.user("area_staff"))
        do_update_enterprise(world.user("city_admin", "city"), qc, {"contact_phone": f"0763-{1000 + i}"})
        do_update_enterprise(world.user("city_admin", "city"), yd, {"contact_phone": f"0763-{2000 + i}"})
    audit.record("org.enterprise.somethingnew", qc, actor=world.user("dept_staff"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area",
    [
        ("dept_staff", "city"),
        ("area_staff", "qingcheng"),
        ("grid_worker", "qingcheng"),
        ("duty_officer", "qingcheng"),
        ("enterprise", "qingcheng"),
        ("public", "city"),
    ],
)
def test_audit_log_is_for_city_administrators(world, role, area):
    client = signed_in(world, role, area)
    assert client.get("/console/audit/").status_code == 403
    assert client.get("/console/audit/export.xlsx").status_code == 403
    assert "/console/audit/" not in client.get("/console/inbox/").content.decode()  # not offered either


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang,login,update",
    [("zh-hans", "登录系统", "修改单位信息"), ("en", "Signed in", "Changed the enterprise")],
)
def test_actions_read_as_words_in_both_languages(world, lang, login, update):
    some_events(world)
    body = signed_in(world, lang=lang).get("/console/audit/").content.decode()
    assert f">{login}<" in body and f">{update}<" in body
    assert ">org.user.login<" not in body and ">org.enterprise.update<" not in body
    # An action no app labelled still reads as words: the object's name and the verb.
    assert ">org.enterprise.somethingnew<" not in body
    assert ("生产经营单位 · somethingnew" if lang == "zh-hans" else "Enterprises · somethingnew") in body


@pytest.mark.django_db
def test_filters_and_search(world):
    some_events(world)
    client = signed_in(world)
    qc, yd = world.enterprises["qingcheng"], world.enterprises["yingde"]

    def rows(query: str) -> list[AuditEvent]:
        r = client.get("/console/audit/?" + query)
        assert r.status_code == 200
        return list(r.context["events"])

    assert {e.action for e in rows("action=org.user.login")} == {"org.user.login"}
    assert {e.action for e in rows("action=org.enterprise")} == {
        "org.enterprise.update",
        "org.enterprise.somethingnew",
    }
    assert {e.actor_label for e in rows("actor=qingcheng_dept")} == {"qingcheng_dept"}
    one = rows(f"type=org.enterprise&object={yd.pk}")
    assert one and {e.object_id for e in one} == {str(yd.pk)}
    assert {e.object_id for e in rows("type=org.enterprise")} == {str(qc.pk), str(yd.pk)}
    assert {e.object_id for e in rows("type=org.enterprise&division=441881")} == {str(yd.pk)}
    assert rows("division=999999") == []
    assert {e.object_id for e in rows("q=0763-2000")} == {str(yd.pk)}  # the values before and after
    today = timezone.localdate()
    assert len(rows(f"since={today}&until={today}")) == AuditEvent.objects.count()
    assert rows(f"until={today - dt.timedelta(days=1)}") == []
    assert rows(f"since={today + dt.timedelta(days=1)}") == []
    assert len(rows("since=not-a-date")) == AuditEvent.objects.count()  # a bad date is ignored, not a 500


@pytest.mark.django_db
def test_export_to_excel_follows_the_filters_and_is_audited(world):
    from openpyxl import load_workbook

    some_events(world, n=2)
    client = signed_in(world, lang="en")
    r = client.get("/console/audit/export.xlsx?action=org.user.login")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Time", "Actor", "Action", "Action code")
    assert (
        len(rows) == 1 + 2
        and {row[2] for row in rows[1:]} == {"Signed in"}
        and {row[3] for row in rows[1:]} == {"org.user.login"}
    )
    export = AuditEvent.objects.get(action="core.audit.export")
    assert export.actor == world.user("city_admin", "city") and export.after == {"action": "org.user.login"}
    page = client.get("/console/audit/?action=org.user.login").content.decode()
    assert 'href="/console/audit/export.xlsx?action=org.user.login"' in page


@pytest.mark.django_db
def test_audit_list_queries_are_constant(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(world)
    some_events(world, n=1)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/console/audit/").status_code == 200
    some_events(world, n=20)
    with django_assert_max_num_queries(len(one)):
        assert client.get("/console/audit/").status_code == 200
    with CaptureQueriesContext(connection) as export_one:
        client.get("/console/audit/export.xlsx")
    some_events(world, n=5)
    with django_assert_max_num_queries(len(export_one)):
        client.get("/console/audit/export.xlsx")
