import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from pingan.emergency import actions
from pingan.emergency.models import Incident, RotationTemplate, Shift, ShiftSwap

pytestmark = pytest.mark.django_db


def login(world, key):
    c = Client()
    c.force_login(world.user(*key))
    return c


@pytest.fixture
def incident(world, duty):
    return actions.do_record_incident(
        world.user("duty_officer", "yingde"),
        {
            "title": "英德矿山事故",
            "occurred_at": timezone.now() - dt.timedelta(minutes=30),
            "division": world.towns["yingde"],
            "unit_name": "某矿业公司",
            "unit_overview": "非煤矿山",
            "place": "英城街道",
            "scene": "井下冒顶",
            "course": "作业中冒顶",
            "measures": "已救援",
            "deaths": 2,
        },
    )


def test_pages_render(world, duty, incident):
    c = login(world, ("duty_officer", "yingde"))
    for name in (
        "/console/emergency/",
        "/console/emergency/incidents/",
        "/console/emergency/incidents/new/",
        f"/console/emergency/incidents/{incident.pk}/",
        "/console/emergency/grade/",
        "/console/emergency/posts/",
        f"/console/emergency/posts/{duty['yingde'].pk}/",
        "/console/emergency/sanfang/",
    ):
        r = c.get(name)
        assert r.status_code == 200, name
    hop = incident.reports.get(state="due")
    r = c.get(f"/console/emergency/reports/{hop.pk}/")
    assert r.status_code == 200 and "事故发生单位概况" in r.content.decode()


def test_other_district_gets_404(world, duty, incident):
    c = login(world, ("area_staff", "qingcheng"))
    assert c.get(f"/console/emergency/incidents/{incident.pk}/").status_code == 404
    hop = incident.reports.get(state="due")
    assert c.get(f"/console/emergency/reports/{hop.pk}/docx/").status_code == 404
    assert c.get(f"/console/emergency/posts/{duty['yingde'].pk}/").status_code == 404


def test_public_and_anonymous_kept_out(world, duty):
    assert Client().get("/console/emergency/").status_code == 302
    assert login(world, ("public", "city")).get("/console/emergency/").status_code == 403


