"""Training records (statutory hours, refresher deadlines), activities and the participation chart,
demonstration sites, volunteers who receive their township's warnings, the enterprise panel."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from pingan.core.actions import Forbidden
from pingan.core.models import Deadline
from pingan.culture import actions
from pingan.culture.models import Activity, DemoSite, TrainingRecord
from pingan.geo.models import Division

pytestmark = pytest.mark.django_db


def test_training_hours_judged_and_refresher_deadline(world):
    ent = world.enterprises["qingcheng"]
    ent.industry = "fireworks"
    ent.save()
    staff = world.user("area_staff", "qingcheng")
    town = world.towns["qingcheng"]
    r = actions.do_record_training(
        staff,
        {
            "person": "王安全",
            "trainee": "safety_manager",
            "kind": "initial",
            "enterprise": ent,
            "division": town,
            "hours": "40",
            "trained_on": date(2026, 3, 1),
        },
    )
    assert r.high_risk and r.compliant is False  # docs/domain/13-training.md: needs 48
    d = Deadline.objects.get(kind="culture.training.refresher")
    assert d.due_at.date() == date(2027, 3, 1) and d.remind_at.date() == date(2027, 1, 30)
    # the enterprise records its own people, not another's
    own = world.user("enterprise", "qingcheng")
    actions.do_record_training(
        own,
        {
            "person": "赵经理",
            "trainee": "principal",
            "kind": "refresher",
            "enterprise": ent,
            "division": town,
            "hours": Decimal("16"),
            "trained_on": date(2026, 4, 1),
        },
    )
    with pytest.raises(Forbidden):
        actions.do_record_training(
            own,
            {
                "person": "x",
                "trainee": "principal",
                "kind": "refresher",
                "enterprise": world.enterprises["yingde"],
                "division": world.towns["yingde"],
                "hours": 12,
            },
        )
    assert TrainingRecord.objects.filter(compliant=True).count() == 1
    # the enterprise's workspace shows its safety culture panel
    from pingan.culture.workspace import panels

    [panel] = panels(own)
    assert panel["count"] == 2 and any("安全积分" in i["label"] for i in panel["items"])
    assert panels(staff) == []


def test_console_shows_hours_and_mountain_vs_urban(world, django_assert_max_num_queries):
    city = world.towns["qingcheng"].parent.parent
    lianshan = Division.objects.create(
        code="441825", name="连山县", level="district", parent=city, lat=24.5, lon=112.1
    )
    mountain_town = Division.objects.create(
        code="441825101", name="吉田镇", level="town", parent=lianshan, lat=24.5, lon=112.1
    )
    admin = world.user("city_admin", "city")
    for town, farmers in ((world.towns["qingcheng"], 40), (mountain_town, 25)):
        actions.do_record_activity(
            admin,
            {
                "kind": "lecture",
                "title": "安全讲座",
                "place": "村委会",
                "held_on": date(2026, 5, 1),
                "division": town,
                "farmers": farmers,
                "students": 5,
            },
        )
    c = Client()
    c.force_login(admin)
    with django_assert_max_num_queries(25):
        r = c.get("/console/culture/")
    text = r.content.decode()
    assert r.status_code == 200 and "吉田镇" in text and "北部山区" in text
    chart = r.context["chart"]
    assert chart["series"][0]["data"] == [30] and chart["series"][1]["data"] == [45]
    for _ in range(5):
        Activity.objects.create(
            kind="drill",
            title="演练",
            place="学校",
            held_on=date(2025, 6, 1),
            division=mountain_town,
            students=10,
        )
    with django_assert_max_num_queries(25):
        assert c.get("/console/culture/").status_code == 200
    # another district's staff does not see these
    other = Client()
    other.force_login(world.user("area_staff", "yingde"))
    assert "吉田镇" not in other.get("/console/culture/").content.decode()
    # citizens have no console
    citizen = Client()
    citizen.force_login(world.user("public", "city"))
    assert citizen.get("/console/culture/").status_code == 403


def test_demo_site_apply_and_assess(world):
    staff = world.user("area_staff", "qingcheng")
    site = actions.do_apply_site(
        staff,
        {
            "name": "凤城街安全社区",
            "kind": "community",
            "division": world.towns["qingcheng"],
            "teaches": "楼道消防",
        },
    )
    with pytest.raises(Forbidden):
        actions.do_assess_site(staff, site, ["plan"])
    site = actions.do_assess_site(
        world.user("dept_staff", "qingcheng"), site, ["organisation", "plan", "education", "hazards"]
    )
    assert (site.score, site.state) == (80, "approved")
    geo = Client().get("/learn/sites.geojson").json()
    assert [f["properties"]["label"] for f in geo["features"]] == ["凤城街安全社区"]
    assert DemoSite.objects.count() == 1
    # the portal shows approved sites on a map with what each teaches; an application is not shown
    actions.do_apply_site(
        staff,
        {"name": "申报中的学校", "kind": "school", "division": world.towns["qingcheng"], "teaches": "x"},
    )
    page = Client().get("/learn/").content.decode()
    assert 'data-testid="demo-sites"' in page and "凤城街安全社区" in page and "楼道消防" in page
    assert "申报中的学校" not in page


def test_volunteer_receives_the_townships_warnings(world, django_capture_on_commit_callbacks):
    from pingan.notify.models import Message
    from pingan.org.models import User
    from pingan.warnings.tests.factories import to_state

    person = User.objects.create(username="vol-chen", role="public", display_name="陈志愿")
    v = actions.do_register_volunteer(
        world.user("area_staff", "qingcheng"),
        {"name": "陈志愿", "user": person, "division": world.towns["qingcheng"], "skills": "急救"},
    )
    actions.do_log_hours(
        world.user("area_staff", "qingcheng"), v, date(2026, 5, 1), Decimal("3.5"), "防汛值守"
    )
    v.refresh_from_db()
    assert v.hours == Decimal("3.5")
    to_state(world, "published")
    assert Message.objects.filter(recipient=person, event="warnings.alert").count() == 1
