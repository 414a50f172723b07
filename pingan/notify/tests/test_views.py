"""The inbox and preference pages."""

from __future__ import annotations

import pytest
from django.test import Client

from pingan.core.models import AuditEvent
from pingan.notify.models import Delivery, Message, Preference, SmsRecord


@pytest.fixture
def client_for(world):
    def make(role, area="qingcheng"):
        c = Client()
        c.force_login(world.user(role, area))
        return c

    return make


def fill(user, n, **kw):
    return Message.objects.bulk_create(
        [Message(recipient=user, event="t", title=f"消息{i:03d}", **kw) for i in range(n)]
    )


def test_inbox_shows_only_own_messages_even_to_a_city_admin(world, client_for):
    fill(world.user("area_staff"), 2)
    fill(world.user("city_admin", "city"), 1)
    page = client_for("city_admin", "city").get("/console/inbox/")
    assert page.status_code == 200
    assert len(page.context["messages_list"]) == 1


def test_inbox_pagination_and_unread_filter(world, client_for):
    me = world.user("area_staff")
    fill(me, 35)
    Message.objects.filter(recipient=me, title__in=["消息000", "消息001"]).update(
        read_at="2026-01-01T00:00:00Z"
    )
    c = client_for("area_staff")
    first = c.get("/console/inbox/")
    assert len(first.context["messages_list"]) == 30 and first.context["is_paginated"]
    assert "page=2" in first.content.decode()
    second = c.get("/console/inbox/?page=2")
    assert len(second.context["messages_list"]) == 5
    unread = c.get("/console/inbox/?unread=1&page=2")
    assert len(unread.context["messages_list"]) == 3 and unread.context["unread_only"]
    assert "unread=1&amp;page=1" in unread.content.decode() or "unread=1&page=1" in unread.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_inbox_page_is_constant_in_queries(world, client_for, n, django_assert_max_num_queries):
    fill(world.user("area_staff"), n)
    c = client_for("area_staff")
    # session, user, page count, page rows, header unread count — the same for 1 and 50 rows
    with django_assert_max_num_queries(5):
        assert c.get("/console/inbox/").status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_preferences_page_is_constant_in_queries(world, client_for, n, django_assert_max_num_queries):
    me = world.user("area_staff")
    messages = fill(me, n)
    Delivery.objects.bulk_create(
        [Delivery(message=m, channel="email", target="a@example.cn") for m in messages]
    )
    c = client_for("area_staff")
    with django_assert_max_num_queries(6):
        page = c.get("/console/inbox/preferences/")
    assert len(page.context["deliveries"]) == min(n, 20)


def test_mark_read_own_only(world, client_for):
    (mine,) = fill(world.user("area_staff"), 1, url="/console/")
    (theirs,) = fill(world.user("area_staff", "yingde"), 1)
    c = client_for("area_staff")
    assert c.post(f"/console/inbox/{theirs.pk}/read/").status_code == 404
    r = c.post(f"/console/inbox/{mine.pk}/read/", {"open": "1"})
    assert r.status_code == 302 and r["Location"] == "/console/"
    mine.refresh_from_db()
    first_read = mine.read_at
    assert first_read is not None
    c.post(f"/console/inbox/{mine.pk}/read/")
    mine.refresh_from_db()
    assert mine.read_at == first_read  # read once, never moved
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_never_redirects_off_site(world, client_for):
    (m,) = fill(world.user("area_staff"), 1, url="https://evil.example.com/")
    r = client_for("area_staff").post(
        f"/console/inbox/{m.pk}/read/", {"open": "1", "next": "//evil.example.com"}
    )
    assert r["Location"] == "/console/inbox/"


def test_read_all(world, client_for):
    fill(world.user("area_staff"), 3)
    fill(world.user("area_staff", "yingde"), 2)
    r = client_for("area_staff").post("/console/inbox/read-all/", follow=True)
    assert r.status_code == 200
    assert Message.objects.filter(read_at=None).count() == 2


def test_anonymous_is_sent_to_login(db):
    r = Client().get("/console/inbox/preferences/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_preferences_page_saves_and_audits(world, client_for):
    me = world.user("duty_officer")
    c = client_for("duty_officer")
    assert c.get("/console/inbox/preferences/").status_code == 200
    r = c.post(
        "/console/inbox/preferences/",
        {
            "email": "on",
            "webhook_kind": "wecom",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        },
    )
    assert r.status_code == 302
    pref = Preference.objects.get(user=me)
    assert (pref.email, pref.sms, pref.webhook_kind) == (True, False, "wecom")
    assert AuditEvent.objects.filter(action="notify.preference.update", actor=me).count() == 1


def test_preferences_page_shows_errors_by_field(world, client_for):
    c = client_for("duty_officer")
    r = c.post(
        "/console/inbox/preferences/",
        {"webhook_kind": "webhook", "webhook_url": "https://hooks.example.cn/x", "webhook_secret": "short"},
    )
    assert r.status_code == 200
    assert "webhook_secret" in r.context["form"].errors
    assert "至少 16 个字符" in r.content.decode()
    r = c.post(
        "/console/inbox/preferences/", {"webhook_kind": "wecom", "webhook_url": "http://localhost:8000/x"}
    )
    assert "webhook_url" in r.context["form"].errors
    assert not Preference.objects.filter(user=world.user("duty_officer")).exists()


def test_send_test_notification_and_throttle(world, client_for, django_capture_on_commit_callbacks):
    me = world.user("duty_officer")
    me.phone = "13900000000"
    me.save()
    c = client_for("duty_officer")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/console/inbox/preferences/test/", follow=True)
    assert r.status_code == 200
    assert Message.objects.filter(recipient=me, event="notify.test").count() == 1
    assert SmsRecord.objects.filter(phone="13900000000").count() == 1
    assert Delivery.objects.get(channel="sms").status == "sent"
    page = c.get("/console/inbox/preferences/")
    assert "preferences-deliveries" in page.content.decode() and "已发送" in page.content.decode()
    r = c.post("/console/inbox/preferences/test/", follow=True)
    assert "过于频繁" in r.content.decode()
    assert Message.objects.filter(recipient=me, event="notify.test").count() == 1


def test_demo_seed_is_idempotent(db):
    from django.contrib.auth import get_user_model

    from pingan.notify import demo

    lines = []
    demo.seed(lines.append)
    assert "skipped" in lines[-1]
    get_user_model().objects.create_user(username="city_admin", password="x" * 12, role="city_admin")
    demo.seed(lines.append)
    demo.seed(lines.append)
    assert Message.objects.filter(event=demo.EVENT).count() == 1