def test_docx_export(world, duty, incident):
    from docx import Document

    hop = incident.reports.get(state="due")
    r = login(world, ("duty_officer", "yingde")).get(f"/console/emergency/reports/{hop.pk}/docx/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert "死亡2人" in text and "已救援" in text


def test_intake_form_errors_name_fields(world, duty):
    c = login(world, ("duty_officer", "yingde"))
    base = {
        "title": "测试",
        "category": "accident",
        "subtype": "workplace",
        "accident_kind": "general",
        "source": "phone",
        "is_production_safety": "on",
        "occurred_at": (timezone.localtime() - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
        "division": world.towns["yingde"].pk,
        "deaths": "0",
        "serious_injuries": "0",
        "direct_loss": "0",
    }
    for patch, field, text in (
        ({"deaths": "-1"}, "deaths", "负数"),
        ({"direct_loss": "很多"}, "direct_loss", "数字"),
        ({"occurred_at": "2099-01-01T10:00"}, "occurred_at", "晚于"),
    ):
        r = c.post("/console/emergency/incidents/new/", {**base, **patch})
        assert r.status_code == 200
        assert field in r.context["form"].errors and text in str(r.context["form"].errors[field])
    r = c.post("/console/emergency/incidents/new/", {**base, "deaths": "2"})
    assert r.status_code == 302
    assert Incident.objects.get(title="测试").grade == "general"


def test_calculator_page(world, duty):
    c = login(world, ("duty_officer", "yingde"))
    r = c.get("/console/emergency/grade/", {"deaths": "3", "serious_injuries": "0", "direct_loss": "0"})
    assert r.context["result"]["grade"] == "larger"
    r = c.get("/console/emergency/grade/", {"deaths": "-1", "serious_injuries": "0", "direct_loss": "x"})
    assert set(r.context["form"].errors) == {"deaths", "direct_loss"}


def test_send_and_supplement_through_pages(world, duty, incident):
    yd = login(world, ("duty_officer", "yingde"))
    hop = incident.reports.get(state="due")
    r = yd.post(f"/console/emergency/reports/{hop.pk}/send/", {"channel": "电话", "received_by_name": "王"})
    assert r.status_code == 302
    hop.refresh_from_db()
    assert hop.state == "sent"
    city = login(world, ("duty_officer", "city"))
    page = city.get("/console/emergency/").content.decode()
    assert "英德矿山事故" in page
    yd.post(f"/console/emergency/incidents/{incident.pk}/supplement/", {"deaths": "3", "text": "又1人死亡"})
    incident.refresh_from_db()
    assert incident.grade == "larger"
    page = city.get("/console/emergency/").content.decode()
    assert "广东省应急管理厅" in page  # the city's task to report to the province


def test_roster_generate_swap_handover_ical(world, duty):
    leader = world.user("duty_leader", "yingde")
    officer = world.user("duty_officer", "yingde")
    other = world.user("dept_staff", "yingde")
    post = duty["yingde"]
    Shift.objects.filter(post=post).delete()
    rot = RotationTemplate.objects.create(
        post=post,
        name="三班轮换",
        starts_on=timezone.localdate(),
        shift_hours=24,
        crews=[
            {"leader": leader.pk, "officers": [officer.pk]},
            {"leader": leader.pk, "officers": [other.pk]},
        ],
    )
    c = login(world, ("duty_leader", "yingde"))
    c.post(f"/console/emergency/rotations/{rot.pk}/generate/", {"days": "7"})
    assert Shift.objects.filter(post=post).count() >= 7
    # again: idempotent
    n = Shift.objects.filter(post=post).count()
    c.post(f"/console/emergency/rotations/{rot.pk}/generate/", {"days": "7"})
    assert Shift.objects.filter(post=post).count() == n
    future = (
        Shift.objects.filter(post=post, starts_at__gt=timezone.now(), officers=officer)
        .order_by("starts_at")
        .first()
    )
    oc = login(world, ("duty_officer", "yingde"))
    crew_member = officer
    oc.post(
        f"/console/emergency/shifts/{future.pk}/swap/",
        {
            "role": "officer",
            "from_user": crew_member.pk,
            "to_user": world.user("inspector", "yingde").pk,
            "reason": "出差",
        },
    )
    swap = ShiftSwap.objects.get()
    c.post(f"/console/emergency/swaps/{swap.pk}/decide/", {"approve": "1"})
    assert world.user("inspector", "yingde") in future.officers.all()
    c.post(
        f"/console/emergency/posts/{post.pk}/handover/",
        {"open_matters": "英德矿山事故续报待跟进", "received_by": officer.pk},
    )
    assert post.handovers.get().open_matters.startswith("英德")
    ics = oc.get("/console/emergency/duty.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert body.count("BEGIN:VEVENT") >= 1 and "\r\n" in body
    # gap warning: drop the officers of a coming shift
    future.officers.clear()
    page = c.get(f"/console/emergency/posts/{post.pk}/").content.decode()
    assert 'data-testid="gap-warning"' in page


def test_sanfang_flow(world, duty):
    import time_machine

    bj = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(2026, 6, 1, 8, 0, tzinfo=bj)
    with time_machine.travel(start, tick=False):
        resp = actions.do_start_sanfang(
            world.user("city_admin", "city"),
            kind="flood",
            level="4",
            headquarters=world.departments["city_em"],
            members=[world.departments["qc_em"], world.departments["yd_em"]],
        )
        items = list(resp.member_reports.order_by("due_at", "department"))
        assert [timezone.localtime(i.due_at).strftime("%H:%M") for i in items] == ["09:00", "09:00"]
        actions.do_submit_sanfang(
            world.user("dept_staff", "qingcheng"),
            items[0] if items[0].department == world.departments["qc_em"] else items[1],
            text="无险情",
        )
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1), tick=False):
        from pingan.core import deadlines

        deadlines.reconcile()
        actions.reconcile_sanfang()
        c = login(world, ("city_admin", "city"))
        r = c.get(f"/console/emergency/sanfang/{resp.pk}/")
        missing = [i.department.code for i in r.context["missing"]]
        assert missing == ["441881-em"]
        # the 16:00 slot now exists
        assert resp.member_reports.filter(due_at=start.replace(hour=16)).count() == 2


@pytest.mark.parametrize("n", [1, 12])
def test_list_pages_constant_queries(world, duty, n, django_assert_max_num_queries):
    for i in range(n):
        actions.do_record_incident(
            world.user("duty_officer", "yingde"),
            {
                "title": f"事故{i}",
                "occurred_at": timezone.now() - dt.timedelta(minutes=5),
                "division": world.towns["yingde"],
                "deaths": i % 4,
            },
        )
    c = login(world, ("duty_officer", "yingde"))
    for url in ("/console/emergency/incidents/", "/console/emergency/", "/console/emergency/posts/"):
        with django_assert_max_num_queries(16):
            assert c.get(url).status_code == 200


def test_timeline_has_reports_decisions_and_links(world, duty):
    from pingan.emergency import selectors, services

    inc = services.create_incident_from_source(
        actor=world.user("duty_officer", "yingde"),
        source="hazard",
        title="隐患升级为事故",
        description="坍塌",
        lat=None,
        lon=None,
        occurred_at=timezone.now() - dt.timedelta(minutes=5),
        origin_obj=world.enterprises["yingde"],
    )
    actions.do_response(world.user("duty_leader", "yingde"), inc, step="activate", level="4", note="启动")
    kinds = {i["kind"] for i in selectors.incident_timeline(inc)}
    assert {"audit", "report", "response", "link"} <= kinds
    page = (
        login(world, ("duty_leader", "yingde"))
        .get(f"/console/emergency/incidents/{inc.pk}/")
        .content.decode()
    )
    assert "英德测试建材有限公司" in page and "接报登记" in page


def test_english_console(world, duty):
    c = login(world, ("duty_officer", "yingde"))
    r = c.get("/console/emergency/", HTTP_ACCEPT_LANGUAGE="en")
    c.cookies["django_language"] = "en"
    r = c.get("/console/emergency/")
    assert "Duty desk" in r.content.decode()


def test_incidents_geojson_scoped(world, duty, incident):
    incident.lat, incident.lon = 24.2, 113.35
    incident.save()
    data = login(world, ("duty_officer", "yingde")).get("/console/emergency/incidents/geojson/").json()
    assert [f["properties"]["label"] for f in data["features"]] == ["英德矿山事故"]
    assert data["features"][0]["properties"]["colour"] == "blue"
    assert (
        login(world, ("area_staff", "qingcheng"))
        .get("/console/emergency/incidents/geojson/")
        .json()["features"]
        == []
    )


def test_incident_page_has_its_own_map(world, duty, incident):
    c = login(world, ("duty_officer", "yingde"))
    url = f"/console/emergency/incidents/{incident.pk}/"
    Incident.objects.filter(pk=incident.pk).update(lat=None, lon=None)
    assert 'data-testid="incident-map"' not in c.get(url).content.decode()  # no point, no map
    Incident.objects.filter(pk=incident.pk).update(lat=24.2, lon=113.35, state="closed")
    page = c.get(url).content.decode()
    assert 'data-testid="incident-map"' in page and f"geojson/?id={incident.pk}" in page
    assert '"focus": {"lat": 24.2, "lon": 113.35' in page  # opens centred on the incident
    one = c.get(f"/console/emergency/incidents/geojson/?id={incident.pk}").json()["features"]
    assert [f["properties"]["label"] for f in one] == ["英德矿山事故"]  # closed, yet on its own map
    assert c.get("/console/emergency/incidents/geojson/").json()["features"] == []  # the list: open only
    other = login(world, ("area_staff", "qingcheng"))
    assert other.get(f"/console/emergency/incidents/geojson/?id={incident.pk}").json()["features"] == []
    bad = c.get("/console/emergency/incidents/geojson/?id=abc")
    assert bad.status_code == 400 and "id" in bad.content.decode()


def test_incident_page_links_to_the_dispatch_recommendation(world, duty, incident):
    from pingan.core.permissions import may

    url = f"/console/emergency/incidents/{incident.pk}/"
    officer = world.user("duty_officer", "yingde")
    page = login(world, ("duty_officer", "yingde")).get(url).content.decode()
    link = f"/console/rescue/dispatch/?incident={incident.pk}"
    assert (link in page) == may(officer, "rescue.view_dispatch")
    if link in page:
        assert login(world, ("duty_officer", "yingde")).get(link).status_code == 200


def test_incident_list_filters_and_the_accident_register_export(
    world, duty, incident, django_assert_max_num_queries
):
    import openpyxl

    from pingan.core.models import AuditEvent

    c = login(world, ("duty_officer", "yingde"))
    base = "/console/emergency/incidents/"
    page = lambda q: c.get(base, q).content.decode()  # noqa: E731
    assert incident.number in page({"q": "矿山", "district": world.districts["yingde"].pk})
    assert incident.number not in page({"q": "不存在的事件"})
    assert incident.number not in page({"category": "natural"})
    today = timezone.localdate()
    assert incident.number in page({"since": today.isoformat(), "until": today.isoformat()})
    assert incident.number not in page({"since": (today + dt.timedelta(days=1)).isoformat()})
    # bad values are named, never a server error, and do not filter
    r = c.get(base, {"since": "abc", "grade": "x", "until": "99999-01-01", "district": "9" * 30})
    assert r.status_code == 200 and incident.number in r.content.decode()
    r = c.get(base, {"since": today.isoformat(), "until": (today - dt.timedelta(days=3)).isoformat()})
    assert "结束日期早于开始日期" in r.content.decode()
    # the register of the period, as Excel, audited
    r = c.get(base, {"since": today.isoformat(), "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and [row[0] for row in rows[1:]] == [incident.number]
    assert rows[1][10] == 2  # deaths
    event = AuditEvent.objects.filter(action="core.list.export").latest("id")
    assert event.after["list"] == "incidents" and event.after["rows"] == 1
    # constant queries for the export: 1 row or many
    for n in range(3):
        actions.do_record_incident(
            world.user("duty_officer", "yingde"),
            {
                "title": f"英德事故{n}",
                "occurred_at": timezone.now() - dt.timedelta(minutes=20),
                "division": world.towns["yingde"],
                "unit_name": "某公司",
                "place": "英城街道",
                "scene": "x",
                "course": "x",
                "measures": "x",
                "deaths": 0,
            },
        )
    with django_assert_max_num_queries(12):
        r = c.get(base, {"export": "xlsx"})
    assert len(list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows())) == 5
    # another district's officer exports nothing of 英德's
    r = login(world, ("duty_officer", "qingcheng")).get(base, {"export": "xlsx"})
    assert len(list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows())) == 1


def test_month_roster_prints_a_calendar_of_the_posts_shifts(world, duty, django_assert_max_num_queries):
    post = duty["yingde"]
    leader, officer = world.user("duty_leader", "yingde"), world.user("duty_officer", "yingde")
    tz = timezone.get_current_timezone()
    for day in (3, 17):
        s = Shift.objects.create(
            post=post,
            starts_at=dt.datetime(2026, 3, day, 8, 30, tzinfo=tz),
            ends_at=dt.datetime(2026, 3, day + 1, 8, 30, tzinfo=tz),
            leader=leader,
        )
        s.officers.add(officer)
    c = login(world, ("duty_officer", "yingde"))
    url = f"/console/emergency/posts/{post.pk}/month/"
    with django_assert_max_num_queries(20):
        page = c.get(url, {"month": "2026-03"}).content.decode()
    assert page.count('data-testid="month-shift"') == 2 and "08:30" in page and "A4 landscape" in page
    assert (
        f"/console/emergency/posts/{post.pk}/month/"
        in c.get(f"/console/emergency/posts/{post.pk}/").content.decode()
    )
    for bad in ("2026-13", "0-01", "99999-01", "abc", "2026"):
        r = c.get(url, {"month": bad})
        assert r.status_code == 200 and "月份格式应为 YYYY-MM" in r.content.decode(), bad
    assert login(world, ("area_staff", "qingcheng")).get(url).status_code == 404
