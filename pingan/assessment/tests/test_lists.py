"""Responsibility lists: drawing up, editing, signing (each audited), the signing deadline and its
reminder, who may do what, and bad inputs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from pingan.assessment import actions
from pingan.assessment.models import ResponsibilityList
from pingan.core import deadlines
from pingan.core.actions import ActionError, Conflict, Forbidden
from pingan.core.models import AuditEvent, Deadline
from pingan.notify.models import Message


def events(obj):
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), action__startswith="assessment.list")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_create_edit_sign_each_audited_with_a_deadline(world, make_list):
    lst = make_list()
    holder = world.user("area_staff")
    due = Deadline.objects.get(kind=actions.SIGN_DEADLINE, object_id=str(lst.pk))
    assert due.assignee == holder and due.met_at is None and due.remind_at is not None
    assert Message.objects.filter(recipient=holder, event="assessment.list.issued").exists()

    actions.do_edit_list(world.user("area_staff"), lst, {"items": ["一", "二", "三"]})
    lst.refresh_from_db()
    assert lst.items == ["一", "二", "三"]

    with pytest.raises(Forbidden):  # only the holder signs
        actions.do_sign(world.user("city_admin", "city"), lst)
    actions.do_sign(holder, lst)
    lst.refresh_from_db()
    assert lst.signed
    due.refresh_from_db()
    assert due.met_at is not None
    with pytest.raises(Forbidden):  # signed: fixed (the predicate already refuses)
        actions.do_edit_list(world.user("city_admin", "city"), lst, {"items": ["x"]})
    with pytest.raises(Forbidden):
        actions.do_sign(holder, lst)
    assert events(lst) == ["assessment.list.create", "assessment.list.edit", "assessment.list.sign"]
    sign = AuditEvent.objects.get(action="assessment.list.sign", object_id=str(lst.pk))
    assert sign.actor_id == holder.pk and sign.before == {"signed_at": None}


def test_sign_conflict_when_signed_meanwhile(world, make_list):
    lst = make_list()
    stale = ResponsibilityList.objects.get(pk=lst.pk)
    actions.do_sign(world.user("area_staff"), lst)
    ResponsibilityList.objects.filter(pk=lst.pk).update(signed_at=None)  # predicate passes on the stale copy
    ResponsibilityList.objects.filter(pk=lst.pk).update(signed_at=timezone.now())
    with pytest.raises(Conflict):
        actions.do_sign(world.user("area_staff"), stale)


def test_reminder_before_the_date_tells_the_holder(world, make_list):
    lst = make_list(sign_by=timezone.localdate() + dt.timedelta(days=3))
    holder = world.user("area_staff")
    counts = deadlines.reconcile(timezone.now())
    assert counts["reminded"] >= 1
    assert Message.objects.filter(recipient=holder, event="assessment.list.due").count() == 1
    deadlines.reconcile(timezone.now())  # idempotent
    assert Message.objects.filter(recipient=holder, event="assessment.list.due").count() == 1
    actions.do_sign(holder, lst)


def test_who_may_draw_up(world, make_list):
    yd = world.districts["yingde"]
    with pytest.raises(Forbidden):  # 清城区 staff cannot for 英德市
        actions.do_create_list(
            world.user("area_staff"),
            {
                "year": 2026,
                "post": "x",
                "kind": "party",
                "division": yd,
                "holder": world.user("area_staff", "yingde"),
                "items": ["a"],
                "sign_by": dt.date(2026, 3, 1),
            },
        )
    with pytest.raises(Forbidden):  # a duty officer draws up no list
        make_list.__wrapped__ if False else actions.do_create_list(
            world.user("duty_officer"), {"division": world.districts["qingcheng"]}
        )
    make_list("yingde")  # the city for any district


@pytest.mark.parametrize(
    "over,field",
    [
        ({"items": []}, "items"),
        ({"items": ["  ", ""]}, "items"),
        ({"items": ["x" * 501]}, "items[0]"),
        ({"items": ["x"] * 51}, "items"),
        ({"items": 5}, "items"),
        ({"post": ""}, "post"),
        ({"kind": "boss"}, "kind"),
        ({"year": "abc"}, "year"),
        ({"year": 1800}, "year"),
        ({"sign_by": dt.date(1999, 1, 1)}, "sign_by"),
        ({"sign_by": "not a date"}, "sign_by"),
        ({"division": None}, "division"),
    ],
)
def test_bad_inputs_name_the_field(world, make_list, over, field):
    with pytest.raises(ActionError) as exc:
        make_list(**over)
    assert exc.value.field == field


def test_holder_and_department_must_be_of_the_area(world, make_list):
    with pytest.raises(ActionError) as exc:
        make_list(holder=world.user("area_staff", "yingde"))
    assert exc.value.field == "holder"
    with pytest.raises(ActionError) as exc:
        make_list(holder=world.user("enterprise"))
    assert exc.value.field == "holder"
    with pytest.raises(ActionError) as exc:
        make_list(department=world.departments["yd_em"])
    assert exc.value.field == "department"
    make_list()
    with pytest.raises(ActionError) as exc:  # one list per post, area and year
        make_list()
    assert exc.value.code == "unique"


def test_console_pages(world, make_list, django_assert_max_num_queries):
    lst = make_list()
    c = Client()
    c.force_login(world.user("area_staff"))
    page = c.get("/console/assessment/lists/")
    assert page.status_code == 200 and lst.post in page.content.decode()
    detail = c.get(f"/console/assessment/lists/{lst.pk}/").content.decode()
    assert 'data-testid="sign"' in detail  # the holder is offered the signature
    assert c.post(f"/console/assessment/lists/{lst.pk}/sign/").status_code == 302
    lst.refresh_from_db()
    assert lst.signed
    # another district: 404, not 403
    c.force_login(world.user("area_staff", "yingde"))
    assert c.get(f"/console/assessment/lists/{lst.pk}/").status_code == 404
    assert c.post(f"/console/assessment/lists/{lst.pk}/sign/").status_code == 404
    # the city admin sees it but is not offered the signature
    c.force_login(world.user("city_admin", "city"))
    assert 'data-testid="sign"' not in c.get(f"/console/assessment/lists/{lst.pk}/").content.decode()
    # constant queries: 1 row and many
    for i in range(8):
        make_list(post=f"岗位{i}")
    with django_assert_max_num_queries(12):
        assert c.get("/console/assessment/lists/").status_code == 200
    assert c.get("/console/assessment/lists/?year=abc").status_code == 400
    assert c.get("/console/assessment/lists/?year=99999").status_code == 400


def test_console_new_list_form(world):
    c = Client()
    c.force_login(world.user("area_staff"))
    assert c.get("/console/assessment/lists/new/").status_code == 200
    r = c.post(
        "/console/assessment/lists/new/",
        {
            "year": 2026,
            "post": "清城区区长",
            "kind": "government",
            "division": world.districts["qingcheng"].pk,
            "holder": world.user("area_staff").pk,
            "sign_by": "2026-12-01",
            "items": "一、组织领导\n二、安全投入",
        },
    )
    assert r.status_code == 302
    assert ResponsibilityList.objects.get(post="清城区区长").items == ["一、组织领导", "二、安全投入"]
    c.force_login(world.user("duty_officer"))
    assert c.get("/console/assessment/lists/new/").status_code == 403
