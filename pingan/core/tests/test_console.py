"""Each role's console: landing, home, enterprise workspace, settings, calendar, friendly error pages and
the superuser-only, audited admin."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.template import loader
from django.test import Client

from pingan.core.models import AuditEvent, CalendarOverride
from pingan.core.testing import PASSWORD


def signed_in(world, role: str, area: str = "qingcheng", lang: str | None = None) -> Client:
    client = Client()
    client.force_login(world.user(role, area))
    if lang:
        client.cookies["django_language"] = lang
    return client


# --- Landing and home -------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area,lands",
    [
        ("duty_officer", "qingcheng", "/console/emergency/"),
        ("duty_leader", "qingcheng", "/console/emergency/"),
        ("enterprise", "qingcheng", "/console/org/workspace/"),
        ("grid_worker", "qingcheng", "/console/"),
        ("city_admin", "city", "/console/"),
        ("public", "city", "/report/mine/"),
    ],
)
def test_each_role_lands_where_its_work_starts(world, role, area, lands):
    user = world.user(role, area)
    r = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == lands
    # An explicit `next` still wins.
    r = Client().post(
        "/accounts/login/?next=/console/inbox/", {"username": user.username, "password": PASSWORD}
    )
    assert r["Location"] == "/console/inbox/"


@pytest.mark.django_db
def test_grid_worker_home_is_report_reports_tasks_and_the_map_of_the_grid(world):
    body = signed_in(world, "grid_worker").get("/console/").content.decode()
    assert 'data-testid="home-shortcuts"' in body
    assert 'href="/console/hazards/new/"' in body  # report
    assert 'href="/report/mine/"' in body  # my reports
    assert 'href="/console/hazards/?division=441802006"' in body  # the cases of their grid
    assert 'data-testid="home-tasks"' in body
    assert "?code=441802006" in body  # the map is their own area's
    assert 'data-testid="home-admin"' not in body and "/console/audit/" not in body
    assert 'href="/console/command/"' not in body  # no command centre in a grid worker's menu


@pytest.mark.django_db
def test_duty_officer_home_puts_the_duty_desk_first(world):
    body = signed_in(world, "duty_officer").get("/console/").content.decode()
    assert 'data-testid="home-desk"' in body
    assert body.index('data-testid="home-desk"') < body.index('data-testid="home-tasks"')
    assert 'data-testid="home-desk"' not in signed_in(world, "area_staff").get("/console/").content.decode()


@pytest.mark.django_db
def test_city_admin_home_offers_settings_imports_and_the_audit_log(world):
    client = signed_in(world, "city_admin", "city")
    body = client.get("/console/").content.decode()
    for url in (
        "/console/settings/",
        "/console/geo/import/",
        "/console/org/enterprises/import/",
        "/console/settings/calendar/",
        "/console/audit/",
    ):
        assert f'href="{url}"' in body, url
        assert client.get(url).status_code == 200, url
    settings_page = client.get("/console/settings/").content.decode()
    assert (
        'href="/console/geo/import/"' in settings_page
        and 'href="/console/settings/calendar/"' in settings_page
    )
    staff = signed_in(world, "dept_staff").get("/console/").content.decode()
    assert 'data-testid="home-admin"' in staff  # may import enterprises of the district …
    assert "/console/audit/" not in staff and "/console/settings/" not in staff  # … but no city settings


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area,target",
    [("enterprise", "qingcheng", "/console/org/workspace/"), ("public", "city", "/report/mine/")],
)
def test_home_sends_non_staff_to_their_own_place(world, role, area, target):
    r = signed_in(world, role, area).get("/console/")
    assert r.status_code == 302 and r["Location"] == target


@pytest.mark.django_db
def test_anonymous_console_goes_to_login(client, world):
    for url in ("/console/", "/console/audit/", "/console/org/workspace/", "/console/settings/calendar/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), url


# --- Enterprise workspace ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_enterprise_workspace_shows_own_enterprise_and_a_menu(world):
    from pingan.org.models import Site

    ent = world.enterprises["qingcheng"]
    Site.objects.create(enterprise=ent, name="一号仓库", division=world.towns["qingcheng"])
    Site.objects.create(
        enterprise=world.enterprises["yingde"], name="英德仓库", division=world.towns["yingde"]
    )
    body = signed_in(world, "enterprise").get("/console/org/workspace/").content.decode()
    assert ent.name in body and ent.uscc in body and "清城区应急管理局" in body
    assert "一号仓库" in body and "英德仓库" not in body and world.enterprises["yingde"].name not in body
    assert 'class="sidenav"' in body and 'href="/console/org/workspace/"' in body  # a menu of their own
    assert 'href="/console/org/enterprises/"' not in body  # not the government's register


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area", [("area_staff", "qingcheng"), ("city_admin", "city"), ("public", "city")]
)
def test_workspace_is_for_enterprise_users_only(world, role, area):
    assert signed_in(world, role, area).get("/console/org/workspace/").status_code == 403


@pytest.mark.django_db
def test_workspace_collects_panels_and_tolerates_failing_or_missing_hooks(world, monkeypatch, caplog):
    from pingan.core import workspace

    geo = apps.get_app_config("geo")
    monkeypatch.setattr(
        geo, "workspace_panels", "pingan.core.tests.test_console.broken_panels", raising=False
    )
    notify = apps.get_app_config("notify")
    monkeypatch.setattr(
        notify, "workspace_panels", "pingan.core.tests.test_console.sample_panels", raising=False
    )
    panels = workspace.panels(world.user("enterprise"))
    titles = [p["title"] for p in panels]
    assert "样例" in titles and any(p["app"] == "org" for p in panels)
    sample = next(p for p in panels if p["title"] == "样例")
    assert sample["items"][0] == {"label": "一条", "url": None, "pill": ("待办", "orange"), "when": None}
    assert "workspace panels pingan.core.tests.test_console.broken_panels failed" in caplog.text
    body = signed_in(world, "enterprise").get("/console/org/workspace/").content.decode()
    assert "样例" in body and 'data-testid="workspace-panel-notify"' in body


def broken_panels(user):
    raise RuntimeError("boom")


def sample_panels(user):
    return [{"title": "样例", "count": 1, "items": [{"label": "一条", "pill": ("待办", "orange")}]}]


# --- Friendly error pages ---------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang,words",
    [("zh-hans", "您没有权限访问此页面"), ("en", "You do not have permission to open this page")],
)
def test_enterprise_user_gets_the_friendly_403_in_their_language(world, lang, words):
    r = signed_in(world, "enterprise", lang=lang).get("/console/org/enterprises/")
    body = r.content.decode()
    assert r.status_code == 403 and words in body and "403 Forbidden" not in body
    assert 'href="/console/org/workspace/" data-testid="error-home"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("lang,words", [("zh-hans", "返回我的上报"), ("en", "Back to My reports")])
def test_citizen_gets_the_friendly_403_with_a_way_back(world, lang, words):
    r = signed_in(world, "public", "city", lang=lang).get("/console/command/")
    body = r.content.decode()
    assert r.status_code == 403 and words in body and 'href="/report/mine/"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("lang,words", [("zh-hans", "页面不存在"), ("en", "Page not found")])
def test_out_of_scope_is_the_friendly_404(world, lang, words):
    other = world.enterprises["yingde"]
    r = signed_in(world, "area_staff", lang=lang).get(f"/console/org/enterprises/{other.pk}/")
    assert r.status_code == 404 and words in r.content.decode()
    assert (
        signed_in(world, "area_staff", "yingde").get(f"/console/org/enterprises/{other.pk}/").status_code
        == 200
    )


@pytest.mark.django_db
def test_500_page_needs_no_database_nor_context(django_assert_num_queries):
    from django.utils import translation

    with django_assert_num_queries(0):
        with translation.override("en"):
            english = loader.get_template("500.html").render()
        with translation.override("zh-hans"):
            chinese = loader.get_template("500.html").render()
    assert "Sorry, something went wrong on the server" in english and "抱歉,服务器出了点问题" in chinese


@pytest.mark.django_db
def test_csrf_failure_is_the_friendly_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("city_admin", "city"))
    client.cookies["django_language"] = "en"
    r = client.post("/console/settings/calendar/", {"date": "2027-01-04", "is_workday": "1"})
    body = r.content.decode()
    assert r.status_code == 403 and "This page has expired" in body and "CSRF verification failed" not in body


# --- Settings: the working-day calendar --------------------------------------------------------------------
@pytest.mark.django_db
def test_city_admin_sets_and_removes_a_calendar_override_audited(world):
    client = signed_in(world, "city_admin", "city")
    r = client.post("/console/settings/calendar/", {"date": "2027-01-04", "is_workday": "1", "note": "调休"})
    assert r.status_code == 302
    row = CalendarOverride.objects.get(date="2027-01-04")
    assert row.is_workday and row.note == "调休"
    event = AuditEvent.objects.get(action="core.calendar.set")
    assert event.actor == world.user("city_admin", "city") and event.after["is_workday"] is True
    client.post("/console/settings/calendar/", {"date": "2027-01-04", "is_workday": "0", "note": "本地放假"})
    changed = AuditEvent.objects.filter(action="core.calendar.set").order_by("-id").first()
    assert changed.before["is_workday"] is True and changed.after["is_workday"] is False
    assert CalendarOverride.objects.count() == 1
    r = client.post(f"/console/settings/calendar/{row.pk}/delete/")
    assert r.status_code == 302 and not CalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(action="core.calendar.delete").exists()


@pytest.mark.django_db
def test_calendar_bad_input_names_the_field(world):
    r = signed_in(world, "city_admin", "city").post(
        "/console/settings/calendar/", {"date": "2027-13-45", "is_workday": "1"}
    )
    assert (
        r.status_code == 400 and "date" in r.context["form"].errors and not CalendarOverride.objects.exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area",
    [
        ("dept_staff", "city"),
        ("area_staff", "qingcheng"),
        ("grid_worker", "qingcheng"),
        ("enterprise", "qingcheng"),
    ],
)
def test_settings_are_refused_to_everyone_but_city_admins(world, role, area):
    client = signed_in(world, role, area)
    row = CalendarOverride.objects.create(date="2027-02-01", is_workday=False)
    for url in ("/console/settings/", "/console/settings/calendar/", "/console/geo/import/"):
        assert client.get(url).status_code == 403, url
    assert (
        client.post("/console/settings/calendar/", {"date": "2027-01-04", "is_workday": "1"}).status_code
        == 403
    )
    assert client.post(f"/console/settings/calendar/{row.pk}/delete/").status_code == 403
    assert CalendarOverride.objects.count() == 1


# --- Division import in the console ---------------------------------------------------------------------
GEOJSON = (
    b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "441802007",'
    b' "name": "\xe4\xb8\x9c\xe5\x9f\x8e\xe8\xa1\x97\xe9\x81\x93"}, "geometry": {"type": "Polygon",'
    b' "coordinates": [[[113.1, 23.6], [113.2, 23.6], [113.2, 23.8], [113.1, 23.8], [113.1, 23.6]]]}}]}'
)


@pytest.mark.django_db
def test_city_admin_imports_divisions_in_the_console(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pingan.geo.models import Division

    client = signed_in(world, "city_admin", "city")
    r = client.post("/console/geo/import/", {"file": SimpleUploadedFile("towns.geojson", GEOJSON)})
    assert r.status_code == 200 and Division.objects.filter(code="441802007", name="东城街道").exists()
    assert AuditEvent.objects.filter(
        action="geo.division.import", actor=world.user("city_admin", "city")
    ).exists()
    r = client.post("/console/geo/import/", {"file": SimpleUploadedFile("bad.geojson", b"not json")})
    assert r.status_code == 400 and 'data-testid="import-problems"' in r.content.decode()


@pytest.mark.django_db
def test_division_importer_refuses_a_person_who_may_not():
    from pingan.core.actions import Forbidden
    from pingan.core.testing import make_world
    from pingan.geo.importer import import_divisions

    world = make_world()
    with pytest.raises(Forbidden):
        import_divisions(GEOJSON, actor=world.user("area_staff"))


# --- The admin: superusers only, every change audited ------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,area", [("city_admin", "city"), ("dept_staff", "qingcheng"), ("enterprise", "qingcheng")]
)
def test_admin_is_for_superusers_only(world, role, area):
    r = signed_in(world, role, area).get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


@pytest.mark.django_db
def test_a_rule_disabled_in_the_admin_leaves_an_audit_event(world):
    from pingan.core.tests.forms_html import post_forms
    from pingan.monitoring.models import Rule
    from pingan.monitoring.thresholds import ensure_default_rules
    from pingan.org.models import User

    ensure_default_rules()
    rule = Rule.objects.filter(enabled=True).order_by("pk").first()
    root = User.objects.create_superuser(
        "root", password="Pingan-root-2026!", role="city_admin", division=world.city
    )
    client = Client()
    client.force_login(root)
    url = f"/admin/monitoring/rule/{rule.pk}/change/"
    form = next(f for f in post_forms(client.get(url).content.decode(), url) if "code" in dict(f.fields))
    body = {k: v for k, v in form.fields if k != "enabled"}
    r = client.post(url, {**body, "_save": "Save"})
    assert r.status_code == 302, r.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.enabled is False
    event = AuditEvent.objects.get(action="monitoring.rule.admin_change")
    assert event.actor == root and event.before == {"enabled": True} and event.after == {"enabled": False}
    assert event.object_id == str(rule.pk) and event.note == "admin"


@pytest.mark.django_db
def test_every_registered_admin_is_audited_and_secrets_stay_out(world):
    from django.contrib import admin

    from pingan.core.admin_site import AuditedAdmin, _values
    from pingan.org.models import User

    assert admin.site._registry, "no admin registered"
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), model
    user = world.user("area_staff")
    assert _values(user, ["password", "display_name"]) == {
        "password": "***",
        "display_name": user.display_name,
    }
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_citizen_has_a_menu_of_their_own(world):
    body = signed_in(world, "public", "city").get("/report/mine/").content.decode()
    assert 'class="sidenav"' in body and 'href="/report/mine/"' in body and 'href="/report/"' in body
    staff = signed_in(world, "area_staff").get("/report/mine/").content.decode()
    menu = staff.split('<nav class="sidenav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/report/"' not in menu  # the citizen's menu is the citizen's


def test_a_grid_workers_menu_keeps_to_the_job(world):
    """Report, the cases and map of the grid, its check tasks — not the bureaux' registers, which
    desk staff of the same area do see (the pages stay reachable from tasks and messages)."""
    from pingan.core.nav import nav_for

    def names(role, area="qingcheng"):
        return {i["url_name"] for g in nav_for(world.user(role, area)) for i in g["items"]}

    registers = {
        "emergency:incidents",
        "emergency:posts",
        "emergency:sanfang_list",
        "emergency:calculator",
        "risks:mhs_list",
        "risks:calculator",
        "risks:commitments",
        "rescue:teams",
    }
    grid = names("grid_worker")
    assert {"hazards:create", "hazards:list", "hazards:map", "risks:tasks"} <= grid
    assert not registers & grid
    assert registers <= names("area_staff")
    assert not registers & names("integration", "city")
