"""Who may do what (permissions.py) as every layer shows it: the console pages per role (refused →
403, another district's case → 404, anonymous → login), the navigation per role, "offered means
allowed" on the case page, the routing table's city-only edits, the API photo upload as an audited
action, and no role literal left outside permissions.py."""

import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from pingan.core.actions import ActionError, Forbidden
from pingan.core.models import AuditEvent
from pingan.core.nav import nav_for
from pingan.core.permissions import may
from pingan.core.testing import MATRIX_PEOPLE
from pingan.hazards import actions, permissions
from pingan.hazards.models import HazardCase, RoutingRule

from .factories import jpeg_with_gps, lead_person, major_ready, submit, to_state

pytestmark = pytest.mark.django_db

ROLES = MATRIX_PEOPLE + [(None, None)]
IDS = [f"{r}-{a}" for r, a in ROLES]
STAFF = {
    "city_admin",
    "dept_staff",
    "area_staff",
    "grid_worker",
    "inspector",
    "duty_officer",
    "duty_leader",
    "rescue_lead",
    "integration",
}
# Who sees a 清城区 case reported by the 清城 grid worker (its area, the city, its reporter).
SEES_QC_CASE = {
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


def expected(role, allowed):
    if role is None:
        return 302
    return 200 if allowed else 403


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_console_pages_per_role(world, role, area):
    case = submit(world)
    c = client(world, role, area)
    staff = role in STAFF
    pages = {
        "/console/hazards/": staff or role == "enterprise",
        "/console/hazards/new/": staff or role == "enterprise",
        "/console/hazards/map/": staff,
        "/console/hazards/stats/": staff and role != "grid_worker",
        "/console/hazards/stats/export.xlsx": staff and role != "grid_worker",
        "/console/hazards/routes/": staff,
    }
    for url, allowed in pages.items():
        assert c.get(url).status_code == expected(role, allowed), url
    detail = c.get(f"/console/hazards/{case.pk}/").status_code
    if role is None:
        assert detail == 302
    elif not (staff or role == "enterprise"):
        assert detail == 403
    else:
        assert detail == (200 if (role, area) in SEES_QC_CASE else 404)


@pytest.mark.parametrize("role,area", ROLES, ids=IDS)
def test_my_reports_page(world, role, area):
    mine = submit(world, reporter=world.user("public", "city"), source="public", title="我报的隐患")
    submit(world, title="别人的隐患")
    r = client(world, role, area).get("/report/mine/")
    if role is None:
        assert r.status_code == 302 and "/login" in r["Location"]
        return
    assert r.status_code == 200
    page = r.content.decode()
    assert ("我报的隐患" in page) == (role == "public")
    if role == "public":
        assert (
            f"/report/track/{mine.tracking_code}/" in page and "已受理" in page and "别人的隐患" not in page
        )


def _nav_urls(user):
    return {i["url_name"] for g in nav_for(user) for i in g["items"] if i["url_name"].startswith("hazards")}


def test_navigation_per_role(world):
    assert _nav_urls(world.user("grid_worker")) == {"hazards:list", "hazards:map", "hazards:create"}
    assert _nav_urls(world.user("city_admin", "city")) == {
        "hazards:list",
        "hazards:map",
        "hazards:create",
        "hazards:stats",
        "hazards:routes",
    }
    assert "hazards:routes" not in _nav_urls(world.user("dept_staff", "qingcheng"))
    assert "hazards:stats" in _nav_urls(world.user("dept_staff", "qingcheng"))
    assert _nav_urls(world.user("enterprise")) == {"hazards:list", "hazards:create"}
    assert _nav_urls(world.user("public", "city")) == {"hazards-public:mine", "hazards-public:report"}
    # Every entry shown opens (no 403 behind a menu item).
    for role, area in MATRIX_PEOPLE:
        c = client(world, role, area)
        for g in nav_for(world.user(role, area)):
            for item in g["items"]:
                if item["url_name"].startswith("hazards"):
                    assert c.get(item["url"]).status_code == 200, (role, item["url"])


def _offered(page, case):
    return set(re.findall(rf'action="/console/hazards/{case.pk}/act/([a-z_]+)/"', page))


def _people(world, case):
    people = [world.user(r, a) for r, a in MATRIX_PEOPLE] + [world.user("dept_staff", "city")]
    lead = lead_person(world, case) if case.lead_department_id else None
    return people + ([lead] if lead else [])


@pytest.mark.parametrize(
    "state", ["submitted", "registered", "assigned", "rectifying", "awaiting_acceptance", "closed"]
)
def test_case_page_offers_only_what_the_person_may_do(world, state):
    case = to_state(world, submit(world), state)
    case.refresh_from_db()
    other = submit(world, title="另一条")
    seen_any = False
    for user in _people(world, case):
        c = Client()
        c.force_login(user)
        r = c.get(f"/console/hazards/{case.pk}/")
        if r.status_code != 200:
            continue
        page = r.content.decode()
        offered = _offered(page, case)
        assert offered <= set(actions.available_actions(user, case)), (user.username, state, offered)
        seen_any = seen_any or bool(offered)
        for action in offered:
            _must_not_be_refused(user, case, action, other)
        for form, perm in (
            ("comment", "hazards.comment"),
            ("supervision", "hazards.list_supervision"),
            ("plan", "hazards.plan"),
            ("resume", "hazards.apply_resume"),
        ):
            if f'action="/console/hazards/{case.pk}/{form}/"' in page and form != "resume":
                assert may(user, perm, case), (user.username, form)
    assert seen_any  # someone is always offered the next step


class _Rollback(Exception):
    pass


def _must_not_be_refused(user, case, action, other):
    """Submit the offered action as that person (rolled back): it may fail for want of data, never 403."""
    data = {
        "expected_state": case.state,
        "reason": "测试说明",
        "into": other.pk,
        "current_state_cause": "现状",
        "harm_difficulty": "难度",
    }
    try:
        with transaction.atomic():
            actions.perform(user, HazardCase.objects.get(pk=case.pk), action, data)
            raise _Rollback
    except _Rollback:
        pass
    except Forbidden as exc:
        pytest.fail(f"{user.username} was offered {action} and refused: {exc.message}")
    except ActionError:
        pass


def test_offered_actions_are_accepted(world):
    """Every action offered on the page, submitted by the person it was offered to, is not refused."""
    case = to_state(world, submit(world), "assigned")
    lead = lead_person(world, case)
    c = Client()
    c.force_login(lead)
    page = c.get(f"/console/hazards/{case.pk}/").content.decode()
    assert "start" in _offered(page, case)
    r = c.post(f"/console/hazards/{case.pk}/act/start/", {"expected_state": "assigned"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "rectifying"


def test_major_case_forms_per_person(world):
    case = major_ready(world)
    dispatcher, other = world.user("dept_staff", "city"), world.user("area_staff", "qingcheng")
    page = _page(dispatcher, case)
    assert f"/console/hazards/{case.pk}/supervision/" in page
    page = _page(other, case)
    assert (
        f"/console/hazards/{case.pk}/supervision/" not in page
        and f"/console/hazards/{case.pk}/plan/" not in page
    )


def _page(user, case):
    c = Client()
    c.force_login(user)
    return c.get(f"/console/hazards/{case.pk}/").content.decode()


def test_enterprise_opens_its_own_case_and_sees_only_what_it_may(world):
    ent = world.user("enterprise")
    c = Client()
    c.force_login(ent)
    r = c.post(
        "/console/hazards/new/",
        {
            "category": _cat("hazchem"),
            "title": "储罐阀门渗漏",
            "lat": "23.7",
            "lon": "113.05",
            "source": "enterprise",
            "client_token": "e-own",
            "photos": jpeg_with_gps(),
        },
    )
    assert r.status_code == 302
    case = HazardCase.objects.get(title="储罐阀门渗漏")
    assert case.source == "enterprise" and case.grade == "general"
    page = c.get(f"/console/hazards/{case.pk}/").content.decode()
    assert _offered(page, case) == set()  # the dispatch centre acts, not the enterprise
    assert 'name="is_public"' not in page and "报告人" not in page
    photo = case.photos.get()
    r = c.get(f"/console/hazards/{case.pk}/photos/{photo.pk}/")
    assert r.status_code == 200
    other = submit(world, area="yingde")
    assert c.get(f"/console/hazards/{other.pk}/").status_code == 404
    # The internal trail (officers' notes) stays internal: the enterprise sees the public steps.
    dispatcher = world.user("dept_staff", "city")
    actions.do_register(dispatcher, case, note="内部立案意见")
    page = c.get(f"/console/hazards/{case.pk}/").content.decode()
    assert "已立案" in page and "内部立案意见" not in page
    assert "内部立案意见" in _page(dispatcher, case)


def _cat(code):
    from pingan.hazards.models import Category

    return Category.objects.get(code=code).pk


def test_grid_worker_cannot_edit_routes_and_district_staff_neither(world):
    rule = RoutingRule.objects.get(category__code="gas")
    for role, area in (("dept_staff", "qingcheng"), ("area_staff", "qingcheng"), ("dept_staff", "city")):
        c = client(world, role, area)
        page = c.get("/console/hazards/routes/").content.decode()
        assert 'name="delete"' not in page
        r = c.post("/console/hazards/routes/", {"id": rule.pk, "delete": "1"})
        assert r.status_code == 403
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    api = APIClient()
    api.force_authenticate(world.user("dept_staff", "city"))
    assert api.patch(f"/api/v1/hazard-routes/{rule.pk}/", {"note": "x"}, format="json").status_code == 403
    assert not permissions.can_edit_routes(world.user("dept_staff", "city"))
    assert permissions.can_edit_routes(world.user("city_admin", "city"))


def test_api_photo_upload_is_an_audited_action(world):
    case = submit(world)
    api = APIClient()
    api.force_authenticate(world.user("grid_worker"))
    r = api.post(
        f"/api/v1/hazards/{case.pk}/photos/",
        {"photo": jpeg_with_gps(), "kind": "rectification"},
        format="multipart",
    )
    assert r.status_code == 201
    event = AuditEvent.objects.for_object(case).get(action="hazards.case.photo")
    assert event.actor == world.user("grid_worker") and event.after["kind"] == "rectification"
    assert event.after["photo"] == r.json()["id"]
    # People who cannot see the case (a citizen who did not report it, an enterprise it is not about,
    # the other district) get 404, not 403, and no row is written.
    for role, area in (("public", "city"), ("enterprise", "qingcheng"), ("area_staff", "yingde")):
        api.force_authenticate(world.user(role, area))
        r = api.post(
            f"/api/v1/hazards/{case.pk}/photos/",
            {"photo": jpeg_with_gps(), "kind": "report"},
            format="multipart",
        )
        assert r.status_code == 404
    api.force_authenticate(world.user("grid_worker"))
    r = api.post(
        f"/api/v1/hazards/{case.pk}/photos/",
        {"photo": jpeg_with_gps(), "kind": "nonsense"},
        format="multipart",
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "kind"
    assert AuditEvent.objects.for_object(case).filter(action="hazards.case.photo").count() == 1


def test_citizen_reporter_may_add_photo_but_not_comment(world):
    citizen = world.user("public", "city")
    case = submit(world, reporter=citizen, source="public")
    api = APIClient()
    api.force_authenticate(citizen)
    r = api.post(
        f"/api/v1/hazards/{case.pk}/photos/", {"photo": jpeg_with_gps(), "kind": "report"}, format="multipart"
    )
    assert r.status_code == 201
    assert api.post(f"/api/v1/hazards/{case.pk}/comments/", {"body": "x"}, format="json").status_code == 403
    assert api.get(f"/api/v1/hazards/{case.pk}/comments/").status_code == 200


def test_bulk_refused_to_non_dispatchers(world):
    case = submit(world)
    r = client(world, "area_staff", "qingcheng").post(
        "/console/hazards/bulk/", {"action": "register", "ids": [case.pk]}
    )
    assert r.status_code == 403
    case.refresh_from_db()
    assert case.state == "submitted"


def test_no_role_literals_outside_permissions():
    """Actions, views, API and templates ask permissions.py; they never name a role."""
    root = Path(__file__).resolve().parent.parent
    files = [
        *root.glob("actions/*.py"),
        root / "views.py",
        root / "public_views.py",
        *root.glob("api/*.py"),
        root / "workspace.py",
        root / "apps.py",
        *root.glob("templates/**/*.html"),
    ]
    pattern = re.compile(
        r"\bRole\.|\.role\s*(==|!=|in\b)|is_staff_role|sees_everything|"
        r"[\"'](city_admin|grid_worker|dept_staff|area_staff|duty_officer|duty_leader|rescue_lead)[\"']"
    )
    offenders = [
        f"{f.name}:{n}"
        for f in files
        for n, line in enumerate(f.read_text().splitlines(), 1)
        if pattern.search(line) and "TaskRole" not in line and "task.role" not in line
    ]
    assert offenders == []
