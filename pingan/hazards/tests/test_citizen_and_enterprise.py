"""The citizen's tracking page keeps the whole history; the enterprise workspace panel; one
definition of "publicly listed"; API errors in the user's language."""

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from pingan.hazards import actions, workspace
from pingan.hazards.choices import Source

from .factories import png, submit, to_state

pytestmark = pytest.mark.django_db


def test_tracking_keeps_history_after_not_fixed_feedback(world):
    citizen = world.user("public", "city")
    case = to_state(world, submit(world, reporter=citizen, source=Source.PUBLIC), "closed")
    c = Client()
    c.force_login(citizen)
    url = f"/report/track/{case.tracking_code}/"
    r = c.post(url, {"answer": "not_fixed", "note": "通道又被杂物堵住了,电话13812345678"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "rectifying" and case.reopened_count == 1
    page = c.get(url).content.decode()
    steps = page[page.index('data-testid="public-steps"') :]
    steps = steps[: steps.index("</ul>")]
    for label in (
        "已受理",
        "已立案",
        "已派遣至责任部门",
        "整改完成,待验收",
        "已销号",
        "报告人反馈: 未消除",
        "重新打开整改",
    ):
        assert label in steps, label
    assert steps.index("已销号") < steps.index("报告人反馈") < steps.index("重新打开整改")
    # The citizen's own note is shown (phone masked); no second feedback form while it is open.
    assert "通道又被杂物堵住了" in page and "138****5678" in page and "13812345678" not in page
    assert 'data-testid="feedback-form"' not in page
    # Closed again: asked again, and the history shows both closures.
    case = to_state(world, case, "closed")
    page = c.get(url).content.decode()
    assert 'data-testid="feedback-form"' in page
    steps = page[page.index('data-testid="public-steps"') :]
    assert steps[: steps.index("</ul>")].count("已销号") == 2


def test_tracking_never_shows_officers_notes(world):
    """The public sees step names, never the notes written with a transition."""
    case = to_state(world, submit(world), "registered")
    case = actions.do_assign(world.user("dept_staff", "city"), case, co=[], note="内部派遣说明")
    page = Client().get(f"/report/track/{case.tracking_code}/").content.decode()
    assert "已派遣至责任部门" in page and "内部派遣说明" not in page


def _many(world, n):
    ent = world.enterprises["qingcheng"]
    for i in range(n):
        submit(
            world,
            category="hazchem",
            enterprise=ent,
            source=Source.ENTERPRISE if i % 2 else Source.CONSOLE,
            reporter=world.user("enterprise") if i % 2 else None,
            title=f"企业隐患{i}",
        )
    submit(world, area="yingde", enterprise=world.enterprises["yingde"], title="别家的隐患")


@pytest.mark.parametrize("n", [1, 14])
def test_workspace_panel_constant_queries(world, django_assert_num_queries, n):
    _many(world, n)
    user = world.user("enterprise")
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(4):
        found = workspace.panels(user)
    cases, reports = found
    assert cases["count"] == n and len(cases["items"]) == min(n, 10)
    assert reports["count"] == n // 2 and len(reports["items"]) == min(n // 2, 10)
    assert all("别家" not in i["label"] for i in cases["items"])
    item = cases["items"][0]
    assert set(item) == {"label", "url", "pill", "when"} and item["pill"][1] in ("blue", "teal", "orange")
    # The panel's links open for the enterprise.
    c = Client()
    c.force_login(user)
    assert c.get(item["url"]).status_code == 200
    assert c.get(cases["url"]).status_code == 200 and c.get(reports["url"]).status_code == 200


def test_workspace_panel_only_for_enterprises(world):
    for role, area in (("city_admin", "city"), ("area_staff", "qingcheng"), ("public", "city")):
        assert workspace.panels(world.user(role, area)) == []
    from django.apps import apps

    assert apps.get_app_config("hazards").workspace_panels == "pingan.hazards.workspace.panels"


def test_merged_cases_are_not_publicly_listed(world):
    dispatcher = world.user("dept_staff", "city")
    keep = submit(world, source=Source.PUBLIC, reporter=world.user("public", "city"))
    dup = submit(
        world, source=Source.PUBLIC, reporter=world.user("public", "city"), photos=[png()], title="重复"
    )
    actions.do_merge(dispatcher, dup, into=keep)
    from pingan.hazards.models import HazardCase

    assert list(HazardCase.objects.publicly_listed()) == [keep]
    dup.refresh_from_db()
    assert not dup.is_publicly_listed and keep.is_publicly_listed
    photo = dup.photos.get()
    assert Client().get(f"/report/photo/{photo.public_id}/").status_code == 404
    body = Client().get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in body] == [keep.number]


def test_api_errors_in_the_users_language(world):
    api = APIClient()
    api.force_authenticate(world.user("area_staff"))
    payload = {"title": "x", "category": "fire", "lat": 23.7, "lon": 113.05, "enterprise": 999999}
    r = api.post("/api/v1/hazards/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == "enterprise" and err["message"] == "No such organisation"
    with translation.override("zh-hans"):
        r = api.post("/api/v1/hazards/", payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.json()["errors"][0]["message"] == "单位不存在"
